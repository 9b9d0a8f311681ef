/**
 * Opening a store directory: the recovery path (spec §8.4, with the fixes listed below).
 *
 * 1. `PersistenceManager.open` takes `db.lock` before anything is read or repaired, repairs an
 *    interrupted WAL truncation and cuts a torn WAL tail.
 * 2. The mode follows stoolap: `volumes/` with a sub-directory ⇒ volume mode; else
 *    `snapshots/` with a sub-directory ⇒ legacy (≤ 0.3.7) snapshot mode; else WAL only.
 * 3. Volume mode: every table directory's `manifest.bin` is read and every volume it lists is
 *    opened (CRC verified). A missing or damaged manifest or listed volume refuses the open
 *    with its code and file (stoolap warns and silently serves fewer rows). Volume files no
 *    manifest lists, `.vol.tmp` and `.dv` files are deleted: they are leftovers of a seal that
 *    crashed before its manifest was durable, and their rows are still in the WAL. So is
 *    `volumes/volumes.catalog.tmp`, left by a crash while the catalog was being written.
 *    Replay starts at the smallest non-zero manifest checkpoint LSN — or at 0 when every
 *    manifest says 0: unlike stoolap, checkpoint.meta's LSN never overrides the manifests
 *    (§11 item 4, the window that loses rows).
 * 4. Legacy mode: per table, the newest snapshot file that decodes gives the schema and rows;
 *    replay starts at the smallest of snapshot_meta.bin's LSN and the snapshots' source LSNs.
 *    After replay the rows are sealed into volumes by a checkpoint (the migration), which
 *    retires `snapshots/` after its manifests, before checkpoint.meta and truncation
 *    (`retireSnapshots`). ✱ Volumes beside a legacy (non-backup) `snapshots/` mean a crash
 *    interrupted the migration: if no manifest has a checkpoint LSN yet, the volume
 *    directories are deleted and the migration runs again (the WAL is untouched, and the
 *    tables' schemas may exist only in the snapshots); otherwise volume mode, and the
 *    snapshots are retired. (stoolap picks volume mode as soon as `volumes/` has a
 *    sub-directory, and loses the migration's tables.)
 * 5. WAL only: replay starts at checkpoint.meta's LSN (as stoolap; nothing was ever sealed).
 * 6. Two-phase replay applies committed entries (replay-apply.ts).
 * 7. Volume directories of tables dropped during replay are deleted (even when a later CREATE
 *    TABLE re-created the name: a crash between a DROP TABLE and the deletion of its files
 *    must not hand the dropped rows to the new table). A directory whose table
 *    never appears, although its manifest's checkpoint LSN is at or after the start of the WAL,
 *    refuses the open with ERR_CORRUPT naming the WAL: every checkpoint re-records each
 *    table's CREATE TABLE after its LSN, so the entry was cut or damaged, and opening would
 *    silently serve the table's sealed rows as missing. Other such directories (a DROP TABLE
 *    whose deletion failed, the WAL since truncated past it) are kept and reported.
 */
import { readdir, readFile, rename, rm, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { CATALOG_FILE_NAME } from '../catalog/volume-catalog';
import { PermafrostError, ioError } from '../errors';
import { decodeTableManifest, MANIFEST_FILE_NAME, MANIFEST_TEMP_FILE_NAME } from '../manifest/table-manifest';
import type { PersistenceManager } from '../persistence/persistence-manager';
import type { TwoPhaseRecoveryInfo } from '../wal/replay';
import { decodeSnapshotMeta } from '../snapshot/snapshot-meta';
import { readSnapshotFile } from '../snapshot/snapshot-file';
import { parseVolumeFileName, volumeFileName } from '../volume/volume-files';
import { VolumeReader } from '../volume/volume-reader';
import { compareWalFileNames, isWalFileName, walFileLsn } from '../wal/wal-file-names';
import { fsyncDirectory } from '../io/publish-file';
import { crashPoint } from './crash-points';
import { applyReplayedEntry, type ReplayTally } from './replay-apply';
import type { SchemaCatalog } from './schema-catalog';
import { padRow } from './row-width';

export type RecoveryMode = 'memory' | 'wal' | 'volumes' | 'legacy-snapshots';

export interface StoreRecoveryReport {
  readonly mode: RecoveryMode;
  /** The LSN replay started at (entries at or after it were considered). */
  readonly replayFromLsn: bigint;
  readonly replay: TwoPhaseRecoveryInfo | undefined;
  readonly rowsReplayed: number;
  readonly ddlReplayed: number;
  readonly volumesLoaded: number;
  /** Files deleted as leftovers of interrupted seals (orphan volumes, temp files). */
  readonly leftoversRemoved: readonly string[];
  /** Volume directories whose table was never created in the WAL (kept, unreachable). */
  readonly unreachableTables: readonly string[];
  /** Snapshot files loaded (legacy mode). */
  readonly snapshotsLoaded: number;
}

async function subdirectories(dir: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw ioError(`cannot list ${dir}`, error, dir);
  }
}

