/**
 * Store benchmark (`npm run bench`, or standalone: `node --import=tsx bench/store.bench.ts
 * [--quick] [--runs N] [--only ingest|scan|recovery]`). Everything goes through the public `Store` API; peers are in
 * store-peers.ts. Each figure is the median of the runs; each ratio is the median over runs
 * of ours / peer measured in the same run, interleaved, on the same disk (the OS temp dir).
 *
 * | section   | ours                                                  | peer                                              | goal    |
 * |-----------|-------------------------------------------------------|---------------------------------------------------|---------|
 * | ingest    | candles in 1,000-row transactions, `syncMode: 'full'` | better-sqlite3 WAL + synchronous=FULL; lmdb-js     | ≥ 3× SQLite |
 * | scan      | one day (1,440 rows) of a 525,600-row year, sealed in volumes, `store.scan` with `timeRange` | better-sqlite3, index on time, `SELECT *` of the same day | ≥ 5× |
 * | recovery  | `Store.open` with 10k–200k rows in the WAL since the last checkpoint, with 0 or 1 M rows sealed | —       | linear in the WAL, not in the data |
 */
import { mkdtemp, rm, stat, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from '../ts/store/store';
import { CANDLE_SCHEMA, generateCandles, type Candle } from '../ts/demo/candles';
import { ingestCandles, type IngestOptions } from '../ts/demo/ingest-candles';
import { loadPeers, type Peers } from './store-peers';

export interface BenchTable {
  readonly title: string;
  readonly columns: readonly string[];
  readonly rows: ReadonlyArray<ReadonlyArray<string | number>>;
  readonly notes?: readonly string[];
}

/** A subset of `bench/harness.ts`'s BenchOptions, so `bench/main.ts` can pass its own. */
export interface StoreBenchOptions {
  readonly runs?: number;
  readonly quick?: boolean;
  /** One section only (standalone runs: `--only ingest|scan|recovery`). */
  readonly only?: 'ingest' | 'scan' | 'recovery' | undefined;
  report?(table: BenchTable): void;
}

const BATCH_ROWS = 1_000;
const YEAR_MINUTES = 525_600;
const DAY_MINUTES = 1_440;
const QUERY_DAYS = 20;
const SETUP_BATCH_ROWS = 10_000;
const TABLE = CANDLE_SCHEMA.tableName;

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};
const fixed = (value: number, digits = 2): string => value.toFixed(digits);
const thousands = (value: number): string => Math.round(value).toLocaleString('en-US');

