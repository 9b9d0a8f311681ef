/**
 * WAL benchmark (`npm run bench`, or `node --import=tsx bench/wal.bench.ts`). Every figure is
 * the median of RUNS interleaved runs; every ratio is ours / baseline measured in the same
 * run on the same disk (the OS temp directory). Rows are stoolap RowVersion v2 payloads of
 * (id, timestamp, price, short text), ≈ 90 bytes.
 *
 * | line                         | ours                                   | baseline                                     | goal  |
 * |------------------------------|----------------------------------------|----------------------------------------------|-------|
 * | unsynced appends             | recordDml × N + commit, sync `none`    | fs.writeSync of each entry's bytes           | ≥ 2.5× |
 * | durable commits, serial      | recordDml + await commit, sync `full`  | writeSync + fdatasyncSync of the same bytes  | ≥ 0.9× |
 * | group commit (16 / 64)       | concurrent committers, sync `full`     | lmdb-js durable async puts, same concurrency | ≥ 2×   |
 * | 1,000-row transactions       | 1,000 recordDml + commit, sync `full`  | better-sqlite3 WAL, synchronous=FULL         | ≥ 3×   |
 * | replay                       | replayTwoPhase over the appended WAL   | (absolute; also reading payloads, and open+replay) | ≥ 5 M/s |
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
const APPENDS = 200_000;
const SERIAL_COMMITS = 1_000;
const GROUP_COMMITS = 6_400;
const BIG_TXNS = 20;

function row(id: number): Buffer {
  return encodeRowVersion({
    txnId: 1n,
    deletedAtTxnId: 0n,
    createTime: 0n,
    values: [BigInt(id), new Timestamp(1_774_000_000n + BigInt(id), 0), id * 0.25, `sym${id % 997}`],
  });
}
const ROWS = Array.from({ length: 1000 }, (_, i) => row(i));

function median(values: number[]): number {
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

async function oursSerialCommits(dir: string): Promise<number> {
  const pm = await PersistenceManager.open(dir, { syncMode: 'full' });
  const start = now();
  for (let i = 0; i < SERIAL_COMMITS; i += 1) {
    const txn = pm.allocateTxnId();
    pm.recordDml(txn, 'bench', BigInt(i), WalOperation.Insert, ROWS[i % 1000]!);
    await pm.commit(txn);
  }
  const seconds = now() - start;
  await pm.close();
  return SERIAL_COMMITS / seconds;
}

/** Raw: each commit's bytes (an Insert entry and a Commit entry, ≈ 220 B) written and fdatasynced. */
function rawSerialCommits(dir: string, commitBytes: Buffer): number {
  const fd = openSync(join(dir, 'raw-sync.log'), 'w');
  const start = now();
  let position = 0;
  for (let i = 0; i < SERIAL_COMMITS; i += 1) {
    position += writeSync(fd, commitBytes, 0, commitBytes.length, position);
    fdatasyncSync(fd);
  }
  const seconds = now() - start;
  closeSync(fd);
  return SERIAL_COMMITS / seconds;
}

async function oursGroupCommits(dir: string, committers: number): Promise<number> {
  const pm = await PersistenceManager.open(dir, { syncMode: 'full' });
  const perCommitter = GROUP_COMMITS / committers;
  const start = now();
  await Promise.all(
    Array.from({ length: committers }, async (_, c) => {
      for (let i = 0; i < perCommitter; i += 1) {
        const txn = pm.allocateTxnId();
        pm.recordDml(txn, 'bench', BigInt(c * perCommitter + i), WalOperation.Insert, ROWS[i % 1000]!);
        await pm.commit(txn);
      }
    }),
  );
  const seconds = now() - start;
  await pm.close();
  return GROUP_COMMITS / seconds;
}

