/**
 * WAL benchmark (`npm run bench`, or `node --import=tsx bench/wal.bench.ts`). Rows are stoolap
 * RowVersion v2 payloads of (id, timestamp, price, short text), ≈ 90 bytes; files live in the
 * OS temp directory (the same disk for every contender).
 *
 * CPU-bound lines (appends, replay) are medians of RUNS interleaved runs. Durable lines are
 * *paired*: the contenders take turns on small chunks of work (order rotated per chunk) with
 * their files open throughout, so all of them see the same disk conditions; a ratio is the
 * median over chunks of ours / baseline for that chunk. fsync latency on a shared VM disk
 * varies by 10× within a minute, and pairing is what keeps the ratios meaningful.
 *
 * | line                     | ours                                   | baseline                                     | goal   |
 * |--------------------------|----------------------------------------|----------------------------------------------|--------|
 * | unsynced appends         | recordDml × N + commit, sync `none`    | fs.writeSync of each entry's bytes           | ≥ 2.5× |
 * | durable commits, serial  | recordDml + await commit, sync `full`  | writeSync + fdatasyncSync of the same bytes  | ≥ 0.9× |
 * | group commit (16 / 64)   | concurrent committers, sync `full`     | lmdb-js durable async puts, same concurrency | ≥ 2×   |
 * | 1,000-row transactions   | 1,000 recordDml + commit, sync `full`  | better-sqlite3 WAL, synchronous=FULL         | ≥ 3×   |
 * | replay                   | replayTwoPhase after open              | (absolute)                                   | ≥ 5 M/s |
 *
 * Peers (devDependencies `better-sqlite3`, `lmdb`) are skipped with a note when not installed.
 */
import { closeSync, fdatasyncSync, openSync, readFileSync, readdirSync, writeSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeRowVersion } from '../ts/codec/row-version';
import { Timestamp } from '../ts/codec/values';
import { PersistenceManager } from '../ts/persistence/persistence-manager';
import { WalOperation } from '../ts/wal/wal-constants';
import { decodeWalEntries } from '../ts/wal/wal-reader';

const RUNS = Number(process.env['PERMAFROST_BENCH_RUNS'] ?? 5);
const CHUNKS = Number(process.env['PERMAFROST_BENCH_CHUNKS'] ?? 12);
const APPENDS = 200_000;

function row(id: number): Buffer {
  return encodeRowVersion({
    txnId: 1n,
    deletedAtTxnId: 0n,
    createTime: 0n,
    values: [BigInt(id), new Timestamp(1_774_000_000n + BigInt(id), 0), id * 0.25, `sym${id % 997}`],
  });
}
const ROWS = Array.from({ length: 1000 }, (_, i) => row(i));

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}
const now = (): number => Number(process.hrtime.bigint()) / 1e9;

