/**
 * The checks behind `permafrost verify`: every file of a database directory and the
 * cross-references between them, read without opening the store (no lock, no recovery, no
 * writes), so it works on a damaged directory and never changes it.
 *
 * Findings come out in check order as they are found; the caller stops at the first error.
 * Levels:
 * - `error`: data is lost or unreadable, or the files contradict each other in a way no
 *   crash of our write protocol leaves behind;
 * - `warning`: a leftover that a crash legitimately leaves and the next open (or checkpoint)
 *   repairs by itself — a torn WAL tail, truncation temp files, a volume no manifest lists
 *   (an interrupted seal: deleted at open, its rows are still in the WAL, as stoolap does),
 *   temp files, a catalog that lags its manifests (a checkpoint interrupted between the
 *   manifests and the catalog, or a table dropped since the last checkpoint).
 *
 * Order: WAL (every entry's CRC and framing, checkpoint.meta); then per table directory the
 * manifest (CRC, version, name) and every volume it lists (exists, CRC, every block
 * decompresses, row count and row-id range as the manifest says, row ids ascending); then the
 * STVC catalog against the manifests and volumes; the LSN cross-references (checkpoint.meta
 * and every manifest's checkpoint LSN ≤ the WAL's last LSN; the WAL still holds every entry
 * after each manifest's checkpoint LSN); and legacy snapshots when there are no volumes.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { CATALOG_FILE_NAME, readCatalog, type VolumeCatalog } from '../catalog/volume-catalog';
import { DataType } from '../codec/data-type';
import { PermafrostError, isPermafrostError, type ErrorCode } from '../errors';
import { nodeFileSystem } from '../io/file-system';
import { decodeTableManifest, MANIFEST_FILE_NAME, MANIFEST_TEMP_FILE_NAME, type TableManifest } from '../manifest/table-manifest';
import { readSnapshotFile } from '../snapshot/snapshot-file';
import { micros } from '../store/time-column';
import { parseVolumeFileName, volumeFileName } from '../volume/volume-files';
import { VolumeReader } from '../volume/volume-reader';
import { CHECKPOINT_META_NAME, walFileLsn } from '../wal/wal-file-names';
import { verifyWalDirectory } from '../wal/wal-reader';

export type FindingLevel = 'error' | 'warning';

export interface Finding {
  readonly level: FindingLevel;
  readonly code: ErrorCode;
  readonly message: string;
  readonly file?: string | undefined;
  readonly offset?: number | undefined;
}

/** What was checked; filled in as the checks run. */
export interface VerifySummary {
  walFiles: number;
  walEntries: number;
  walLastLsn: bigint;
  /** Entries at or below this LSN were removed by truncation (the first WAL file's `lsn-<N>`). */
  walOldestLsn: bigint;
  checkpointLsn: bigint | undefined;
  tables: number;
  volumes: number;
  volumeRows: bigint;
  volumeBytes: number;
  catalog: 'absent' | 'checked';
  snapshotTables: number;
}

/** What the catalog check needs to know about a volume a manifest lists. */
interface CheckedVolume {
  readonly rowCount: bigint;
  /** The time range of the volume's first TIMESTAMP column (as the checkpoint records it). */
  readonly timeMinMicros: bigint;
  readonly timeMaxMicros: bigint;
}

function fromError(error: PermafrostError, level: FindingLevel = 'error'): Finding {
  return { level, code: error.code, message: error.what, file: error.file, offset: error.offset };
}

function finding(level: FindingLevel, code: ErrorCode, message: string, file?: string): Finding {
  return { level, code, message, file };
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

async function subdirectories(path: string): Promise<string[]> {
  if (!(await isDirectory(path))) return [];
  return (await readdir(path, { withFileTypes: true })).filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort();
}

async function* checkWal(dir: string, summary: VerifySummary): AsyncGenerator<Finding> {
  const walDir = join(dir, 'wal');
  if (!(await isDirectory(walDir))) {
    yield finding('error', 'ERR_NOT_FOUND', 'no wal/ directory: table schemas live only in the WAL, so no table can be opened', walDir);
    return;
  }
  const report = await verifyWalDirectory(nodeFileSystem, walDir);
  summary.walFiles = report.files.length;
  summary.walEntries = report.entries;
  summary.walLastLsn = report.lastLsn;
  summary.walOldestLsn = report.files[0] === undefined ? 0n : walFileLsn(report.files[0]);
  summary.checkpointLsn = report.checkpointLsn;
  for (const problem of report.problems) {
    if (!report.repairable.has(problem)) {
      yield fromError(problem);
      continue;
    }
    const why = problem.code === 'ERR_CORRUPT' ? '' : ' (a torn tail: an entry a crash left half-written, never acknowledged; cut at the next open)';
    yield { ...fromError(problem, 'warning'), message: `${problem.what}${why}` };
  }
  if (report.checkpointLsn !== undefined && report.checkpointLsn > report.lastLsn) {
    yield finding('error', 'ERR_CORRUPT', `checkpoint.meta says LSN ${report.checkpointLsn} but the WAL ends at LSN ${report.lastLsn}`, join(walDir, CHECKPOINT_META_NAME));
  }
}

async function readManifest(path: string): Promise<TableManifest | undefined> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new PermafrostError('ERR_IO', `cannot read manifest: ${(error as Error).message}`, { file: path, cause: error });
  }
  return decodeTableManifest(bytes, path);
}

