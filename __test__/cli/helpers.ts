/** Shared setup of the store-command tests: running the CLI in-process and a small candle store. */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../../ts/cli/main';
import { IndexType, Store } from '../../ts/index';
import { CANDLE_SCHEMA, generateCandles } from '../../ts/demo/candles';
import { ingestCandles } from '../../ts/demo/ingest-candles';

export interface CliRun {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

/** Runs `permafrost <argv>` in this process, capturing its output. */
export async function run(argv: readonly string[]): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (line) => out.push(line), err: (line) => err.push(line) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** Row counts of `buildCandleStore`. */
export const SMALL_STORE = { firstVolumeRows: 2_000, secondVolumeRows: 1_000, hotRows: 500, deletedRowId: 7n, indexName: 'candles_by_time' } as const;

/**
 * A closed store in `dir`: two checkpoints (two volumes of 2,000 and 1,000 candles), then
 * 500 candles and a delete of a sealed row that live only in the WAL, and one index.
 */
export async function buildCandleStore(dir: string): Promise<void> {
  const store = await Store.open(dir, { syncMode: 'full', checkpointIntervalMs: 0, checkpointOnClose: false });
  try {
    await store.createTable(CANDLE_SCHEMA);
    const time = CANDLE_SCHEMA.columns[2]!;
    await store.createIndex({ name: SMALL_STORE.indexName, tableName: CANDLE_SCHEMA.tableName, columnNames: [time.name], columnIds: [2], dataTypes: [time.dataType], isUnique: false, indexType: IndexType.BTree });
    const all = [...generateCandles(SMALL_STORE.firstVolumeRows + SMALL_STORE.secondVolumeRows + SMALL_STORE.hotRows)];
    await ingestCandles(store, all.slice(0, SMALL_STORE.firstVolumeRows), 1_000);
    await store.checkpoint();
    await ingestCandles(store, all.slice(SMALL_STORE.firstVolumeRows, SMALL_STORE.firstVolumeRows + SMALL_STORE.secondVolumeRows), 1_000);
    await store.checkpoint();
    await ingestCandles(store, all.slice(SMALL_STORE.firstVolumeRows + SMALL_STORE.secondVolumeRows), 250);
    await store.transaction((txn) => txn.delete(CANDLE_SCHEMA.tableName, SMALL_STORE.deletedRowId));
  } finally {
    await store.close();
  }
}

/** Every file under `dir` with a hash of its bytes, to show a command changed nothing. */
export function snapshotTree(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (path: string): void => {
    for (const name of readdirSync(path).sort()) {
      const child = join(path, name);
      if (statSync(child).isDirectory()) walk(child);
      else files.set(child, createHash('sha256').update(readFileSync(child)).digest('hex'));
    }
  };
  walk(dir);
  return files;
}

/** The paths of a table's volume files, in name order. */
export function volumeFiles(dir: string): string[] {
  const tableDir = join(dir, 'volumes', CANDLE_SCHEMA.tableName);
  return readdirSync(tableDir).filter((name) => name.endsWith('.vol')).sort().map((name) => join(tableDir, name));
}

/** The WAL files of `dir`, in name order. */
export function walFiles(dir: string): string[] {
  return readdirSync(join(dir, 'wal')).filter((name) => name.endsWith('.log')).sort().map((name) => join(dir, 'wal', name));
}