async function removeFile(path: string, removed: string[]): Promise<void> {
  try {
    await unlink(path);
    removed.push(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw ioError('cannot delete leftover file', error, path);
  }
}

async function readManifestFile(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw ioError('cannot read manifest', error, path);
  }
}

/**
 * Deletes the volume directory of a dropped table (after the DROP TABLE is durable in the WAL):
 * the manifest first, made durable, then the rest. A crash part-way leaves volumes no manifest
 * lists — leftovers the next open deletes — and never a manifest whose volumes are gone, which
 * the next open would have to refuse (ERR_NOT_FOUND) before replay could see the DROP.
 */
export async function removeTableDirectory(dir: string): Promise<void> {
  try {
    await unlink(join(dir, MANIFEST_FILE_NAME));
    await fsyncDirectory(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT' && !(error instanceof PermafrostError && String(error.cause).includes('ENOENT'))) {
      throw error instanceof PermafrostError ? error : ioError('cannot delete the manifest of a dropped table', error, join(dir, MANIFEST_FILE_NAME));
    }
  }
  crashPoint('drop.after-manifest-delete');
  try {
    await rm(dir, { recursive: true, force: true });
  } catch (error) {
    throw ioError('cannot delete the volumes of a dropped table', error, dir);
  }
}

/** Loads one table directory of `volumes/`; returns the number of volumes loaded. */
async function loadTableDirectory(catalog: SchemaCatalog, volumesDir: string, name: string, removed: string[]): Promise<{ volumes: number; checkpointLsn: bigint }> {
  const dir = join(volumesDir, name);
  const manifestPath = join(dir, MANIFEST_FILE_NAME);
  const bytes = await readManifestFile(manifestPath);
  const manifest = bytes === undefined ? undefined : decodeTableManifest(bytes, manifestPath);
  const listed = new Set((manifest?.segments ?? []).map((segment) => segment.segmentId));
  for (const file of await readdir(dir)) {
    const id = parseVolumeFileName(file);
    const leftover = file.endsWith('.tmp') || file.endsWith('.dv') || (file.endsWith('.vol') && (id === undefined || !listed.has(id)));
    if (leftover && file !== MANIFEST_FILE_NAME) await removeFile(join(dir, file), removed);
    else if (file === MANIFEST_TEMP_FILE_NAME) await removeFile(join(dir, file), removed);
  }
  if (manifest === undefined) return { volumes: 0, checkpointLsn: 0n };
  const readers: VolumeReader[] = [];
  try {
    for (const segment of manifest.segments) {
      const path = join(dir, volumeFileName(segment.segmentId));
      try {
        readers.push(await VolumeReader.open(path));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error instanceof PermafrostError && error.code === 'ERR_IO' && String(error.cause).includes('ENOENT'))) {
          throw new PermafrostError('ERR_NOT_FOUND', `manifest of table '${name}' lists volume ${segment.segmentId} but its file is missing`, { file: path, cause: error });
        }
        throw error;
      }
    }
  } catch (error) {
    await Promise.all(readers.map((reader) => reader.close()));
    throw error;
  }
  catalog.pendingCold.set(name, { manifest, readers });
  return { volumes: readers.length, checkpointLsn: manifest.checkpointLsn };
}