/** Opens a volume, decompresses every block and compares it with the manifest's segment record. */
async function* checkVolume(path: string, manifestPath: string, segment: TableManifest['segments'][number], checked: Map<bigint, CheckedVolume>, summary: VerifySummary): AsyncGenerator<Finding> {
  let reader: VolumeReader;
  try {
    reader = await VolumeReader.open(path);
  } catch (error) {
    if (!isPermafrostError(error)) throw error;
    if (error.code === 'ERR_NOT_FOUND') yield finding('error', 'ERR_NOT_FOUND', `the manifest lists volume ${segment.segmentId} but ${volumeFileName(segment.segmentId)} is missing`, path);
    else yield fromError(error);
    return;
  }
  try {
    for (let column = 0; column < reader.columnCount; column += 1) {
      for (let group = 0; group < reader.groupCount; group += 1) reader.group(column, group);
    }
    const rowIds = reader.rowIds;
    if (BigInt(reader.rowCount) !== segment.rowCount) {
      yield finding('error', 'ERR_CORRUPT', `the manifest says volume ${volumeFileName(segment.segmentId)} has ${segment.rowCount} rows; it has ${reader.rowCount}`, manifestPath);
      return;
    }
    const first = rowIds[0];
    const last = rowIds[rowIds.length - 1];
    if (rowIds.length > 0 && (first !== segment.minRowId || last !== segment.maxRowId)) {
      yield finding('error', 'ERR_CORRUPT', `the manifest says volume ${volumeFileName(segment.segmentId)} holds row ids ${segment.minRowId}–${segment.maxRowId}; it holds ${first}–${last}`, manifestPath);
      return;
    }
    for (let row = 1; row < rowIds.length; row += 1) {
      if (rowIds[row]! <= rowIds[row - 1]!) {
        yield finding('error', 'ERR_CORRUPT', `row ids are not strictly ascending at row ${row} (${rowIds[row - 1]} then ${rowIds[row]})`, path);
        return;
      }
    }
    const timeColumn = reader.columns.findIndex((column) => column.dataType === DataType.Timestamp);
    const zone = timeColumn < 0 ? undefined : reader.zoneMap(timeColumn);
    checked.set(segment.segmentId, {
      rowCount: segment.rowCount,
      timeMinMicros: (zone && micros(zone.min)) ?? 0n,
      timeMaxMicros: (zone && micros(zone.max)) ?? 0n,
    });
    summary.volumes += 1;
    summary.volumeRows += segment.rowCount;
    summary.volumeBytes += (await stat(path)).size;
  } catch (error) {
    if (!isPermafrostError(error)) throw error;
    yield fromError(error.file === undefined ? error.locate(path) : error);
  } finally {
    await reader.close();
  }
}

/** Files in a table directory that no manifest accounts for. */
async function* checkLeftovers(tableDir: string, manifest: TableManifest | undefined): AsyncGenerator<Finding> {
  const listed = new Set((manifest?.segments ?? []).map((segment) => segment.segmentId));
  for (const name of (await readdir(tableDir)).sort()) {
    const path = join(tableDir, name);
    if (name === MANIFEST_FILE_NAME) continue;
    const id = parseVolumeFileName(name);
    if (name.endsWith('.vol') && (id === undefined || !listed.has(id))) {
      yield finding('warning', 'ERR_CORRUPT', 'a volume no manifest lists: left by a seal that crashed before its manifest was durable; deleted at the next open (its rows are still in the WAL)', path);
    } else if (name === MANIFEST_TEMP_FILE_NAME || name.endsWith('.tmp') || name.endsWith('.dv')) {
      yield finding('warning', 'ERR_CORRUPT', 'a temporary or obsolete file; deleted at the next open', path);
    }
  }
}

