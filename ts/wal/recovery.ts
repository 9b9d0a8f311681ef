/**
 * Opening a WAL directory: repair, phase-1 analysis, torn-tail cut, and the state the writer
 * starts from. Runs only after the directory lock is held (✱ stoolap repairs before locking).
 *
 * Steps and what a crash between them leaves (every step is idempotent, so a crash during
 * recovery is repaired by the next recovery):
 * 1. create `wal/` if missing (and fsync its parent);
 * 2. repair an interrupted truncation (`truncation.ts`);
 * 3. read `checkpoint.meta` (unreadable ⇒ reported, checkpoint LSN 0);
 * 4. scan and analyse every WAL file (`wal-analysis.ts`); with `onCorruption: 'throw'`, fail
 *    here on damage that is not a torn tail, before anything else is changed;
 * 5. ✱ cut a torn tail off the last file (ftruncate + fdatasync), so new entries never follow
 *    garbage (stoolap appends after it, §11 item 3);
 * 6. open the last file for writing and fdatasync it (what recovery found is durable before
 *    anything is acknowledged on top of it), or create `wal-<now>-lsn-0.log` when there is none.
 */
import { dirname, join } from 'node:path';
import { PermafrostError, ioError, isPermafrostError } from '../errors';
import type { FileSystem } from '../io/file-system';
import { type CheckpointMeta, decodeCheckpointMeta } from './checkpoint-meta';
import { WalAnalysis, WalAnalyzer, type DroppedTransaction } from './wal-analysis';
import { damageError, type WalDamage } from './wal-damage';
import { CHECKPOINT_META_NAME, plainWalFileName, walFileLsn } from './wal-file-names';
import type { ScanBatch } from './scan-batch';
import { scanWalFile } from './wal-scanner';
import { listWalFiles, repairInterruptedTruncation, type WalRepair } from './truncation';
import type { WalSegment } from './wal-writer';

/** What opening the WAL found and repaired. */
export interface WalRecoveryReport {
  readonly repairs: readonly WalRepair[];
  /** The torn tail cut off the last file, if there was one. */
  readonly tornTail: WalDamage | undefined;
  /** Damaged regions that are not a torn tail (left in place, skipped by replay). */
  readonly corruption: readonly WalDamage[];
  /** Committed transactions that will not be replayed because entries of theirs are missing. */
  readonly droppedTransactions: readonly DroppedTransaction[];
  /** Transactions with entries but no commit or rollback (never applied). */
  readonly inDoubtTransactions: number;
  /** Why checkpoint.meta could not be read, if it exists and could not. */
  readonly checkpointMetaError: PermafrostError | undefined;
}

export interface RecoveredWal {
  readonly segment: WalSegment;
  readonly analysis: WalAnalysis;
  /** The LSN the writer continues after. */
  readonly lastLsn: bigint;
  readonly checkpointMeta: CheckpointMeta | undefined;
  readonly report: WalRecoveryReport;
}

export interface RecoveryOptions {
  readonly clock: () => bigint;
  readonly onCorruption: 'report' | 'throw';
}

/** Reads checkpoint.meta: the decoded file, undefined when absent, or the error. */
export async function readCheckpointMeta(
  fileSystem: FileSystem,
  walDir: string,
): Promise<{ meta: CheckpointMeta | undefined; error: PermafrostError | undefined }> {
  const path = join(walDir, CHECKPOINT_META_NAME);
  let bytes: Buffer;
  try {
    bytes = await fileSystem.readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { meta: undefined, error: undefined };
    return { meta: undefined, error: ioError('cannot read checkpoint.meta', error, path) };
  }
  try {
    return { meta: decodeCheckpointMeta(bytes), error: undefined };
  } catch (error) {
    if (isPermafrostError(error)) return { meta: undefined, error: error.locate(path) };
    throw error;
  }
}

/** WALs up to this size keep their phase-1 scan for the first replay (see WalAnalysis.batches). */
export const RETAINED_SCAN_BYTES_MAX = 64 << 20;

