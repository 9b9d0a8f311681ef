/**
 * WAL truncation (spec §2.13) and the repair of an interrupted one at open (§2.14).
 *
 * `truncateWal(upToLsn)` keeps only entries with LSN > upToLsn. With the writer paused:
 * 1. flush and fdatasync everything written so far;
 * 2. delete every older file whose successor starts at or below upToLsn, fsync the directory;
 * 3. if the current file's name LSN ≥ upToLsn, stop;
 * 4. copy the current file's valid entries with LSN > upToLsn, verbatim, to `wal-temp-<ns>.log`
 *    (if none, write the marker entry: LSN upToLsn+1, previous LSN 0, txn −1000, Commit, no flags);
 * 5. fdatasync the temp file; rename current → `<current>.bak`; rename temp →
 *    `wal-<now>-lsn-<upToLsn>.log`; fsync the directory;
 * 6. switch the writer to the new file, delete the `.bak`, resume the writer.
 *
 * | crash after     | files in wal/                          | repair at next open |
 * |-----------------|----------------------------------------|---------------------|
 * | 2               | fewer old files                        | none (they were covered) |
 * | 4 (partial temp)| current + temp                         | temp deleted |
 * | 5, first rename | `.bak` + complete temp                 | temp deleted, `.bak` renamed back (no newer file) |
 * | 5, second rename| `.bak` + new file                      | `.bak` deleted (a file with a higher LSN exists) |
 * | 6               | new file (+ maybe `.bak`)              | `.bak` deleted |
 *
 * Deviations (docs/wal.md): ✱ the repair keeps the backup unless a WAL file with a higher LSN
 * exists (stoolap deletes it whenever any `wal-*.log` exists, which can lose the tail); ✱ the
 * marker's LSN is taken by the writer, so the next entry does not reuse it; ✱ upToLsn is
 * lowered below the first entry of any transaction still open, so a later commit never finds
 * its own entries truncated; ✱ checkpoint.meta is rewritten to name the new file.
 */
import { join } from 'node:path';
import { PermafrostError, ioError } from '../errors';
import { type FileSystem, writeFullySync } from '../io/file-system';
import { DraftBuffer } from './draft-buffer';
import { MARKER_TXN_ID, WalOperation } from './wal-constants';
import {
  BACKUP_SUFFIX,
  compareWalFileNames,
  isBackupFileName,
  isCheckpointTempName,
  isTempFileName,
  isWalFileName,
  plainWalFileName,
  tempWalFileName,
  walFileLsn,
} from './wal-file-names';
import { scanWalFile } from './wal-scanner';
import type { WalSegment, WalWriter } from './wal-writer';

/** Something the opener repaired in `wal/`. */
export interface WalRepair {
  readonly action: 'deleted-temp' | 'restored-backup' | 'deleted-backup' | 'kept-backup';
  readonly file: string;
}

/** The WAL file names in `walDir`, in replay order. */
export async function listWalFiles(fileSystem: FileSystem, walDir: string): Promise<string[]> {
  const names = await fileSystem.readdir(walDir);
  return names.filter(isWalFileName).sort(compareWalFileNames);
}

/** Repairs what an interrupted truncation (or checkpoint.meta write) left in `walDir`. */
export async function repairInterruptedTruncation(fileSystem: FileSystem, walDir: string): Promise<WalRepair[]> {
  const repairs: WalRepair[] = [];
  const names = await fileSystem.readdir(walDir);
  for (const name of names) {
    if (!isTempFileName(name) && !isCheckpointTempName(name)) continue;
    await fileSystem.unlink(join(walDir, name));
    repairs.push({ action: 'deleted-temp', file: name });
  }
  const walFiles = names.filter(isWalFileName);
  for (const name of names.filter(isBackupFileName)) {
    const original = name.slice(0, -BACKUP_SUFFIX.length);
    const lsn = walFileLsn(original);
    if (walFiles.includes(original)) {
      repairs.push({ action: 'kept-backup', file: name });
    } else if (walFiles.some((other) => walFileLsn(other) > lsn)) {
      await fileSystem.unlink(join(walDir, name));
      repairs.push({ action: 'deleted-backup', file: name });
    } else {
      await fileSystem.rename(join(walDir, name), join(walDir, original));
      walFiles.push(original);
      repairs.push({ action: 'restored-backup', file: name });
    }
  }
  if (repairs.some((repair) => repair.action !== 'kept-backup')) await fileSystem.fsyncDirectory(walDir);
  return repairs;
}

export interface TruncationContext {
  readonly fileSystem: FileSystem;
  readonly walDir: string;
  readonly writer: WalWriter;
  readonly clock: () => bigint;
}

export interface TruncationResult {
  /** The truncation point actually used (lowered below open transactions). */
  readonly upToLsn: bigint;
  readonly deletedFiles: readonly string[];
  /** The new current file, when the current file was rewritten. */
  readonly newFile: string | undefined;
}

