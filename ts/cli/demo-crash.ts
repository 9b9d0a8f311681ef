/**
 * The demo's crash: a child process of this same CLI (`permafrost demo --phase crash-child`)
 * opens the store, keeps committing 1,000-row batches with `syncMode: 'full'` and prints a
 * line after each acknowledged commit; the parent SIGKILLs it after a few acknowledgements,
 * while it is in the middle of its next batch. No close, no checkpoint, no flush: whatever
 * the kill interrupts is left exactly as a crash leaves it.
 *
 * Protocol on the child's stdout: `ready`, then `ack <firstId> <lastId> <commitLsn>` per
 * batch (writes to a pipe are synchronous on Linux and macOS, so a line is out before the
 * next batch starts).
 */
import { spawn } from 'node:child_process';
import { extname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { PermafrostError } from '../errors';
import { Store } from '../store/store';
import { generateCandles, type Candle } from '../demo/candles';
import { DEMO_COMMITS_IN_FLIGHT, ingestCandles, type AcknowledgedBatch } from '../demo/ingest-candles';
import type { CommandIo } from './command';

/** Batches the child would commit if never killed (it always is, long before). */
const CHILD_BATCHES_MAX = 100_000;
/** How long the parent waits for the child's next line before giving up. */
const CHILD_SILENCE_LIMIT_MS = 120_000;

/** Every candle after the first `skipRows` of the demo's series. */
function* candlesAfter(skipRows: number, count: number): Generator<Candle> {
  let index = 0;
  for (const candle of generateCandles(skipRows + count)) {
    if (index >= skipRows) yield candle;
    index += 1;
  }
}

/** The child side: commit batches after row `fromRows` until killed. */
export async function runCrashChild(dir: string, fromRows: number, batchRows: number, io: CommandIo): Promise<number> {
  const store = await Store.open(dir, { syncMode: 'full', checkpointIntervalMs: 0, checkpointOnClose: false });
  io.out('ready');
  // Pipelined as the demo's ingest is: commits not yet acknowledged when the kill lands may
  // or may not be on disk, but only as whole batches after every acknowledged one.
  await ingestCandles(
    store,
    candlesAfter(fromRows, CHILD_BATCHES_MAX * batchRows),
    batchRows,
    (batch) => io.out(`ack ${batch.firstId} ${batch.lastId} ${batch.commitLsn}`),
    { inFlight: DEMO_COMMITS_IN_FLIGHT },
  );
  await store.close();
  return 0;
}

export interface CrashResult {
  readonly acknowledged: readonly AcknowledgedBatch[];
  readonly pid: number;
  readonly signal: string | null;
}

/** How to start this CLI again: the compiled `main.js`, or `main.ts` under tsx in a checkout. */
function cliCommand(): { args: string[]; cwd: string } {
  const extension = extname(__filename);
  const main = join(__dirname, `main${extension}`);
  return { args: extension === '.ts' ? ['--import=tsx', main] : [main], cwd: join(__dirname, '..', '..') };
}

/** The parent side: start the child, report each acknowledgement, kill it after `killAfter` of them. */
export function crashChild(dir: string, fromRows: number, batchRows: number, killAfter: number, onAck: (batch: AcknowledgedBatch) => void): Promise<CrashResult> {
  const { args, cwd } = cliCommand();
  const child = spawn(process.execPath, [...args, 'demo', '--phase', 'crash-child', dir, '--from-rows', String(fromRows), '--batch-rows', String(batchRows)], {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const acknowledged: AcknowledgedBatch[] = [];
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  return new Promise<CrashResult>((resolve, reject) => {
    let killed = false;
    let timer: NodeJS.Timeout | undefined;
    const quiet = (): void => {
      clearTimeout(timer);
      timer = setTimeout(() => child.kill('SIGKILL'), CHILD_SILENCE_LIMIT_MS);
    };
    quiet();
    createInterface({ input: child.stdout }).on('line', (line) => {
      quiet();
      const [kind, first, last, lsn] = line.split(' ');
      if (kind !== 'ack' || killed) return;
      const batch = { firstId: BigInt(first!), lastId: BigInt(last!), rows: Number(BigInt(last!) - BigInt(first!) + 1n), commitLsn: BigInt(lsn!) };
      acknowledged.push(batch);
      onAck(batch);
      if (acknowledged.length >= killAfter) {
        killed = true;
        child.kill('SIGKILL');
      }
    });
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new PermafrostError('ERR_IO', `cannot start the crash child: ${error.message}`, { cause: error }));
    });
    // 'close', not 'exit': by then stdout and stderr are drained, so an error message is whole.
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (killed && signal === 'SIGKILL') resolve({ acknowledged, pid: child.pid ?? 0, signal });
      else reject(new PermafrostError('ERR_INTERNAL', `the crash child ended on its own (exit ${code ?? signal}) after ${acknowledged.length} batch(es): ${stderr.trim() || 'no output'}`));
    });
  });
}