async function withDir<T>(work: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'permafrost-bench-'));
  try {
    return await work(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function directoryBytes(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    total += entry.isDirectory() ? await directoryBytes(path) : (await stat(path)).size;
  }
  return total;
}

/** Loads rows fast for setup (not measured): no fsync per commit, large transactions. */
async function load(store: Store, candles: Iterable<Candle>): Promise<void> {
  await ingestCandles(store, candles, SETUP_BATCH_ROWS);
}

async function oursIngest(dir: string, candles: readonly Candle[], options: IngestOptions = {}): Promise<number> {
  const store = await Store.open(dir, { syncMode: 'full', checkpointIntervalMs: 0, checkpointOnClose: false });
  try {
    await store.createTable(CANDLE_SCHEMA);
    const started = performance.now();
    await ingestCandles(store, candles, BATCH_ROWS, undefined, options);
    return performance.now() - started;
  } finally {
    await store.close();
  }
}

/** Commits allowed to wait for the disk at once in the pipelined rows. */
const PIPELINED_DEPTHS = [4, 8, 16] as const;
const OURS = {
  columns: 'permafrost insertColumns, each commit awaited',
  pipelined: (depth: number) => `permafrost insertColumns, ${depth} commits in flight`,
  rows: 'permafrost insert (one call per row), each commit awaited',
} as const;

/** Durable ingest of the same rows, interleaved: ours (three ways), better-sqlite3, lmdb-js (rotating order). */
async function ingestSection(peers: Peers, runs: number, rows: number): Promise<BenchTable> {
  const candles = [...generateCandles(rows)];
  const subjects: Array<[string, (dir: string) => Promise<number>]> = [
    [OURS.columns, (dir) => oursIngest(dir, candles)],
    ...PIPELINED_DEPTHS.map((depth): [string, (dir: string) => Promise<number>] => [OURS.pipelined(depth), (dir) => oursIngest(dir, candles, { inFlight: depth })]),
    [OURS.rows, (dir) => oursIngest(dir, candles, { api: 'rows' })],
  ];
  if (peers.sqlite) subjects.push(['better-sqlite3', async (dir) => peers.sqlite!.ingest(dir, candles, BATCH_ROWS)]);
  if (peers.lmdb) subjects.push(['lmdb-js', (dir) => peers.lmdb!.ingest(dir, candles, BATCH_ROWS)]);
  const rates = new Map<string, number[]>(subjects.map(([name]) => [name, []]));
  for (const api of ['columns', 'rows'] as const) await withDir((dir) => oursIngest(dir, candles.slice(0, 20_000), { api })); // warm-up: JIT, page cache
  for (let run = 0; run < runs; run += 1) {
    for (let k = 0; k < subjects.length; k += 1) {
      const [name, ingest] = subjects[(k + run) % subjects.length]!;
      const ms = await withDir(ingest);
      rates.get(name)!.push(rows / (ms / 1000));
    }
  }
  const ratioTo = (peer: string | undefined, name: string): string => {
    const theirs = peer === undefined ? undefined : rates.get(peer);
    if (theirs === undefined || peer === name) return '';
    return fixed(median(rates.get(name)!.map((rate, run) => rate / theirs[run]!)));
  };
  const sqlite = peers.sqlite ? 'better-sqlite3' : undefined;
  const lmdb = peers.lmdb ? 'lmdb-js' : undefined;
  const table = subjects.map(([name]) => [name, thousands(median(rates.get(name)!)), ratioTo(sqlite, name), ratioTo(lmdb, name)]);
  return {
    title: `Durable ingest: ${thousands(rows)} candles in ${thousands(BATCH_ROWS)}-row transactions (median of ${runs})`,
    columns: ['system', 'rows/s', '÷ better-sqlite3 FULL', '÷ lmdb-js'],
    rows: table,
    notes: [
      "permafrost: syncMode 'full' (a commit resolves only once fdatasynced); better-sqlite3: WAL, synchronous=FULL (synchronous API: one transaction at a time); lmdb-js: default synced commits, one awaited transaction per batch",
      `"N commits in flight": the next batches are prepared while earlier commits wait for the disk (group commit); every batch is still acknowledged only once durable`,
    ],
  };
}

const DAY_NANOS = BigInt(DAY_MINUTES) * 60_000_000_000n;
const SERIES_START_NANOS = 1_735_689_600_000_000_000n;

/** One day out of a year of one ticker's minutes, sealed in volumes, against SQLite with an index on time. */
async function scanSection(peers: Peers, runs: number): Promise<BenchTable> {
  return withDir(async (dir) => {
    const candles = [...generateCandles(YEAR_MINUTES, { tickers: ['AAPL'] })];
    const store = await Store.open(join(dir, 'store'), { syncMode: 'none', checkpointIntervalMs: 0, checkpointOnClose: false });
    await store.createTable(CANDLE_SCHEMA);
    await load(store, candles);
    await store.checkpoint();
    const sqlite = peers.sqlite?.openRangeTable(dir, candles);
    const days = Array.from({ length: QUERY_DAYS }, (_, k) => (k * 17 + 3) % 365);
    const ours = (day: number): number => {
      const from = SERIES_START_NANOS + BigInt(day) * DAY_NANOS;
      let rows = 0;
      for (const row of store.scan(TABLE, { timeRange: { from, to: from + DAY_NANOS } })) rows += row.values.length > 0 ? 1 : 0;
      return rows;
    };
    const theirs = (day: number): number => {
      const fromMicros = Number((SERIES_START_NANOS + BigInt(day) * DAY_NANOS) / 1000n);
      return sqlite!.query(fromMicros, fromMicros + DAY_MINUTES * 60_000_000).length;
    };
    const time = (query: (day: number) => number): number => {
      const started = performance.now();
      for (const day of days) if (query(day) !== DAY_MINUTES) throw new Error('a day query returned the wrong number of rows');
      return (performance.now() - started) / days.length;
    };
    time(ours); // warm-up: the first query of each group decompresses it
    if (sqlite) time(theirs);
    const oursMs: number[] = [];
    const theirMs: number[] = [];
    for (let run = 0; run < runs; run += 1) {
      if (run % 2 === 0) {
        oursMs.push(time(ours));
        if (sqlite) theirMs.push(time(theirs));
      } else {
        if (sqlite) theirMs.push(time(theirs));
        oursMs.push(time(ours));
      }
    }
    const reopenedMs = await firstQueryAfterReopen(store, join(dir, 'store'));
    sqlite?.close();
    const rows: Array<Array<string | number>> = [['permafrost (volumes, zone maps)', fixed(median(oursMs), 3), thousands(DAY_MINUTES / (median(oursMs) / 1000)), '1']];
    if (sqlite) rows.push(['better-sqlite3 (index on time)', fixed(median(theirMs), 3), thousands(DAY_MINUTES / (median(theirMs) / 1000)), fixed(median(oursMs.map((ms, run) => theirMs[run]! / ms)))]);
    return {
      title: `Time-range scan: one day (1,440 rows) of a year of one ticker's minutes (525,600 rows), ${QUERY_DAYS} different days per run, median of ${runs}`,
      columns: ['system', 'ms per query', 'rows/s', 'permafrost speed ÷ system'],
      rows,
      notes: [`every row materialised (all 8 columns); warm (after one pass over the days). First query after a reopen of the store: ${fixed(reopenedMs, 1)} ms.`],
    };
  });
}

async function firstQueryAfterReopen(store: Store, path: string): Promise<number> {
  await store.close();
  const reopened = await Store.open(path, { checkpointIntervalMs: 0, checkpointOnClose: false });
  try {
    const from = SERIES_START_NANOS + 100n * DAY_NANOS;
    const started = performance.now();
    for (const _ of reopened.scan(TABLE, { timeRange: { from, to: from + DAY_NANOS } }));
    return performance.now() - started;
  } finally {
    await reopened.close();
  }
}

/** A store whose WAL can be grown step by step: `sealed` candles in volumes, then the next ones logged. */
class RecoveryFixture {
  readonly #series: Generator<Candle>;
  #inWal = 0;

  private constructor(
    readonly dir: string,
    readonly sealed: number,
    series: Generator<Candle>,
  ) {
    this.#series = series;
  }

  static async create(dir: string, sealed: number): Promise<RecoveryFixture> {
    const fixture = new RecoveryFixture(dir, sealed, generateCandles(Number.MAX_SAFE_INTEGER));
    const store = await Store.open(dir, { syncMode: 'none', checkpointIntervalMs: 0, checkpointOnClose: false });
    await store.createTable(CANDLE_SCHEMA);
    if (sealed > 0) {
      await load(store, fixture.#take(sealed));
      await store.checkpoint();
    }
    await store.close();
    return fixture;
  }

  #take(count: number): Candle[] {
    return Array.from({ length: count }, () => this.#series.next().value as Candle);
  }

  /** Logs candles (no checkpoint) until `rows` are in the WAL since the last checkpoint. */
  async growWalTo(rows: number): Promise<void> {
    if (rows <= this.#inWal) return;
    const store = await Store.open(this.dir, { syncMode: 'none', checkpointIntervalMs: 0, checkpointOnClose: false });
    await load(store, this.#take(rows - this.#inWal));
    await store.close();
    this.#inWal = rows;
  }

  /** One open (recovery) and close; the close does not checkpoint, so the WAL stays as it is. */
  async timeOpen(): Promise<{ ms: number; rowsReplayed: number }> {
    const started = performance.now();
    const store = await Store.open(this.dir, { checkpointIntervalMs: 0, checkpointOnClose: false });
    const ms = performance.now() - started;
    const rowsReplayed = store.recovery.rowsReplayed;
    await store.close();
    return { ms, rowsReplayed };
  }
}

/**
 * Open time as the WAL since the last checkpoint grows, for a store with nothing sealed and
 * one with `sealed` rows in volumes, opened alternately (same-run ratio).
 */
async function recoverySection(runs: number, walSteps: readonly number[], sealed: number): Promise<BenchTable> {
  return withDir(async (dir) => {
    const empty = await RecoveryFixture.create(join(dir, 'empty'), 0);
    const big = await RecoveryFixture.create(join(dir, 'big'), sealed);
    const rows: Array<Array<string | number>> = [];
    for (const step of walSteps) {
      await empty.growWalTo(step);
      await big.growWalTo(step);
      const emptyMs: number[] = [];
      const bigMs: number[] = [];
      let replayed = 0;
      for (let run = 0; run < runs; run += 1) {
        const pair = run % 2 === 0 ? [empty, big] : [big, empty];
        for (const fixture of pair) {
          const { ms, rowsReplayed } = await fixture.timeOpen();
          (fixture === empty ? emptyMs : bigMs).push(ms);
          if (fixture === empty) replayed = rowsReplayed;
        }
      }
      const walBytes = await directoryBytes(join(empty.dir, 'wal'));
      const perRow = replayed === 0 ? '-' : fixed((median(emptyMs) * 1000) / replayed, 2);
      rows.push([thousands(replayed), `${fixed(walBytes / 1048576, 1)} MiB`, fixed(median(emptyMs), 1), fixed(median(bigMs), 1), fixed(median(bigMs.map((ms, run) => ms / emptyMs[run]!))), perRow]);
    }
    return {
      title: `Recovery: Store.open time vs rows in the WAL since the last checkpoint (median of ${runs} opens, alternating)`,
      columns: ['WAL rows replayed', 'WAL size', 'open ms, nothing sealed', `open ms, ${thousands(sealed)} rows sealed`, 'sealed ÷ nothing sealed', 'µs per WAL row'],
      rows,
      notes: ['open = lock, WAL scan and two-phase replay, manifests read, volume files read and CRC-checked (the only part that grows with the sealed data)'],
    };
  });
}

function print(table: BenchTable): void {
  const widths = table.columns.map((column, index) => Math.max(column.length, ...table.rows.map((row) => String(row[index]).length)));
  const line = (cells: ReadonlyArray<string | number>): string => `| ${cells.map((cell, index) => String(cell).padEnd(widths[index]!)).join(' | ')} |`;
  console.log(`### ${table.title}\n`);
  console.log(line(table.columns));
  console.log(`|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`);
  for (const row of table.rows) console.log(line(row));
  for (const note of table.notes ?? []) console.log(`\n${note}`);
  console.log('');
}

export async function run(options: StoreBenchOptions = {}): Promise<void> {
  const runs = Math.max(3, options.runs ?? 5);
  const quick = options.quick ?? false;
  const report = options.report?.bind(options) ?? print;
  const peers = loadPeers();
  for (const note of peers.notes) console.log(`note: ${note}`);
  const only = options.only;
  if (only === undefined || only === 'ingest') report(await ingestSection(peers, runs, quick ? 50_000 : 200_000));
  if (only === undefined || only === 'scan') report(await scanSection(peers, runs));
  if (only === undefined || only === 'recovery') report(await recoverySection(runs, quick ? [0, 10_000, 50_000] : [0, 10_000, 50_000, 200_000], quick ? 262_144 : 1_048_576));
}

if (require.main === module) {
  const argv = process.argv.slice(2);
  const runsAt = argv.indexOf('--runs');
  const onlyAt = argv.indexOf('--only');
  const only = onlyAt >= 0 ? (argv[onlyAt + 1] as StoreBenchOptions['only']) : undefined;
  void run({ quick: argv.includes('--quick'), runs: runsAt >= 0 ? Number(argv[runsAt + 1]) : 5, only }).catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