/** Step 2: deletes older files whose successor starts at or below `upToLsn`. */
async function deleteCoveredFiles(context: TruncationContext, upToLsn: bigint): Promise<string[]> {
  const { fileSystem, walDir, writer } = context;
  const names = await listWalFiles(fileSystem, walDir);
  const deleted: string[] = [];
  for (let index = 0; index + 1 < names.length; index += 1) {
    const name = names[index]!;
    if (name === writer.current.name || walFileLsn(names[index + 1]!) > upToLsn) continue;
    await fileSystem.unlink(join(walDir, name));
    deleted.push(name);
  }
  if (deleted.length > 0) await fileSystem.fsyncDirectory(walDir);
  return deleted;
}

/** Step 4: copies entries with LSN > upToLsn to `tempPath`; returns the bytes written. */
async function copyTail(context: TruncationContext, source: WalSegment, tempFd: number, upToLsn: bigint): Promise<number> {
  let written = 0;
  for await (const batch of scanWalFile(context.fileSystem, source.path, { sizeBytes: source.writtenBytes })) {
    for (let i = 0; i < batch.count; i += 1) {
      if (!batch.isEntry(i) || batch.lsn(i) <= upToLsn) continue;
      const at = batch.windowPosition(i);
      const length = batch.entryBytes(i);
      writeFullySync(context.fileSystem, tempFd, batch.window, at, length, written);
      written += length;
    }
  }
  if (written > 0) return written;
  const marker = new DraftBuffer(128);
  const lsn = upToLsn + 1n;
  marker.append({
    lsn,
    previousLsn: 0n,
    flags: 0,
    txnId: MARKER_TXN_ID,
    tableName: new Uint8Array(0),
    rowId: 0n,
    operation: WalOperation.Commit,
    timestampNanos: context.clock(),
    payload: new Uint8Array(0),
  });
  const bytes = marker.seal();
  writeFullySync(context.fileSystem, tempFd, bytes, 0, bytes.length, 0);
  context.writer.advanceLsnTo(lsn);
  return bytes.length;
}

/** Runs the truncation protocol. The caller serializes it with other maintenance. */
export async function truncateWal(context: TruncationContext, requestedUpToLsn: bigint): Promise<TruncationResult> {
  const { writer } = context;
  const oldestOpen = writer.oldestOpenLsn;
  const upToLsn = oldestOpen !== undefined && oldestOpen <= requestedUpToLsn ? oldestOpen - 1n : requestedUpToLsn;
  await writer.pause();
  try {
    await writer.syncWhilePaused();
    const deletedFiles = await deleteCoveredFiles(context, upToLsn);
    const source = writer.current;
    if (upToLsn <= 0n || walFileLsn(source.name) >= upToLsn) return { upToLsn, deletedFiles, newFile: undefined };
    const newFile = await rewriteCurrent(context, source, upToLsn);
    return { upToLsn, deletedFiles, newFile };
  } finally {
    writer.resume();
  }
}

/** Steps 4-6. */
async function rewriteCurrent(context: TruncationContext, source: WalSegment, upToLsn: bigint): Promise<string> {
  const { fileSystem, walDir, writer } = context;
  const tempName = tempWalFileName(context.clock());
  const tempPath = join(walDir, tempName);
  const tempFd = await fileSystem.open(tempPath, 'wx', 0o644);
  let size: number;
  try {
    size = await copyTail(context, source, tempFd, upToLsn);
    await fileSystem.fdatasync(tempFd).catch((error: unknown) => {
      throw ioError('fdatasync of the truncated WAL copy failed', error, tempPath);
    });
  } catch (error) {
    await fileSystem.close(tempFd).catch(() => undefined);
    await fileSystem.unlink(tempPath).catch(() => undefined);
    throw error instanceof PermafrostError ? error : ioError('cannot write the truncated WAL copy', error, tempPath);
  }
  await fileSystem.close(tempFd).catch(() => undefined);
  const backupPath = `${source.path}${BACKUP_SUFFIX}`;
  const newName = plainWalFileName(context.clock(), upToLsn);
  const newPath = join(walDir, newName);
  await fileSystem.rename(source.path, backupPath);
  try {
    await fileSystem.rename(tempPath, newPath);
  } catch (error) {
    await fileSystem.rename(backupPath, source.path);
    await fileSystem.unlink(tempPath).catch(() => undefined);
    throw ioError('cannot install the truncated WAL file', error, newPath);
  }
  await fileSystem.fsyncDirectory(walDir).catch((error: unknown) => {
    throw ioError('directory fsync after truncation failed', error, walDir);
  });
  const fd = await fileSystem.open(newPath, 'r+');
  await writer.replaceSegment({ name: newName, path: newPath, fd, writtenBytes: size, durableBytes: size, directoryDurable: true });
  await fileSystem.unlink(backupPath).catch(() => undefined);
  return newName;
}
