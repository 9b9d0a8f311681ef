/**
 * The checkpoint cycle: committed hot rows become volumes, and the WAL is cut back.
 *
 * Order of durable steps (each file write is temp → fsync → rename → directory fsync):
 *   0. Under the commit fence: L = the current LSN; every commit ≤ L is applied in memory.
 *   1. Seal: each table's hot rows → new `vol_<id>.vol` files.
 *   2. Manifests, pass 1: every changed table's manifest lists its new volumes and
 *      tombstones, still with its OLD checkpoint LSN.
 *   3. Re-record all DDL (CREATE TABLE / INDEX / VIEW) in the WAL (LSNs > L), then fsync.
 *   4. Manifests, pass 2: every manifest's checkpoint LSN := L.
 *   5. `volumes/volumes.catalog` (STVC) with each volume's time range.
 *   6. `wal/checkpoint.meta` := L.
 *   7. WAL truncation up to L (its own temp/.bak protocol, spec §2.13).
 *
 * What a crash between steps leaves, and why nothing committed is lost:
 *   - in 1 or before 2 completes for a table: that table's new volumes are orphans (deleted at
 *     open); its manifest still has the old LSN, so replay covers its rows from the WAL,
 *     which is untouched until step 7.
 *   - between 2 and 4: manifests list the new volumes with old LSNs; replay from the old LSN
 *     re-offers rows the volumes hold, and replay skips those (replay-apply.ts).
 *   - during 4 (some manifests at L, some old): recovery replays from the smallest non-zero
 *     LSN. A table still at an old LSN replays its rows from there; a table whose manifest
 *     has LSN 0 already lists (pass 1) every row it committed up to L, so skipping WAL
 *     entries ≤ L loses nothing — for stoolap's rule as well as ours. This is why pass 1
 *     exists: with one pass, stoolap would skip the rows of a table whose first manifest was
 *     not yet written.
 *   - between 4 and 7: the WAL still holds entries ≤ L; they are replayed and skipped.
 *   - checkpoint.meta is written only after every manifest says L, so stoolap's
 *     substitution of checkpoint.meta's LSN (spec §11 item 4) can never skip unsealed rows.
 * If any step fails, the cycle stops before truncation and throws; the WAL still has all data.
 *
 * Named crash points (crash-points.ts; a test hook: `PERMAFROST_CRASH_AT=<point>[@<n>]` makes
 * the process SIGKILL itself there, the n-th time; otherwise each is a no-op comparison).
 * `__test__/store/crash-kill.spec.ts` kills a writing child at each one and checks recovery:
 *   checkpoint.start                   under the fence, L taken, nothing written (before 1)
 *   checkpoint.mid-seal                1, after the first table's volumes, before the next table's
 *   checkpoint.after-seal              after 1: every new volume durable, no manifest lists it
 *   checkpoint.mid-manifests-pass1     2, after the first manifest (old LSN), before the next
 *   checkpoint.after-manifests-pass1   after 2
 *   checkpoint.after-ddl-rerecord      after 3 (the re-recorded DDL is fsynced)
 *   checkpoint.mid-manifests-pass2     4, after the first manifest at L, before the next
 *   checkpoint.after-manifests-pass2   after 4
 *   checkpoint.after-catalog           after 5
 *   checkpoint.after-checkpoint-meta   after 6, before truncation
 *   truncate.after-backup-rename       7, current WAL file renamed to `.bak`, copy not installed
 *   truncate.after-install-rename      7, truncated copy installed, `.bak` still there
 *   truncate.before-backup-delete      7, directory fsynced, `.bak` about to be deleted
 *   checkpoint.after-truncation        after 7, before the cycle returns
 * The three `truncate.*` points are reached through the file-system seam
 * (`withTruncationCrashPoints`), so the WAL code itself carries no hook. DROP TABLE has two
 * more (store.ts, open-store.ts `removeTableDirectory`):
 *   drop.after-log                     the DROP TABLE is durable in the WAL, no file deleted
 *   drop.after-manifest-delete         the table's manifest is deleted, its volumes not yet
 * and the 0.3.7 migration one (open-store.ts `retireSnapshots`, run between 5 and 6):
 *   migration.after-snapshots-retired  `snapshots/` renamed away, not yet deleted
 */
import { join } from 'node:path';
import { mkdir } from 'node:fs/promises';
import { VolumeCatalog, writeCatalog } from '../catalog/volume-catalog';
import { ioError } from '../errors';
import { encodeTableManifest, MANIFEST_FILE_NAME, MANIFEST_TEMP_FILE_NAME } from '../manifest/table-manifest';
import { publishFile } from '../io/publish-file';
import type { PersistenceManager } from '../persistence/persistence-manager';
import { nextVolumeId } from '../volume/volume-id';
import { tableDirectory } from '../volume/volume-files';
import type { SchemaCatalog } from './schema-catalog';
import { crashPoint } from './crash-points';
import { sealRows, type SealedVolume } from './seal';
import type { TableState } from './table-state';
import { segmentTimes } from './time-column';

