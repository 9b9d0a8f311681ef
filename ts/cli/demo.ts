/**
 * `permafrost demo [dir] [--rows N] [--keep]` — the first command to run after install:
 *
 * 1. ingest N one-minute candlesticks (default 1,048,576 for 4 tickers) in 1,000-row
 *    transactions with `syncMode: 'full'`, so every acknowledged commit is on disk;
 * 2. checkpoint: seal the rows into volumes and truncate the WAL;
 * 3. crash: a child process of this CLI commits more batches and is SIGKILLed mid-stream
 *    (demo-crash.ts);
 * 4. reopen (recovery) and prove that every row ingested and every acknowledged batch is
 *    there with exactly its generated values, and nothing partial (demo-check.ts);
 * 5. a time-range query: one trading session of one ticker, with what the zone maps skipped.
 *
 * It works in a fresh temporary directory, removed at the end, unless `dir` is given (it must
 * be empty or not exist) or `--keep` is passed. Exit code 0 when nothing was lost, 1 when the
 * check found a problem, 2 on a usage or runtime error.
 */
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PermafrostError } from '../errors';
import { Store } from '../store/store';
import { tableDirectory, volumeFileName } from '../volume/volume-files';
import { CANDLE_SCHEMA, DEFAULT_TICKERS, generateCandles } from '../demo/candles';
import { DEMO_COMMITS_IN_FLIGHT, ingestCandles } from '../demo/ingest-candles';
import type { Command, CommandIo, ParsedArgs } from './command';
import { checkNothingLost, sessionQuery } from './demo-check';
import { crashChild, runCrashChild } from './demo-crash';
import { bytes, count, duration, microsToIso, nanosToIso, rate } from './format';
import { ProgressBar, type ProgressSink } from './progress';

const DEFAULT_ROWS = 1_048_576;
const BATCH_ROWS = 1_000;
/** Acknowledged child batches before the kill. */
const KILL_AFTER_BATCHES = 5;
const QUERY_TICKER = 'NVDA';

function positiveInteger(args: ParsedArgs, name: string, fallback: number): number {
  const raw = args.options.get(name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 1) throw new PermafrostError('ERR_INVALID_ARGUMENT', `--${name} needs a positive integer, got ${raw}`);
  return value;
}

/** Progress goes to the terminal when there is one, else as plain lines through `out`. */
function progressSink(io: CommandIo): ProgressSink {
  return io.progress ?? { interactive: false, write: (text) => io.out(text.replace(/\n$/, '')) };
}

async function prepareDirectory(given: string | undefined): Promise<{ dir: string; temporary: boolean }> {
  if (given === undefined) return { dir: await mkdtemp(join(tmpdir(), 'permafrost-demo-')), temporary: true };
  const dir = resolve(given);
  try {
    if ((await readdir(dir)).length > 0) throw new PermafrostError('ERR_INVALID_ARGUMENT', `the demo needs an empty or new directory; ${dir} is not empty`, { file: dir });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  return { dir, temporary: false };
}

async function directoryBytes(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const path = join(dir, entry.name);
    total += entry.isDirectory() ? await directoryBytes(path) : (await stat(path)).size;
  }
  return total;
}

interface Timings {
  ingestMs: number;
  checkpointMs: number;
  crashMs: number;
  reopenMs: number;
  checkMs: number;
  queryMs: number;
}