async function* checkTable(volumesDir: string, name: string, manifests: Map<string, TableManifest>, volumes: Map<string, Map<bigint, CheckedVolume>>, summary: VerifySummary): AsyncGenerator<Finding> {
  const tableDir = join(volumesDir, name);
  const manifestPath = join(tableDir, MANIFEST_FILE_NAME);
  let manifest: TableManifest | undefined;
  try {
    manifest = await readManifest(manifestPath);
  } catch (error) {
    if (!isPermafrostError(error)) throw error;
    yield fromError(error);
    return;
  }
  if (manifest === undefined) {
    yield finding('warning', 'ERR_NOT_FOUND', 'a table directory without manifest.bin: nothing in it is part of the table; its volumes are deleted at the next open', tableDir);
    yield* checkLeftovers(tableDir, undefined);
    return;
  }
  summary.tables += 1;
  manifests.set(name, manifest);
  if (manifest.tableName !== name) {
    yield finding('error', 'ERR_CORRUPT', `the manifest names table '${manifest.tableName}' but lives in directory '${name}'`, manifestPath);
    return;
  }
  const ids = new Set<bigint>();
  for (const segment of manifest.segments) {
    if (ids.has(segment.segmentId)) {
      yield finding('error', 'ERR_CORRUPT', `the manifest lists volume ${segment.segmentId} twice`, manifestPath);
      return;
    }
    ids.add(segment.segmentId);
    if (segment.segmentId >= manifest.nextSegmentId) {
      yield finding('warning', 'ERR_CORRUPT', `next segment id ${manifest.nextSegmentId} is not above volume id ${segment.segmentId}`, manifestPath);
    }
  }
  const checked = new Map<bigint, CheckedVolume>();
  volumes.set(name, checked);
  for (const segment of manifest.segments) {
    yield* checkVolume(join(tableDir, volumeFileName(segment.segmentId)), manifestPath, segment, checked, summary);
  }
  yield* checkLeftovers(tableDir, manifest);
}

function sameTime(entry: { timeMinMicros: bigint; timeMaxMicros: bigint }, volume: CheckedVolume): boolean {
  return entry.timeMinMicros === volume.timeMinMicros && entry.timeMaxMicros === volume.timeMaxMicros;
}

/** The STVC catalog against the manifests: errors for contradictions, warnings when it only lags. */
async function* checkCatalog(volumesDir: string, manifests: Map<string, TableManifest>, volumes: Map<string, Map<bigint, CheckedVolume>>, summary: VerifySummary): AsyncGenerator<Finding> {
  const path = join(volumesDir, CATALOG_FILE_NAME);
  try {
    await stat(path);
  } catch {
    return; // stoolap never writes one; its absence is normal
  }
  let catalog: VolumeCatalog;
  try {
    catalog = await readCatalog(volumesDir);
  } catch (error) {
    if (!isPermafrostError(error)) throw error;
    yield fromError(error);
    return;
  }
  summary.catalog = 'checked';
  for (const table of catalog.tableNames()) {
    const manifest = manifests.get(table);
    const checked = volumes.get(table) ?? new Map<bigint, CheckedVolume>();
    if (manifest === undefined) {
      yield finding('warning', 'ERR_NOT_FOUND', `the catalog lists table '${table}', which has no manifest (dropped since the last checkpoint, which rewrites the catalog)`, path);
      continue;
    }
    const listed = new Set(manifest.segments.map((segment) => segment.segmentId));
    const cataloged = new Set<bigint>();
    for (const entry of catalog.getVolumes(table)) {
      cataloged.add(entry.volumeId);
      const volume = checked.get(entry.volumeId);
      const name = volumeFileName(entry.volumeId);
      if (!listed.has(entry.volumeId)) {
        yield finding('error', 'ERR_CORRUPT', `the catalog lists ${name} for table '${table}' but its manifest does not`, path);
        return;
      }
      if (volume === undefined) continue; // the volume itself was already reported
      if (entry.rowCount !== volume.rowCount) {
        yield finding('error', 'ERR_CORRUPT', `the catalog says ${name} of table '${table}' has ${entry.rowCount} rows; its manifest and the volume say ${volume.rowCount}`, path);
        return;
      }
      if (!sameTime(entry, volume)) {
        yield finding('error', 'ERR_CORRUPT', `the catalog's time range for ${name} of table '${table}' (${entry.timeMinMicros}–${entry.timeMaxMicros} µs) is not the volume's (${volume.timeMinMicros}–${volume.timeMaxMicros} µs)`, path);
        return;
      }
    }
    const missing = manifest.segments.filter((segment) => !cataloged.has(segment.segmentId)).length;
    if (missing > 0) yield finding('warning', 'ERR_NOT_FOUND', `the catalog lags the manifest of table '${table}' by ${missing} volume(s) (a checkpoint stopped between the manifests and the catalog; the next one rewrites it)`, path);
  }
  for (const [table, manifest] of manifests) {
    if (manifest.segments.length > 0 && catalog.getVolumes(table).length === 0 && !catalog.tableNames().includes(table)) {
      yield finding('warning', 'ERR_NOT_FOUND', `the catalog does not list table '${table}' (the next checkpoint rewrites it)`, path);
    }
  }
}