export interface CheckpointReport {
  /** The checkpoint LSN (0n when nothing is persisted: memory-only mode). */
  readonly checkpointLsn: bigint;
  readonly tablesSealed: number;
  readonly rowsSealed: number;
  readonly volumesWritten: number;
  readonly durationMs: number;
}

export interface CheckpointContext {
  readonly pm: PersistenceManager;
  readonly catalog: SchemaCatalog;
  readonly dir: string;
  readonly rowsPerVolume: number;
  readonly compress: boolean;
  /** Runs after the manifests and the catalog, before checkpoint.meta (the migration retires the 0.3.7 snapshots there). */
  readonly beforeCheckpointMeta?: () => Promise<void>;
}

async function writeManifest(volumesDir: string, state: TableState, checkpointLsn: bigint): Promise<void> {
  const dir = tableDirectory(volumesDir, state.key);
  try {
    await mkdir(dir, { recursive: true });
  } catch (error) {
    throw ioError(`cannot create ${dir}`, error, dir);
  }
  await publishFile(dir, MANIFEST_TEMP_FILE_NAME, MANIFEST_FILE_NAME, [encodeTableManifest(state.toManifest(checkpointLsn))]);
  state.hasManifest = true;
}

/** Runs one cycle. The caller holds the commit fence. */
export async function runCheckpointCycle(context: CheckpointContext): Promise<CheckpointReport> {
  const started = performance.now();
  const { pm, catalog, dir } = context;
  const volumesDir = join(dir, 'volumes');
  const lsn = pm.currentLsn;
  crashPoint('checkpoint.start');
  const changed = new Set<TableState>();
  let rowsSealed = 0;
  let volumesWritten = 0;
  const sealedTimes = new Map<bigint, SealedVolume>();
  for (const state of catalog.tables.values()) {
    if (state.hot.size === 0) continue;
    if (changed.size > 0) crashPoint('checkpoint.mid-seal');
    const pieces = [...state.hot.pieces()];
    const sealed = await sealRows(state, pieces, { volumesDir, rowsPerVolume: context.rowsPerVolume, compress: context.compress, sealLsn: lsn, nextVolumeId });
    for (const volume of sealed) {
      state.addSegment(volume.segment, volume.reader);
      sealedTimes.set(volume.segment.segmentId, volume);
    }
    // A hot row superseded a cold one; sealed, it now does so from the newer volume.
    if (state.tombstones.size > 0) for (const rowId of state.hot.keys()) state.tombstones.delete(rowId);
    rowsSealed += state.hot.size;
    state.hot.clear();
    volumesWritten += sealed.length;
    changed.add(state);
  }
  crashPoint('checkpoint.after-seal');
  for (const state of catalog.tables.values()) {
    if (state.tombstones.size > 0 || state.segments.length > 0) changed.add(state);
  }
  let written = 0;
  for (const state of changed) {
    if (written++ > 0) crashPoint('checkpoint.mid-manifests-pass1');
    await writeManifest(volumesDir, state, state.manifestCheckpointLsn);
  }
  crashPoint('checkpoint.after-manifests-pass1');
  for (const record of catalog.ddlRecords()) await pm.recordDdl(record.tableName, record.operation, record.payload);
  await pm.sync();
  crashPoint('checkpoint.after-ddl-rerecord');
  const catalogFile = new VolumeCatalog();
  written = 0;
  for (const state of catalog.tables.values()) {
    if (!state.hasManifest) continue;
    if (written++ > 0) crashPoint('checkpoint.mid-manifests-pass2');
    await writeManifest(volumesDir, state, lsn);
    state.manifestCheckpointLsn = lsn;
    for (const segment of state.segments) {
      const times = sealedTimes.get(segment.volumeId) ?? segmentTimes(state, segment.reader);
      catalogFile.addVolume(state.key, { volumeId: segment.volumeId, rowCount: segment.segment.rowCount, timeMinMicros: times.timeMinMicros, timeMaxMicros: times.timeMaxMicros });
    }
  }
  crashPoint('checkpoint.after-manifests-pass2');
  if (changed.size > 0 || catalogFile.tableNames().length > 0) {
    await mkdir(volumesDir, { recursive: true });
    await writeCatalog(volumesDir, catalogFile);
  }
  crashPoint('checkpoint.after-catalog');
  await context.beforeCheckpointMeta?.();
  await pm.createCheckpoint([], lsn);
  crashPoint('checkpoint.after-checkpoint-meta');
  await pm.truncateWal(lsn);
  crashPoint('checkpoint.after-truncation');
  return { checkpointLsn: lsn, tablesSealed: [...changed].filter((s) => s.segments.length > 0).length, rowsSealed, volumesWritten, durationMs: performance.now() - started };
}