async function loadLegacySnapshots(catalog: SchemaCatalog, snapshotsDir: string, tables: readonly string[]): Promise<{ loaded: number; fromLsn: bigint }> {
  let loaded = 0;
  let fromLsn: bigint | undefined;
  for (const name of tables) {
    const dir = join(snapshotsDir, name);
    const files = (await readdir(dir)).filter((file) => /^snapshot-.*\.bin$/.test(file)).sort().reverse();
    let lastError: unknown;
    for (const file of files) {
      try {
        const snapshot = await readSnapshotFile(join(dir, file));
        const state = catalog.define(snapshot.schema);
        for (const row of snapshot.rows) {
          state.hot.set(row.rowId, padRow(state.schema, row.version.values));
          state.noteRowId(row.rowId);
        }
        loaded += 1;
        fromLsn = fromLsn === undefined || snapshot.header.sourceLsn < fromLsn ? snapshot.header.sourceLsn : fromLsn;
        lastError = undefined;
        break;
      } catch (error) {
        lastError = error;
      }
    }
    if (lastError !== undefined) throw lastError;
  }
  let metaLsn: bigint | undefined;
  try {
    metaLsn = decodeSnapshotMeta(await readFile(join(snapshotsDir, 'snapshot_meta.bin'))).lsn;
  } catch {
    metaLsn = undefined; // stoolap: any problem with the metadata means "use the snapshots' LSNs"
  }
  const candidates = [fromLsn, metaLsn !== undefined && metaLsn > 0n ? metaLsn : undefined].filter((lsn): lsn is bigint => lsn !== undefined);
  return { loaded, fromLsn: candidates.length === 0 ? 0n : candidates.reduce((a, b) => (a < b ? a : b)) };
}

/** Where `retireSnapshots` moves `snapshots/` before deleting it. */
const RETIRED_SNAPSHOTS = 'snapshots.migrated';

