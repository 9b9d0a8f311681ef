/**
 * `permafrost inspect <dir> [--json]`: what a database holds — tables (rows, hot rows,
 * tombstones, indexes, time range), volumes (id, rows, row-id range, time range, file size),
 * WAL files and span, checkpoint LSN and current LSN, and what recovery did on the way in.
 *
 * It opens the store, so the database must be closed (the store takes `db.lock`; a running
 * process makes this fail with ERR_LOCKED). Opening runs recovery, which may repair: a torn
 * WAL tail is cut, orphan volumes of an interrupted seal are deleted, a legacy (≤ 0.3.7)
 * directory is migrated into volumes. It never checkpoints. `permafrost verify` reads the
 * same directory without opening the store and changes nothing.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Store } from '../store/store';
import type { StoreInfo, TableInfo, VolumeInfo } from '../store/store-info';
import { tableDirectory, volumeFileName } from '../volume/volume-files';
import { walFileLsn } from '../wal/wal-file-names';
import type { Command, CommandIo, ParsedArgs } from './command';
import { databaseDirectory } from './database-dir';
import { bytes, count, duration, jsonText, microsToIso } from './format';

async function fileBytes(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).size;
  } catch {
    return undefined;
  }
}

interface VolumeReport extends VolumeInfo {
  readonly file: string;
  readonly bytes: number | undefined;
}

interface TableReport extends Omit<TableInfo, 'volumes'> {
  readonly volumes: readonly VolumeReport[];
  /** Over volumes and hot rows, in microseconds since the epoch. */
  readonly timeMinMicros: bigint | undefined;
  readonly timeMaxMicros: bigint | undefined;
}

function timeSpan(table: TableInfo): { timeMinMicros: bigint | undefined; timeMaxMicros: bigint | undefined } {
  const mins = [...table.volumes.filter((v) => v.timeMinMicros !== 0n || v.timeMaxMicros !== 0n).map((v) => v.timeMinMicros), table.hotTimeMinMicros];
  const maxes = [...table.volumes.filter((v) => v.timeMinMicros !== 0n || v.timeMaxMicros !== 0n).map((v) => v.timeMaxMicros), table.hotTimeMaxMicros];
  const defined = (values: Array<bigint | undefined>): bigint[] => values.filter((v): v is bigint => v !== undefined);
  const low = defined(mins);
  const high = defined(maxes);
  return {
    timeMinMicros: low.length === 0 ? undefined : low.reduce((a, b) => (a < b ? a : b)),
    timeMaxMicros: high.length === 0 ? undefined : high.reduce((a, b) => (a > b ? a : b)),
  };
}

async function tableReport(dir: string, table: TableInfo): Promise<TableReport> {
  const tableDir = tableDirectory(join(dir, 'volumes'), table.name.toLowerCase());
  const volumes: VolumeReport[] = [];
  for (const volume of table.volumes) {
    const file = join(tableDir, volumeFileName(volume.volumeId));
    volumes.push({ ...volume, file, bytes: await fileBytes(file) });
  }
  return { ...table, volumes, ...timeSpan(table) };
}

function range(min: bigint | undefined, max: bigint | undefined): string {
  return min === undefined || max === undefined ? '-' : `${microsToIso(min)} → ${microsToIso(max)}`;
}