/** Manifest checkpoint LSNs against the WAL: none beyond its end, none past what it still holds. */
async function* checkLsns(dir: string, manifests: Map<string, TableManifest>, summary: VerifySummary): AsyncGenerator<Finding> {
  const oldestRetained = summary.walOldestLsn;
  for (const [name, manifest] of manifests) {
    const path = join(dir, 'volumes', name, MANIFEST_FILE_NAME);
    if (manifest.checkpointLsn > summary.walLastLsn) {
      yield finding('error', 'ERR_CORRUPT', `the manifest's checkpoint LSN ${manifest.checkpointLsn} is beyond the WAL's last LSN ${summary.walLastLsn}`, path);
      return;
    }
    if (manifest.checkpointLsn > 0n && manifest.checkpointLsn < oldestRetained) {
      yield finding('error', 'ERR_CORRUPT', `the WAL was truncated up to LSN ${oldestRetained}, past this manifest's checkpoint LSN ${manifest.checkpointLsn}: rows of table '${name}' committed in between are in neither`, path);
      return;
    }
  }
}

/** Legacy (≤ 0.3.7) snapshots, checked only when there are no volumes (else the open ignores them). */
async function* checkSnapshots(dir: string, summary: VerifySummary): AsyncGenerator<Finding> {
  const snapshotsDir = join(dir, 'snapshots');
  for (const table of await subdirectories(snapshotsDir)) {
    const tableDir = join(snapshotsDir, table);
    const files = (await readdir(tableDir)).filter((file) => /^snapshot-.*\.bin$/.test(file)).sort().reverse();
    let firstError: PermafrostError | undefined;
    let readable = false;
    for (const file of files) {
      try {
        await readSnapshotFile(join(tableDir, file));
        readable = true;
        break;
      } catch (error) {
        if (!isPermafrostError(error)) throw error;
        firstError ??= error.file === undefined ? error.locate(join(tableDir, file)) : error;
      }
    }
    summary.snapshotTables += 1;
    if (!readable) {
      yield firstError === undefined ? finding('error', 'ERR_NOT_FOUND', `legacy table directory '${table}' has no snapshot file`, tableDir) : fromError(firstError);
      return;
    }
    if (firstError !== undefined) yield fromError(firstError, 'warning');
  }
  if (summary.snapshotTables > 0) {
    yield finding('warning', 'ERR_UNSUPPORTED_VERSION', `a legacy (stoolap ≤ 0.3.7) database: its ${summary.snapshotTables} snapshot table(s) are migrated into volumes at the next open`, snapshotsDir);
  }
}

/** Runs every check on the database directory `dir`, yielding findings as they are found. */
export async function* verifyStoreDirectory(dir: string, summary: VerifySummary): AsyncGenerator<Finding> {
  yield* checkWal(dir, summary);
  const volumesDir = join(dir, 'volumes');
  const manifests = new Map<string, TableManifest>();
  const volumes = new Map<string, Map<bigint, CheckedVolume>>();
  const tables = await subdirectories(volumesDir);
  for (const name of tables) yield* checkTable(volumesDir, name, manifests, volumes, summary);
  yield* checkCatalog(volumesDir, manifests, volumes, summary);
  yield* checkLsns(dir, manifests, summary);
  if (tables.length === 0) yield* checkSnapshots(dir, summary);
}

export function emptySummary(): VerifySummary {
  return { walFiles: 0, walEntries: 0, walLastLsn: 0n, walOldestLsn: 0n, checkpointLsn: undefined, tables: 0, volumes: 0, volumeRows: 0n, volumeBytes: 0, catalog: 'absent', snapshotTables: 0 };
}