async function removeDirectory(path: string, removed: string[]): Promise<void> {
  try {
    await rm(path, { recursive: true });
    removed.push(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw ioError('cannot delete leftover directory', error, path);
  }
}

/** A `snapshots/` directory holding PRAGMA SNAPSHOT backups (stoolap keeps those after a migration). */
async function isBackupDirectory(snapshotsDir: string): Promise<boolean> {
  try {
    return (await readdir(snapshotsDir)).some((name) => /^ddl(-.*)?\.bin$/.test(name));
  } catch (error) {
    throw ioError(`cannot list ${snapshotsDir}`, error, snapshotsDir);
  }
}

/** True when some table's manifest carries a checkpoint LSN (or cannot be read: volume mode then refuses it). */
async function anyCheckpointedManifest(volumesDir: string, tables: readonly string[]): Promise<boolean> {
  for (const name of tables) {
    const path = join(volumesDir, name, MANIFEST_FILE_NAME);
    const bytes = await readManifestFile(path);
    if (bytes === undefined) continue;
    try {
      if (decodeTableManifest(bytes, path).checkpointLsn > 0n) return true;
    } catch {
      return true;
    }
  }
  return false;
}

/**
 * Retires the 0.3.7 snapshots once a migration's checkpoint has written its manifests, as
 * stoolap deletes them (§8.4 step 8; a directory with `ddl-*.bin` / `ddl.bin` is a backup
 * and stays). Renamed first, so that a crash part-way never leaves a partial `snapshots/` that
 * a later open would migrate again (resurrecting rows the truncated WAL no longer deletes).
 */
export async function retireSnapshots(dir: string): Promise<void> {
  const snapshotsDir = join(dir, 'snapshots');
  if ((await subdirectories(snapshotsDir)).length === 0 || (await isBackupDirectory(snapshotsDir))) return;
  const retired = join(dir, RETIRED_SNAPSHOTS);
  try {
    await rm(retired, { recursive: true, force: true });
    await rename(snapshotsDir, retired);
    await fsyncDirectory(dir);
  } catch (error) {
    throw error instanceof PermafrostError ? error : ioError('cannot retire the migrated snapshots', error, snapshotsDir);
  }
  crashPoint('migration.after-snapshots-retired');
  await rm(retired, { recursive: true, force: true }).catch((error: unknown) => {
    throw ioError('cannot delete the migrated snapshots', error, retired);
  });
}

/** The oldest WAL file and the LSN in its name: the WAL holds every entry after that LSN. */
async function oldestWalFile(walDir: string): Promise<{ path: string; lsn: bigint } | undefined> {
  let names: string[];
  try {
    names = (await readdir(walDir)).filter(isWalFileName).sort(compareWalFileNames);
  } catch (error) {
    throw ioError(`cannot list ${walDir}`, error, walDir);
  }
  return names.length === 0 ? undefined : { path: join(walDir, names[0]!), lsn: walFileLsn(names[0]!) };
}

/** Runs the recovery path for `dir` into `catalog`. */
export async function recoverStore(pm: PersistenceManager, catalog: SchemaCatalog, dir: string | null): Promise<StoreRecoveryReport> {
  if (dir === null || !pm.enabled) {
    return { mode: 'memory', replayFromLsn: 0n, replay: undefined, rowsReplayed: 0, ddlReplayed: 0, volumesLoaded: 0, leftoversRemoved: [], unreachableTables: [], snapshotsLoaded: 0 };
  }
  const volumesDir = join(dir, 'volumes');
  const snapshotsDir = join(dir, 'snapshots');
  const removed: string[] = [];
  let volumeTables = await subdirectories(volumesDir);
  const snapshotTables = await subdirectories(snapshotsDir);
  let mode: RecoveryMode;
  let fromLsn = 0n;
  let volumesLoaded = 0;
  let snapshotsLoaded = 0;
  let retireSnapshotsAfterReplay = false;
  // A catalog write or a snapshot retirement that a crash interrupted.
  await removeFile(join(volumesDir, `${CATALOG_FILE_NAME}.tmp`), removed);
  await removeDirectory(join(dir, RETIRED_SNAPSHOTS), removed);
  if (volumeTables.length > 0 && snapshotTables.length > 0 && !(await isBackupDirectory(snapshotsDir))) {
    // Volumes beside 0.3.7 snapshots: a migration (step 4) that a crash interrupted. Once its
    // cycle has put a checkpoint LSN in a manifest, every row is in the manifests or the WAL:
    // recover from the volumes and retire the snapshots. Before that the WAL is untouched
    // and the volumes may lack tables: delete them and migrate again from the snapshots.
    if (await anyCheckpointedManifest(volumesDir, volumeTables)) {
      retireSnapshotsAfterReplay = true;
    } else {
      for (const name of volumeTables) {
        await removeTableDirectory(join(volumesDir, name));
        removed.push(join(volumesDir, name));
      }
      volumeTables = [];
    }
  }
  if (volumeTables.length > 0) {
    mode = 'volumes';
    let smallest: bigint | undefined;
    for (const name of volumeTables) {
      const { volumes, checkpointLsn } = await loadTableDirectory(catalog, volumesDir, name, removed);
      volumesLoaded += volumes;
      if (checkpointLsn > 0n && (smallest === undefined || checkpointLsn < smallest)) smallest = checkpointLsn;
    }
    fromLsn = smallest ?? 0n;
  } else if (snapshotTables.length > 0) {
    mode = 'legacy-snapshots';
    const legacy = await loadLegacySnapshots(catalog, snapshotsDir, snapshotTables);
    snapshotsLoaded = legacy.loaded;
    fromLsn = legacy.fromLsn;
  } else {
    mode = 'wal';
    fromLsn = pm.checkpointLsn;
  }
  const tally: ReplayTally = { rows: 0, ddl: 0, orphanEntries: 0 };
  const replay = await pm.replayTwoPhase(fromLsn, (entry) => {
    if (entry.isCommitMarker || entry.isAbortMarker || entry.isTruncationMarker) return;
    applyReplayedEntry(catalog, entry, tally);
  });
  // Tables dropped during replay: their directories go (only names listed in volumes/ — a
  // name from the WAL is never turned into a path).
  await Promise.all(catalog.droppedReaders.map((reader) => reader.close()));
  for (const name of volumeTables) {
    if (!catalog.droppedDuringReplay.has(name)) continue;
    await removeTableDirectory(join(volumesDir, name));
    removed.push(join(volumesDir, name));
  }
  const unreachableTables: string[] = [];
  const walStart = catalog.pendingCold.size === 0 ? undefined : await oldestWalFile(join(dir, 'wal'));
  for (const [name, cold] of catalog.pendingCold) {
    if (walStart !== undefined && cold.manifest.checkpointLsn >= walStart.lsn) {
      // Every checkpoint re-records the CREATE TABLE of each table after its LSN, and the WAL
      // keeps every entry after walStart.lsn: the entry must be there, so the WAL is damaged.
      const damage = pm.recoveryReport.tornTail ?? pm.recoveryReport.corruption[0];
      throw new PermafrostError(
        'ERR_CORRUPT',
        `volumes/${name}/manifest.bin (checkpoint LSN ${cold.manifest.checkpointLsn}, ${cold.manifest.segments.length} volumes) needs the CREATE TABLE the WAL holds after LSN ${walStart.lsn}, ` +
          `but the WAL has none: its schema entries are damaged or cut${damage === undefined ? '' : ` (${damage.what} at offset ${damage.offset} of ${damage.file})`}; ` +
          'refusing to open without the table',
        { file: walStart.path },
      );
    }
    unreachableTables.push(name);
  }
  if (retireSnapshotsAfterReplay) {
    await retireSnapshots(dir);
    removed.push(snapshotsDir);
  }
  return { mode, replayFromLsn: fromLsn, replay, rowsReplayed: tally.rows, ddlReplayed: tally.ddl, volumesLoaded, leftoversRemoved: removed, unreachableTables, snapshotsLoaded };
}