/** Phase 1 over the files on disk; `retainBatches` keeps the scan when the WAL is small enough. */
export async function analyzeWalFiles(
  fileSystem: FileSystem,
  walDir: string,
  names: readonly string[],
  retainBatches = false,
): Promise<WalAnalysis> {
  const analyzer = new WalAnalyzer({ oldestRetainedLsn: names.length > 0 ? walFileLsn(names[0]!) : 0n });
  const sizes: number[] = [];
  for (const name of names) {
    const fd = await fileSystem.open(join(walDir, name), 'r');
    sizes.push(await fileSystem.sizeOf(fd).finally(() => fileSystem.close(fd)));
  }
  const retain = retainBatches && sizes.reduce((sum, size) => sum + size, 0) <= RETAINED_SCAN_BYTES_MAX;
  const kept = new Map<string, ScanBatch[]>();
  for (let index = 0; index < names.length; index += 1) {
    const name = names[index]!;
    const sizeBytes = sizes[index]!;
    const batches: ScanBatch[] = [];
    analyzer.beginFile({ name, sizeBytes }, index === names.length - 1);
    for await (const batch of scanWalFile(fileSystem, join(walDir, name), { sizeBytes })) {
      analyzer.addBatch(batch);
      if (retain) batches.push(batch.compacted());
    }
    analyzer.endFile();
    kept.set(name, batches);
  }
  const analysis = analyzer.finish();
  if (retain) analysis.batches = kept;
  return analysis;
}

async function openLastFile(fileSystem: FileSystem, walDir: string, name: string, tornTail: WalDamage | undefined): Promise<WalSegment> {
  const path = join(walDir, name);
  const fd = await fileSystem.open(path, 'r+');
  try {
    if (tornTail !== undefined) await fileSystem.ftruncate(fd, tornTail.offset);
    const size = await fileSystem.sizeOf(fd);
    await fileSystem.fdatasync(fd);
    return { name, path, fd, writtenBytes: size, durableBytes: size, directoryDurable: true };
  } catch (error) {
    await fileSystem.close(fd).catch(() => undefined);
    throw ioError('cannot prepare the WAL file for appending', error, path);
  }
}

async function createFreshFile(fileSystem: FileSystem, walDir: string, clock: () => bigint): Promise<WalSegment> {
  const name = plainWalFileName(clock(), 0n);
  const path = join(walDir, name);
  const fd = await fileSystem.open(path, 'wx', 0o644);
  await fileSystem.fsyncDirectory(walDir);
  return { name, path, fd, writtenBytes: 0, durableBytes: 0, directoryDurable: true };
}

/** Recovers `walDir` (see the module header). The caller holds the directory lock. */
export async function recoverWal(fileSystem: FileSystem, walDir: string, options: RecoveryOptions): Promise<RecoveredWal> {
  try {
    return await recoverSteps(fileSystem, walDir, options);
  } catch (error) {
    throw error instanceof PermafrostError ? error : ioError('cannot recover the WAL', error, walDir);
  }
}

async function recoverSteps(fileSystem: FileSystem, walDir: string, options: RecoveryOptions): Promise<RecoveredWal> {
  if (await fileSystem.mkdir(walDir)) await fileSystem.fsyncDirectory(dirname(walDir));
  const repairs = await repairInterruptedTruncation(fileSystem, walDir);
  const { meta, error: checkpointMetaError } = await readCheckpointMeta(fileSystem, walDir);
  const names = await listWalFiles(fileSystem, walDir);
  const analysis = await analyzeWalFiles(fileSystem, walDir, names, true);
  const corruption = analysis.corruption;
  if (options.onCorruption === 'throw' && corruption.length > 0) throw damageError(corruption[0]!);
  const tornTail = analysis.tornTail;
  const last = names[names.length - 1];
  const segment =
    last === undefined ? await createFreshFile(fileSystem, walDir, options.clock) : await openLastFile(fileSystem, walDir, last, tornTail);
  let lastLsn = analysis.lastLsn;
  for (const name of names) if (walFileLsn(name) > lastLsn) lastLsn = walFileLsn(name);
  if (meta !== undefined && meta.lsn > lastLsn) lastLsn = meta.lsn;
  const report: WalRecoveryReport = {
    repairs,
    tornTail,
    corruption,
    droppedTransactions: analysis.droppedTransactions,
    inDoubtTransactions: analysis.inDoubtTransactions,
    checkpointMetaError,
  };
  return { segment, analysis, lastLsn, checkpointMeta: meta, report };
}
