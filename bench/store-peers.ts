/**
 * The store benchmark's peers, loaded only if installed (devDependencies `better-sqlite3`,
 * `lmdb`); a missing or unbuildable one is skipped with a note. Each is used the way its
 * documentation recommends for durable batched writes:
 * - better-sqlite3: WAL journal, `synchronous = FULL` (every commit fsyncs the WAL), one
 *   prepared INSERT run inside `db.transaction` per batch; times are INTEGER microseconds
 *   (JS numbers stay exact), with an index on `time` for the range query;
 * - lmdb-js: default durability (a synced commit), one awaited `db.transaction` per batch,
 *   values as objects (its default msgpack encoding), keys the candle ids.
 */
import { join } from 'node:path';
import type { Candle } from '../ts/demo/candles';

/** The part of better-sqlite3's API used here (typed locally: it ships no types). */
interface SqliteStatement {
  run(...values: unknown[]): unknown;
  all(...values: unknown[]): unknown[];
}
interface SqliteDatabase {
  pragma(source: string): unknown;
  exec(source: string): unknown;
  prepare(source: string): SqliteStatement;
  transaction<A extends unknown[]>(work: (...args: A) => void): (...args: A) => void;
  close(): void;
}
type SqliteConstructor = new (path: string) => SqliteDatabase;

export interface SqlitePeer {
  /** Ingests `candles` in transactions of `batchRows`; resolves to elapsed milliseconds. */
  ingest(dir: string, candles: readonly Candle[], batchRows: number): number;
  /** A table of `candles` with an index on time, ready for range queries. */
  openRangeTable(dir: string, candles: readonly Candle[]): { query(fromMicros: number, toMicros: number): unknown[]; close(): void };
}

export interface LmdbPeer {
  ingest(dir: string, candles: readonly Candle[], batchRows: number): Promise<number>;
}

export interface Peers {
  readonly sqlite: SqlitePeer | undefined;
  readonly lmdb: LmdbPeer | undefined;
  readonly notes: readonly string[];
}

const micros = (candle: Candle): number => Number(candle.timeNanos / 1000n);
const CREATE = 'CREATE TABLE candles (id INTEGER PRIMARY KEY, ticker TEXT NOT NULL, time INTEGER NOT NULL, open REAL NOT NULL, high REAL NOT NULL, low REAL NOT NULL, close REAL NOT NULL, volume INTEGER NOT NULL)';
const INSERT = 'INSERT INTO candles VALUES (?, ?, ?, ?, ?, ?, ?, ?)';

function sqlitePeer(Database: SqliteConstructor): SqlitePeer {
  const open = (path: string, synchronous: 'FULL' | 'OFF'): SqliteDatabase => {
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${synchronous}`);
    db.exec(CREATE);
    return db;
  };
  const insertAll = (db: SqliteDatabase, candles: readonly Candle[], batchRows: number): void => {
    const insert = db.prepare(INSERT);
    const batch = db.transaction((from: number, to: number) => {
      for (let i = from; i < to; i += 1) {
        const c = candles[i]!;
        insert.run(c.id, c.ticker, micros(c), c.open, c.high, c.low, c.close, c.volume);
      }
    });
    for (let from = 0; from < candles.length; from += batchRows) batch(from, Math.min(candles.length, from + batchRows));
  };
  return {
    ingest(dir, candles, batchRows) {
      const db = open(join(dir, 'ingest.sqlite'), 'FULL');
      const started = performance.now();
      insertAll(db, candles, batchRows);
      const elapsed = performance.now() - started;
      db.close();
      return elapsed;
    },
    openRangeTable(dir, candles) {
      const db = open(join(dir, 'range.sqlite'), 'OFF');
      insertAll(db, candles, 50_000);
      db.exec('CREATE INDEX candles_time ON candles (time)');
      const select = db.prepare('SELECT * FROM candles WHERE time >= ? AND time < ?');
      return { query: (fromMicros, toMicros) => select.all(fromMicros, toMicros), close: () => db.close() };
    },
  };
}

function lmdbPeer(lmdb: typeof import('lmdb')): LmdbPeer {
  return {
    async ingest(dir, candles, batchRows) {
      const db = lmdb.open<Record<string, unknown>, number>({ path: join(dir, 'ingest.lmdb'), compression: false });
      const started = performance.now();
      for (let from = 0; from < candles.length; from += batchRows) {
        await db.transaction(() => {
          for (let i = from; i < Math.min(candles.length, from + batchRows); i += 1) {
            const c = candles[i]!;
            void db.put(Number(c.id), { ticker: c.ticker, time: micros(c), open: c.open, high: c.high, low: c.low, close: c.close, volume: Number(c.volume) });
          }
        });
      }
      const elapsed = performance.now() - started;
      await db.close();
      return elapsed;
    },
  };
}

/* eslint-disable @typescript-eslint/no-require-imports -- optional peers, loaded only if installed */
export function loadPeers(): Peers {
  const notes: string[] = [];
  let sqlite: SqlitePeer | undefined;
  let lmdb: LmdbPeer | undefined;
  try {
    const Database = require('better-sqlite3') as SqliteConstructor;
    new Database(':memory:').close(); // the addon loads on first use: fail here, not mid-run
    sqlite = sqlitePeer(Database);
  } catch (error) {
    notes.push(`better-sqlite3 not measured: ${(error as Error).message.split('\n')[0]}`);
  }
  try {
    lmdb = lmdbPeer(require('lmdb') as typeof import('lmdb'));
  } catch (error) {
    notes.push(`lmdb not measured: ${(error as Error).message.split('\n')[0]}`);
  }
  return { sqlite, lmdb, notes };
}
/* eslint-enable @typescript-eslint/no-require-imports */