async function oursBigTransactions(dir: string): Promise<number> {
  const pm = await PersistenceManager.open(dir, { syncMode: 'full' });
  const start = now();
  for (let t = 0; t < BIG_TXNS; t += 1) {
    const txn = pm.allocateTxnId();
    for (let i = 0; i < 1000; i += 1) pm.recordDml(txn, 'bench', BigInt(t * 1000 + i), WalOperation.Insert, ROWS[i]!);
    await pm.commit(txn);
  }
  const seconds = now() - start;
  await pm.close();
  return (BIG_TXNS * 1000) / seconds;
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

/** The part of better-sqlite3's API the benchmark uses (no @types dependency needed). */
interface SqliteDatabase {
  pragma(source: string): unknown;
  exec(source: string): void;
  prepare(source: string): { run(...parameters: unknown[]): unknown };
  transaction<A extends unknown[]>(body: (...args: A) => void): (...args: A) => void;
  close(): void;
}
type SqliteConstructor = new (path: string) => SqliteDatabase;

interface Peers {
  sqlite?: (dir: string, synchronous: 'FULL' | 'NORMAL', rowsPerTxn: number, txns: number) => number;
  lmdbAsync?: (dir: string, committers: number, puts: number) => Promise<number>;
  lmdbSync?: (dir: string, rowsPerTxn: number, txns: number) => Promise<number>;
  notes: string[];
}

/* eslint-disable @typescript-eslint/no-require-imports -- optional peers, loaded only if installed */
function loadPeers(): Peers {
  const peers: Peers = { notes: [] };
  try {
    const Database = require('better-sqlite3') as SqliteConstructor;
    peers.sqlite = (dir, synchronous, rowsPerTxn, txns) => {
      const db = new Database(join(dir, `sqlite-${synchronous}.db`));
      db.pragma('journal_mode = WAL');
      db.pragma(`synchronous = ${synchronous}`);
      db.exec('CREATE TABLE bench (id INTEGER PRIMARY KEY, payload BLOB)');
      const insert = db.prepare('INSERT INTO bench VALUES (?, ?)');
      const batch = db.transaction((base: number) => {
        for (let i = 0; i < rowsPerTxn; i += 1) insert.run(base + i, ROWS[i % 1000]);
      });
      const start = now();
      for (let t = 0; t < txns; t += 1) batch(t * rowsPerTxn);
      const seconds = now() - start;
      db.close();
      return (rowsPerTxn * txns) / seconds;
    };
  } catch (error) {
    peers.notes.push(`better-sqlite3 not measured: ${(error as Error).message.split('\n')[0]}`);
  }
  try {
    const { open } = require('lmdb') as typeof import('lmdb');
    // Durable writes only: lmdb-js resolves writes at commit (before the flush) when
    // overlappingSync is on (its default on Linux), so the variants below either turn it off
    // (a resolved write is flushed) or also await `db.flushed`; the faster one is the baseline.
    peers.lmdbAsync = async (dir, committers, puts) => {
      let best = 0;
      for (const overlappingSync of [false, true]) {
        const db = open({ path: join(dir, `lmdb-async-${committers}-${overlappingSync}`), compression: false, overlappingSync });
        const perCommitter = puts / committers;
        const start = now();
        await Promise.all(
          Array.from({ length: committers }, async (_, c) => {
            for (let i = 0; i < perCommitter; i += 1) {
              await db.put(c * perCommitter + i, ROWS[i % 1000]);
              if (overlappingSync) await db.flushed;
            }
          }),
        );
        best = Math.max(best, puts / (now() - start));
        await db.close();
      }
      return best;
    };
    peers.lmdbSync = async (dir, rowsPerTxn, txns) => {
      const db = open({ path: join(dir, `lmdb-sync-${rowsPerTxn}`), compression: false, overlappingSync: false });
      const start = now();
      for (let t = 0; t < txns; t += 1) {
        db.transactionSync(() => {
          for (let i = 0; i < rowsPerTxn; i += 1) db.put(t * rowsPerTxn + i, ROWS[i % 1000]);
        });
      }
      const seconds = now() - start;
      await db.close();
      return (rowsPerTxn * txns) / seconds;
    };
  } catch (error) {
    peers.notes.push(`lmdb not measured: ${(error as Error).message.split('\n')[0]}`);
  }
  return peers;
}
/* eslint-enable @typescript-eslint/no-require-imports */

type Series = Map<string, number[]>;

function record(series: Series, name: string, value: number | undefined): void {
  if (value === undefined) return;
  if (!series.has(name)) series.set(name, []);
  series.get(name)!.push(value);
}

async function oneRound(series: Series, peers: Peers, commitBytes: { value: Buffer | undefined }): Promise<void> {
  await withDir(async (dir) => {
    const appends = await oursAppends(dir);
    record(series, 'appends ours', appends.perSecond);
    record(series, 'appends raw writeSync', rawAppends(dir, appends.entryBytes));
    const replay = await oursReplay(dir, false);
    record(series, 'replay ours', replay.replay);
    record(series, 'open + replay ours', replay.openAndReplay);
    record(series, 'replay ours, reading payloads', (await oursReplay(dir, true)).replay);
    commitBytes.value ??= Buffer.concat(appends.entryBytes.slice(0, 1));
  });
  await withDir(async (dir) => {
    record(series, 'serial durable ours', await oursSerialCommits(dir));
    const walDir = join(dir, 'wal');
    const file = readFileSync(join(walDir, readdirSync(walDir).find((name) => name.endsWith('.log'))!));
    const [insert, commit] = decodeWalEntries(file);
    const bytes = file.subarray(insert!.offset, commit!.offset + commit!.sizeBytes);
    record(series, 'serial durable raw write+fdatasync', rawSerialCommits(dir, bytes));
    record(series, 'serial durable sqlite FULL', peers.sqlite?.(dir, 'FULL', 1, SERIAL_COMMITS));
    record(series, 'serial durable lmdb putSync-txn', await peers.lmdbSync?.(dir, 1, 300));
  });
  await withDir(async (dir) => {
    for (const committers of [16, 64]) {
      record(series, `group ${committers} ours`, await oursGroupCommits(join(dir, `g${committers}`), committers));
      record(series, `group ${committers} lmdb async put`, await peers.lmdbAsync?.(dir, committers, GROUP_COMMITS));
    }
  });
  await withDir(async (dir) => {
    record(series, '1000-row txns ours', await oursBigTransactions(dir));
    record(series, '1000-row txns sqlite FULL', peers.sqlite?.(dir, 'FULL', 1000, BIG_TXNS));
    record(series, '1000-row txns sqlite NORMAL', peers.sqlite?.(dir, 'NORMAL', 1000, BIG_TXNS));
    record(series, '1000-row txns lmdb transactionSync', await peers.lmdbSync?.(dir, 1000, BIG_TXNS));
  });
}

const RATIOS: Array<[string, string, string, number]> = [
  ['unsynced appends vs raw per-entry writeSync', 'appends ours', 'appends raw writeSync', 2.5],
  ['serial durable commits vs raw write+fdatasync', 'serial durable ours', 'serial durable raw write+fdatasync', 0.9],
  ['serial durable commits vs better-sqlite3 FULL', 'serial durable ours', 'serial durable sqlite FULL', 0],
  ['group commit (16) vs lmdb-js async puts', 'group 16 ours', 'group 16 lmdb async put', 2],
  ['group commit (64) vs lmdb-js async puts', 'group 64 ours', 'group 64 lmdb async put', 2],
  ['1000-row transactions vs better-sqlite3 FULL', '1000-row txns ours', '1000-row txns sqlite FULL', 3],
  ['1000-row transactions vs better-sqlite3 NORMAL (not durable per commit)', '1000-row txns ours', '1000-row txns sqlite NORMAL', 0],
  ['1000-row transactions vs lmdb-js transactionSync', '1000-row txns ours', '1000-row txns lmdb transactionSync', 0],
  ['serial durable commits vs lmdb-js transactionSync', 'serial durable ours', 'serial durable lmdb putSync-txn', 0],
];

export async function run(): Promise<void> {
  const peers = loadPeers();
  const series: Series = new Map();
  const commitBytes = { value: undefined as Buffer | undefined };
  await oneRound(new Map(), peers, commitBytes); // warm-up, discarded
  for (let round = 0; round < RUNS; round += 1) await oneRound(series, peers, commitBytes);
  console.log(`\nWAL benchmark — medians of ${RUNS} interleaved runs (${tmpdir()})`);
  for (const [name, values] of series) console.log(`  ${name.padEnd(40)} ${Math.round(median(values)).toLocaleString('en-US').padStart(14)} /s`);
  console.log(`\n  ${'ratio (ours / baseline, same run)'.padEnd(72)} measured  goal`);
  for (const [label, ours, baseline, goal] of RATIOS) {
    const a = series.get(ours);
    const b = series.get(baseline);
    if (a === undefined || b === undefined) continue;
    const ratio = median(a) / median(b);
    const target = goal === 0 ? '  (context)' : `  ≥ ${goal}×${ratio >= goal ? '' : '  (below goal)'}`;
    console.log(`  ${label.padEnd(72)} ${ratio.toFixed(2).padStart(6)}×${target}`);
  }
  const replay = series.get('replay ours');
  const millions = (name: string) => (median(series.get(name) ?? [0]) / 1e6).toFixed(2).padStart(5);
  if (replay !== undefined) {
    console.log(`  ${'replay entries per second (after open)'.padEnd(72)} ${millions('replay ours')} M  ≥ 5 M`);
    console.log(`  ${'replay entries per second, reading every payload'.padEnd(72)} ${millions('replay ours, reading payloads')} M  (context)`);
    console.log(`  ${'open (phase 1) + replay entries per second'.padEnd(72)} ${millions('open + replay ours')} M  (context)`);
  }
  for (const note of peers.notes) console.log(`  note: ${note}`);
}

if (require.main === module) void run();