/** Steps 1 and 2: ingest, then checkpoint; the store is closed (without a checkpoint) after. */
async function ingestAndCheckpoint(dir: string, rows: number, io: CommandIo, timings: Timings): Promise<void> {
  const store = await Store.open(dir, { syncMode: 'full', checkpointIntervalMs: 0, checkpointOnClose: false });
  try {
    await store.createTable(CANDLE_SCHEMA);
    io.out(`1. ingest: ${count(rows)} rows in ${count(Math.ceil(rows / BATCH_ROWS))} transactions of ${count(BATCH_ROWS)}, syncMode 'full', ${DEMO_COMMITS_IN_FLIGHT} commits in flight (an acknowledged commit is on disk)`);
    const bar = new ProgressBar(progressSink(io), '   ingest', rows);
    const ingestStarted = performance.now();
    await ingestCandles(store, generateCandles(rows), BATCH_ROWS, (_batch, done) => bar.update(done), { inFlight: DEMO_COMMITS_IN_FLIGHT });
    timings.ingestMs = performance.now() - ingestStarted;
    bar.finish(rate(rows, timings.ingestMs));
    io.out(`   WAL now ${bytes(await directoryBytes(join(dir, 'wal')))}`);

    io.out('2. checkpoint: seal the rows into volumes, publish manifest and catalog, truncate the WAL');
    const report = await store.checkpoint();
    timings.checkpointMs = report.durationMs;
    io.out(`   sealed ${count(report.rowsSealed)} rows into ${report.volumesWritten} volume(s) in ${duration(report.durationMs)} (${rate(report.rowsSealed, report.durationMs)}), checkpoint LSN ${report.checkpointLsn}`);
    const info = await store.info();
    const table = info.tables.find((candidate) => candidate.name === CANDLE_SCHEMA.tableName)!;
    const tableDir = tableDirectory(join(dir, 'volumes'), table.name.toLowerCase());
    for (const volume of table.volumes) {
      const size = (await stat(join(tableDir, volumeFileName(volume.volumeId)))).size;
      io.out(`   ${volumeFileName(volume.volumeId)}  ${count(volume.rowCount)} rows  ${bytes(size)}  ${microsToIso(volume.timeMinMicros)} → ${microsToIso(volume.timeMaxMicros)}`);
    }
    io.out(`   WAL now ${bytes(await directoryBytes(join(dir, 'wal')))}; volumes ${bytes(await directoryBytes(join(dir, 'volumes')))}`);
  } finally {
    await store.close();
  }
}

/** Steps 4 and 5 on the reopened store; returns the number of problems found. */
async function reopenAndCheck(dir: string, rows: number, lastAcknowledgedId: bigint, io: CommandIo, timings: Timings): Promise<number> {
  io.out('4. reopen: recovery loads the volumes and replays the WAL since the checkpoint');
  const started = performance.now();
  const store = await Store.open(dir, { syncMode: 'full', checkpointIntervalMs: 0, checkpointOnClose: false });
  timings.reopenMs = performance.now() - started;
  try {
    const recovery = store.recovery;
    const torn = store.walRecovery.tornTail === undefined ? 'no torn tail' : `a torn tail of ${store.walRecovery.tornTail.lengthBytes} bytes cut`;
    io.out(`   opened in ${duration(timings.reopenMs)}: ${recovery.mode} mode, ${recovery.volumesLoaded} volume(s), replayed ${count(recovery.rowsReplayed)} rows from LSN ${recovery.replayFromLsn}, ${torn}`);
    const total = store.count(CANDLE_SCHEMA.tableName);
    const bar = new ProgressBar(progressSink(io), '   check', total);
    const checkStarted = performance.now();
    const check = checkNothingLost(store, lastAcknowledgedId, BATCH_ROWS, (done) => bar.update(done));
    timings.checkMs = performance.now() - checkStarted;
    bar.finish(`${count(check.rowsChecked)} rows compared`);
    if (check.problems.length > 0) {
      for (const problem of check.problems) io.out(`   LOST OR CHANGED: ${problem}`);
      return check.problems.length;
    }
    const acknowledgedByChild = Number(lastAcknowledgedId) - rows;
    io.out(`   nothing lost: all ${count(rows)} ingested rows and the ${count(acknowledgedByChild)} rows the child acknowledged are there, value for value`);
    io.out(
      check.unacknowledgedRows === 0
        ? '   (the batch the kill interrupted left no trace: it was never committed)'
        : `   (plus ${count(check.unacknowledgedRows)} rows of batch(es) that committed before the kill but were not yet acknowledged: whole, as transactions are)`,
    );

    const query = sessionQuery(store, QUERY_TICKER, check.lastId);
    timings.queryMs = query.firstMs;
    const { stats } = query;
    const groups = stats.groupsRead + stats.groupsSkipped;
    io.out(`5. query: ${query.ticker} from ${nanosToIso(query.fromNanos)} to ${nanosToIso(query.toNanos)} (store.scan with timeRange)`);
    io.out(`   ${count(query.rows)} candles in ${duration(query.firstMs)} (again: ${duration(query.repeatMs)}); expected ${count(query.expectedRows)}`);
    io.out(`   zone maps skipped ${stats.volumesSkipped} volume(s) and ${stats.groupsSkipped} of ${groups} row group(s); ${stats.groupsRead} group(s) read`);
    return query.rows === query.expectedRows ? 0 : 1;
  } finally {
    await store.close();
  }
}