async function withDir<T>(work: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'permafrost-bench-'));
  try {
    return await work(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- CPU-bound lines

/** Ours: N appends through the public API (sync none), handed to the OS by the commit. */
async function oursAppends(dir: string): Promise<{ perSecond: number; entryBytes: Buffer[] }> {
  const pm = await PersistenceManager.open(dir, { syncMode: 'none', walMaxFileBytes: 1 << 30 });
  const txn = pm.allocateTxnId();
  const start = now();
  for (let i = 0; i < APPENDS; i += 1) pm.recordDml(txn, 'bench', BigInt(i), WalOperation.Insert, ROWS[i % 1000]!);
  await pm.commit(txn);
  const seconds = now() - start;
  await pm.close();
  const walDir = join(dir, 'wal');
  const file = readFileSync(join(walDir, readdirSync(walDir).find((name) => name.endsWith('.log'))!));
  const entryBytes = decodeWalEntries(file).map((entry) => file.subarray(entry.offset, entry.offset + entry.sizeBytes));
  return { perSecond: APPENDS / seconds, entryBytes };
}

/** Raw: the same entry bytes, one fs.writeSync per entry. */
function rawAppends(dir: string, entries: readonly Buffer[]): number {
  const fd = openSync(join(dir, 'raw.log'), 'w');
  const start = now();
  let position = 0;
  for (const bytes of entries) position += writeSync(fd, bytes, 0, bytes.length, position);
  const seconds = now() - start;
  closeSync(fd);
  return entries.length / seconds;
}

/** Replay after open (phase 2; phase 1 ran at open), and open + replay end to end. */
async function oursReplay(dir: string, readPayloads: boolean): Promise<{ replay: number; openAndReplay: number }> {
  const opened = now();
  const pm = await PersistenceManager.open(dir);
  let count = 0;
  let bytes = 0;
  const start = now();
  await pm.replayTwoPhase(0n, (entry) => {
    count += 1;
    if (readPayloads) bytes += entry.payload.length;
  });
  const end = now();
  await pm.close();
  if (readPayloads && bytes === 0) throw new Error('no payload bytes read');
  return { replay: count / (end - start), openAndReplay: count / (end - opened) };
}

// ---------------------------------------------------------------- paired durable lines

/** Something that does durable work in chunks; `run` returns the items (commits or rows) done. */
interface Contender {
  readonly name: string;
  open(dir: string): Promise<void>;
  run(chunk: number): Promise<number>;
  close(): Promise<void>;
}

/** Ours, sync full: `committers` concurrent committers, each transaction `rowsPerTxn` rows. */
function oursDurable(committers: number, rowsPerTxn: number): Contender {
  let pm: PersistenceManager | undefined;
  return {
    name: `ours x${committers}, ${rowsPerTxn} row(s)/txn`,
    async open(dir) {
      pm = await PersistenceManager.open(join(dir, `ours-${committers}-${rowsPerTxn}`), { syncMode: 'full' });
    },
    async run(txnsPerCommitter) {
      await Promise.all(
        Array.from({ length: committers }, async () => {
          for (let t = 0; t < txnsPerCommitter; t += 1) {
            const txn = pm!.allocateTxnId();
            for (let i = 0; i < rowsPerTxn; i += 1) pm!.recordDml(txn, 'bench', BigInt(i), WalOperation.Insert, ROWS[i % 1000]!);
            await pm!.commit(txn);
          }
        }),
      );
      return committers * txnsPerCommitter * rowsPerTxn;
    },
    async close() {
      await pm?.close();
    },
  };
}

/** Raw: the bytes of one of our 1-row commits, written and fdatasynced per commit. */
function rawDurable(commitBytes: Buffer): Contender {
  let fd = -1;
  let position = 0;
  return {
    name: 'raw write+fdatasync',
    async open(dir) {
      fd = openSync(join(dir, 'raw-sync.log'), 'w');
    },
    async run(commits) {
      for (let i = 0; i < commits; i += 1) {
        position += writeSync(fd, commitBytes, 0, commitBytes.length, position);
        fdatasyncSync(fd);
      }
      return commits;
    },
    async close() {
      closeSync(fd);
    },
  };
}

/** The part of better-sqlite3's API the benchmark uses (no @types dependency needed). */
interface SqliteDatabase {
  pragma(source: string): unknown;
  exec(source: string): void;
  prepare(source: string): { run(...parameters: unknown[]): unknown };
  transaction<A extends unknown[]>(body: (...args: A) => void): (...args: A) => void;
  close(): void;
}
type SqliteConstructor = new (path: string) => SqliteDatabase;
interface LmdbDatabase {
  put(key: number, value: Uint8Array): Promise<boolean>;
  transactionSync(body: () => void): void;
  close(): Promise<void>;
}
type LmdbOpen = (options: { path: string; compression: boolean; overlappingSync: boolean }) => LmdbDatabase;

/* eslint-disable @typescript-eslint/no-require-imports -- optional peers, loaded only if installed */
function loadPeer<T>(name: string, notes: string[]): T | undefined {
  try {
    return require(name) as T;
  } catch (error) {
    notes.push(`${name} not measured: ${(error as Error).message.split('\n')[0]}`);
    return undefined;
  }
}
/* eslint-enable @typescript-eslint/no-require-imports */

/** better-sqlite3, WAL journal, one transaction of `rowsPerTxn` rows per item. */
function sqlite(Database: SqliteConstructor, synchronous: 'FULL' | 'NORMAL', rowsPerTxn: number): Contender {
  let db: SqliteDatabase | undefined;
  let batch: ((base: number) => void) | undefined;
  let next = 0;
  return {
    name: `better-sqlite3 ${synchronous}, ${rowsPerTxn} row(s)/txn`,
    async open(dir) {
      db = new Database(join(dir, `sqlite-${synchronous}-${rowsPerTxn}.db`));
      db.pragma('journal_mode = WAL');
      db.pragma(`synchronous = ${synchronous}`);
      db.exec('CREATE TABLE bench (id INTEGER PRIMARY KEY, payload BLOB)');
      const insert = db.prepare('INSERT INTO bench VALUES (?, ?)');
      batch = db.transaction((base: number) => {
        for (let i = 0; i < rowsPerTxn; i += 1) insert.run(base + i, ROWS[i % 1000]);
      });
    },
    async run(txns) {
      for (let t = 0; t < txns; t += 1) batch!((next += rowsPerTxn));
      return txns * rowsPerTxn;
    },
    async close() {
      db?.close();
    },
  };
}

/** lmdb-js with overlappingSync off, so every resolved write is flushed (durable). */
function lmdbSync(open: LmdbOpen, rowsPerTxn: number): Contender {
  let db: LmdbDatabase | undefined;
  let next = 0;
  return {
    name: `lmdb-js transactionSync, ${rowsPerTxn} row(s)/txn`,
    async open(dir) {
      db = open({ path: join(dir, `lmdb-sync-${rowsPerTxn}`), compression: false, overlappingSync: false });
    },
    async run(txns) {
      for (let t = 0; t < txns; t += 1) {
        db!.transactionSync(() => {
          for (let i = 0; i < rowsPerTxn; i += 1) void db!.put((next += 1), ROWS[i % 1000]!);
        });
      }
      return txns * rowsPerTxn;
    },
    async close() {
      await db?.close();
    },
  };
}

/** lmdb-js async puts (auto-batched), overlappingSync off: a resolved put is durable. */
function lmdbAsync(open: LmdbOpen, committers: number): Contender {
  let db: LmdbDatabase | undefined;
  let next = 0;
  return {
    name: `lmdb-js async put x${committers}`,
    async open(dir) {
      db = open({ path: join(dir, `lmdb-async-${committers}`), compression: false, overlappingSync: false });
    },
    async run(putsPerCommitter) {
      await Promise.all(
        Array.from({ length: committers }, async () => {
          for (let i = 0; i < putsPerCommitter; i += 1) await db!.put((next += 1), ROWS[i % 1000]!);
        }),
      );
      return committers * putsPerCommitter;
    },
    async close() {
      await db?.close();
    },
  };
}

/** Runs `contenders` in alternating chunks; returns each one's items/s per chunk. */
async function paired(contenders: readonly Contender[], chunk: number): Promise<Map<string, number[]>> {
  const rates = new Map<string, number[]>(contenders.map((contender) => [contender.name, []]));
  await withDir(async (dir) => {
    for (const contender of contenders) await contender.open(dir);
    try {
      for (const contender of contenders) await contender.run(Math.max(1, Math.floor(chunk / 4))); // warm-up
      for (let c = 0; c < CHUNKS; c += 1) {
        for (let k = 0; k < contenders.length; k += 1) {
          const contender = contenders[(c + k) % contenders.length]!;
          const start = now();
          const items = await contender.run(chunk);
          rates.get(contender.name)!.push(items / (now() - start));
        }
      }
    } finally {
      for (const contender of contenders) await contender.close();
    }
  });
  return rates;
}

/** Median over chunks of ours / baseline, chunk by chunk. */
function pairedRatio(rates: Map<string, number[]>, ours: string, baseline: string): number | undefined {
  const a = rates.get(ours);
  const b = rates.get(baseline);
  if (a === undefined || b === undefined) return undefined;
  return median(a.map((rate, c) => rate / b[c]!));
}

// ---------------------------------------------------------------- report

function line(label: string, value: string, goal: string): void {
  console.log(`  ${label.padEnd(64)} ${value.padStart(12)}  ${goal}`);
}

function ratioLine(label: string, ratio: number | undefined, goal: number | undefined): void {
  if (ratio === undefined) return;
  const target = goal === undefined ? '(context)' : `≥ ${goal}×${ratio >= goal ? '' : '  (below goal)'}`;
  line(label, `${ratio.toFixed(2)}×`, target);
}

export async function run(): Promise<void> {
  const notes: string[] = [];
  const Database = loadPeer<SqliteConstructor>('better-sqlite3', notes);
  const lmdbOpen = loadPeer<{ open: LmdbOpen }>('lmdb', notes)?.open;

  // CPU-bound: appends and replay, RUNS interleaved runs (one discarded warm-up).
  const cpu = new Map<string, number[]>();
  const push = (name: string, value: number) => cpu.set(name, [...(cpu.get(name) ?? []), value]);
  let commitBytes: Buffer | undefined;
  for (let round = 0; round <= RUNS; round += 1) {
    await withDir(async (dir) => {
      const appends = await oursAppends(dir);
      const raw = rawAppends(dir, appends.entryBytes);
      const replay = await oursReplay(dir, false);
      const withPayloads = await oursReplay(dir, true);
      commitBytes ??= Buffer.concat(appends.entryBytes.slice(0, 2));
      if (round === 0) return;
      push('appends ours', appends.perSecond);
      push('appends raw', raw);
      push('ratio appends', appends.perSecond / raw);
      push('replay', replay.replay);
      push('replay payloads', withPayloads.replay);
      push('open+replay', replay.openAndReplay);
    });
  }

  // Durable: paired chunks.
  const serial = await paired(
    [
      oursDurable(1, 1),
      rawDurable(commitBytes!),
      ...(Database ? [sqlite(Database, 'FULL', 1)] : []),
      ...(lmdbOpen ? [lmdbSync(lmdbOpen, 1)] : []),
    ],
    40,
  );
  const group16 = await paired([oursDurable(16, 1), ...(lmdbOpen ? [lmdbAsync(lmdbOpen, 16)] : [])], 16);
  const group64 = await paired([oursDurable(64, 1), ...(lmdbOpen ? [lmdbAsync(lmdbOpen, 64)] : [])], 8);
  const big = await paired(
    [
      oursDurable(1, 1000),
      ...(Database ? [sqlite(Database, 'FULL', 1000), sqlite(Database, 'NORMAL', 1000)] : []),
      ...(lmdbOpen ? [lmdbSync(lmdbOpen, 1000)] : []),
    ],
    2,
  );

  console.log(`\nWAL benchmark (${tmpdir()}): CPU lines are medians of ${RUNS} runs, durable lines medians of ${CHUNKS} paired chunks`);
  line('unsynced appends, ours (entries/s)', Math.round(median(cpu.get('appends ours')!)).toLocaleString('en-US'), '');
  line('unsynced appends, raw per-entry writeSync (entries/s)', Math.round(median(cpu.get('appends raw')!)).toLocaleString('en-US'), '');
  for (const [title, rates] of [
    ['serial', serial],
    ['group 16', group16],
    ['group 64', group64],
    ['1000-row', big],
  ] as const) {
    for (const [name, values] of rates) line(`${title}: ${name} (items/s)`, Math.round(median(values)).toLocaleString('en-US'), '');
  }
  console.log('');
  ratioLine('unsynced appends vs raw per-entry writeSync', median(cpu.get('ratio appends')!), 2.5);
  ratioLine('serial durable commits vs raw write+fdatasync', pairedRatio(serial, 'ours x1, 1 row(s)/txn', 'raw write+fdatasync'), 0.9);
  ratioLine('serial durable commits vs better-sqlite3 FULL', pairedRatio(serial, 'ours x1, 1 row(s)/txn', 'better-sqlite3 FULL, 1 row(s)/txn'), undefined);
  ratioLine('serial durable commits vs lmdb-js transactionSync', pairedRatio(serial, 'ours x1, 1 row(s)/txn', 'lmdb-js transactionSync, 1 row(s)/txn'), undefined);
  ratioLine('group commit (16) vs lmdb-js durable async puts', pairedRatio(group16, 'ours x16, 1 row(s)/txn', 'lmdb-js async put x16'), 2);
  ratioLine('group commit (64) vs lmdb-js durable async puts', pairedRatio(group64, 'ours x64, 1 row(s)/txn', 'lmdb-js async put x64'), 2);
  ratioLine('1,000-row transactions vs better-sqlite3 FULL', pairedRatio(big, 'ours x1, 1000 row(s)/txn', 'better-sqlite3 FULL, 1000 row(s)/txn'), 3);
  ratioLine('1,000-row transactions vs better-sqlite3 NORMAL (not durable)', pairedRatio(big, 'ours x1, 1000 row(s)/txn', 'better-sqlite3 NORMAL, 1000 row(s)/txn'), undefined);
  ratioLine('1,000-row transactions vs lmdb-js transactionSync', pairedRatio(big, 'ours x1, 1000 row(s)/txn', 'lmdb-js transactionSync, 1000 row(s)/txn'), undefined);
  line('replay after open (entries/s)', `${(median(cpu.get('replay')!) / 1e6).toFixed(2)} M`, '≥ 5 M');
  line('replay reading every payload (entries/s)', `${(median(cpu.get('replay payloads')!) / 1e6).toFixed(2)} M`, '(context)');
  line('open (phase 1) + replay (entries/s)', `${(median(cpu.get('open+replay')!) / 1e6).toFixed(2)} M`, '(context)');
  for (const note of notes) console.log(`  note: ${note}`);
}

if (require.main === module) void run();