function printText(io: CommandIo, info: StoreInfo, store: Store, tables: readonly TableReport[], openMs: number): void {
  const recovery = store.recovery;
  const walBytes = info.walFiles.reduce((sum, file) => sum + file.bytes, 0);
  const oldest = info.walFiles[0] === undefined ? info.checkpointLsn : walFileLsn(info.walFiles[0].name);
  io.out(`${info.path}`);
  io.out(`  opened in ${duration(openMs)}: ${recovery.mode} mode, replayed ${count(recovery.rowsReplayed)} rows and ${count(recovery.ddlReplayed)} DDL entries from LSN ${recovery.replayFromLsn}`);
  const repaired = [store.walRecovery.tornTail ? 'a torn WAL tail was cut' : '', recovery.leftoversRemoved.length > 0 ? `${recovery.leftoversRemoved.length} leftover file(s) removed` : '']
    .filter(Boolean)
    .join('; ');
  if (repaired) io.out(`  repaired: ${repaired}`);
  if (store.walRecovery.corruption.length > 0) io.out(`  WAL damage skipped: ${store.walRecovery.corruption.length} region(s) (run permafrost verify)`);
  io.out(`  LSN: current ${info.currentLsn}, checkpoint ${info.checkpointLsn}`);
  io.out(`  WAL: ${info.walFiles.length} file(s), ${bytes(walBytes)}, entries after LSN ${oldest} up to ${info.currentLsn}`);
  for (const file of info.walFiles) io.out(`    ${file.name}  ${bytes(file.bytes)}`);
  io.out(`  ${tables.length} table(s)`);
  for (const table of tables) {
    io.out(`  table ${table.name}: ${count(table.rows)} rows (${count(table.hotRows)} hot, ${count(table.tombstones)} tombstones), ${table.columns} columns, indexes: ${table.indexes.length === 0 ? 'none' : table.indexes.join(', ')}`);
    io.out(`    time ${range(table.timeMinMicros, table.timeMaxMicros)}; hot rows ${range(table.hotTimeMinMicros, table.hotTimeMaxMicros)}`);
    io.out(`    ${table.volumes.length} volume(s), manifest checkpoint LSN ${table.manifestCheckpointLsn}`);
    for (const volume of table.volumes) {
      const size = volume.bytes === undefined ? 'missing' : bytes(volume.bytes);
      io.out(`    ${volumeFileName(volume.volumeId)}  ${count(volume.rowCount)} rows, ids ${volume.minRowId}–${volume.maxRowId}, time ${range(volume.timeMinMicros, volume.timeMaxMicros)}, ${size}`);
    }
  }
}

function jsonDocument(info: StoreInfo, store: Store, tables: readonly TableReport[], openMs: number): unknown {
  const recovery = store.recovery;
  const iso = (micros: bigint | undefined): string | null => (micros === undefined ? null : microsToIso(micros));
  return {
    path: info.path,
    currentLsn: info.currentLsn,
    checkpointLsn: info.checkpointLsn,
    openMs,
    recovery: {
      mode: recovery.mode,
      replayFromLsn: recovery.replayFromLsn,
      rowsReplayed: recovery.rowsReplayed,
      ddlReplayed: recovery.ddlReplayed,
      volumesLoaded: recovery.volumesLoaded,
      leftoversRemoved: recovery.leftoversRemoved,
      tornTailCut: store.walRecovery.tornTail !== undefined,
      walDamageRegions: store.walRecovery.corruption.length,
    },
    wal: {
      files: info.walFiles.map((file) => ({ name: file.name, bytes: file.bytes, afterLsn: walFileLsn(file.name) })),
      bytes: info.walFiles.reduce((sum, file) => sum + file.bytes, 0),
    },
    tables: tables.map((table) => ({
      name: table.name,
      columns: table.columns,
      rows: table.rows,
      hotRows: table.hotRows,
      tombstones: table.tombstones,
      indexes: table.indexes,
      manifestCheckpointLsn: table.manifestCheckpointLsn,
      timeMin: iso(table.timeMinMicros),
      timeMax: iso(table.timeMaxMicros),
      hotTimeMin: iso(table.hotTimeMinMicros),
      hotTimeMax: iso(table.hotTimeMaxMicros),
      volumes: table.volumes.map((volume) => ({
        volumeId: volume.volumeId,
        file: volume.file,
        bytes: volume.bytes ?? null,
        rows: volume.rowCount,
        minRowId: volume.minRowId,
        maxRowId: volume.maxRowId,
        timeMin: volume.timeMinMicros === 0n && volume.timeMaxMicros === 0n ? null : iso(volume.timeMinMicros),
        timeMax: volume.timeMinMicros === 0n && volume.timeMaxMicros === 0n ? null : iso(volume.timeMaxMicros),
      })),
    })),
  };
}

async function inspect(args: ParsedArgs, io: CommandIo): Promise<number> {
  const dir = await databaseDirectory(args.positionals[0], 'inspect');
  const started = performance.now();
  const store = await Store.open(dir, { checkpointIntervalMs: 0, checkpointOnClose: false });
  const openMs = performance.now() - started;
  try {
    const info = await store.info();
    const tables = await Promise.all(info.tables.map((table) => tableReport(dir, table)));
    if (args.flags.has('json')) io.out(jsonText(jsonDocument(info, store, tables, openMs)));
    else printText(io, info, store, tables, openMs);
    return 0;
  } finally {
    await store.close();
  }
}

export const inspectCommand: Command = {
  usage: '<dir> [--json]',
  summary: 'tables, volumes, row counts, time ranges, WAL span, checkpoint and current LSN (opens the store: the database must be closed)',
  run: inspect,
};