async function demo(args: ParsedArgs, io: CommandIo): Promise<number> {
  const batchRows = positiveInteger(args, 'batch-rows', BATCH_ROWS);
  if (args.options.get('phase') === 'crash-child') {
    const dir = args.positionals[0];
    if (dir === undefined) throw new PermafrostError('ERR_INVALID_ARGUMENT', 'the crash-child phase needs a directory');
    return runCrashChild(resolve(dir), positiveInteger(args, 'from-rows', 1), batchRows, io);
  }
  if (args.options.has('phase')) throw new PermafrostError('ERR_INVALID_ARGUMENT', `unknown demo phase '${args.options.get('phase')}'`);
  const rows = positiveInteger(args, 'rows', DEFAULT_ROWS);
  const { dir, temporary } = await prepareDirectory(args.positionals[0]);
  const keep = !temporary || args.flags.has('keep');
  const timings: Timings = { ingestMs: 0, checkpointMs: 0, crashMs: 0, reopenMs: 0, checkMs: 0, queryMs: 0 };
  const started = performance.now();
  io.out(`permafrost demo: ${count(rows)} one-minute candles for ${DEFAULT_TICKERS.join(', ')} in ${dir}`);
  try {
    await ingestAndCheckpoint(dir, rows, io, timings);

    io.out(`3. crash: a child process commits more ${count(BATCH_ROWS)}-row batches; it is killed (SIGKILL) after ${KILL_AFTER_BATCHES} acknowledgements`);
    const crashStarted = performance.now();
    const crash = await crashChild(dir, rows, BATCH_ROWS, KILL_AFTER_BATCHES, (batch) => {
      io.out(`   child: acknowledged rows ${count(batch.firstId)}–${count(batch.lastId)} (commit LSN ${batch.commitLsn})`);
    });
    timings.crashMs = performance.now() - crashStarted;
    const lastAcknowledgedId = crash.acknowledged[crash.acknowledged.length - 1]!.lastId;
    io.out(`   killed pid ${crash.pid} with ${crash.signal} in the middle of its next batch`);

    const problems = await reopenAndCheck(dir, rows, lastAcknowledgedId, io, timings);
    const totalMs = performance.now() - started;
    io.out(
      `summary: ingest ${duration(timings.ingestMs)} (${rate(rows, timings.ingestMs)}), checkpoint ${duration(timings.checkpointMs)}, crash ${duration(timings.crashMs)}, ` +
        `reopen ${duration(timings.reopenMs)}, check ${duration(timings.checkMs)}, query ${duration(timings.queryMs)}; total ${duration(totalMs)}`,
    );
    io.out(problems === 0 ? 'result: no acknowledged row was lost' : `result: ${problems} problem(s) found`);
    if (keep) io.out(`the database is in ${dir}: try permafrost inspect ${dir} and permafrost verify ${dir}`);
    return problems === 0 ? 0 : 1;
  } finally {
    if (!keep) await rm(dir, { recursive: true, force: true });
  }
}

export const demoCommand: Command = {
  usage: '[dir] [--rows N] [--keep]',
  summary: `ingest ${count(DEFAULT_ROWS)} candlesticks durably, checkpoint, crash a writer with SIGKILL, recover, prove nothing acknowledged was lost, query a time range`,
  valueOptions: ['rows', 'phase', 'from-rows', 'batch-rows'],
  run: demo,
};
