/** A summary of a store for `permafrost inspect` and `Store.info()`. */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { PersistenceManager } from '../persistence/persistence-manager';
import type { SchemaCatalog } from './schema-catalog';
import type { TableState } from './table-state';
import { micros, segmentTimes, timeColumnIndex } from './time-column';

export interface VolumeInfo {
  readonly volumeId: bigint;
  readonly rowCount: number;
  readonly minRowId: bigint;
  readonly maxRowId: bigint;
  /** Time range of the table's time column, microseconds since the epoch (0 when none). */
  readonly timeMinMicros: bigint;
  readonly timeMaxMicros: bigint;
}

export interface TableInfo {
  readonly name: string;
  readonly columns: number;
  readonly rows: number;
  readonly hotRows: number;
  readonly tombstones: number;
  readonly indexes: readonly string[];
  readonly volumes: readonly VolumeInfo[];
  readonly manifestCheckpointLsn: bigint;
  /** Time range of the hot rows' time column, microseconds since the epoch (undefined when none). */
  readonly hotTimeMinMicros: bigint | undefined;
  readonly hotTimeMaxMicros: bigint | undefined;
}

export interface StoreInfo {
  readonly path: string | null;
  readonly currentLsn: bigint;
  readonly checkpointLsn: bigint;
  readonly walFiles: ReadonlyArray<{ readonly name: string; readonly bytes: number }>;
  readonly tables: readonly TableInfo[];
}

function hotTimes(state: TableState): { hotTimeMinMicros: bigint | undefined; hotTimeMaxMicros: bigint | undefined } {
  const column = timeColumnIndex(state);
  let min: bigint | undefined;
  let max: bigint | undefined;
  if (column >= 0) {
    for (const values of state.hot.values()) {
      const at = micros(values[column] ?? null);
      if (at === undefined) continue;
      if (min === undefined || at < min) min = at;
      if (max === undefined || at > max) max = at;
    }
  }
  return { hotTimeMinMicros: min, hotTimeMaxMicros: max };
}

export async function storeInfo(path: string | null, catalog: SchemaCatalog, pm: PersistenceManager): Promise<StoreInfo> {
  const walFiles: Array<{ name: string; bytes: number }> = [];
  if (path !== null) {
    const walDir = join(path, 'wal');
    for (const name of (await readdir(walDir)).filter((file) => file.endsWith('.log')).sort()) {
      walFiles.push({ name, bytes: (await stat(join(walDir, name))).size });
    }
  }
  const tables = [...catalog.tables.values()].map((state) => ({
    name: state.schema.tableName,
    columns: state.schema.columns.length,
    rows: state.rowCount(),
    hotRows: state.hot.size,
    tombstones: state.tombstones.size,
    indexes: catalog.indexesOf(state.key).map((index) => index.name),
    manifestCheckpointLsn: state.manifestCheckpointLsn,
    ...hotTimes(state),
    volumes: state.segments.map((segment) => ({
      volumeId: segment.volumeId,
      rowCount: Number(segment.segment.rowCount),
      minRowId: segment.segment.minRowId,
      maxRowId: segment.segment.maxRowId,
      ...segmentTimes(state, segment.reader),
    })),
  }));
  return { path, currentLsn: pm.currentLsn, checkpointLsn: pm.checkpointLsn, walFiles, tables };
}
