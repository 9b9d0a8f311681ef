/**
 * Atomic publication of a file (spec §7): write the complete content to a temporary name
 * in the same directory, fsync it, rename it over the final name, fsync the directory.
 *
 * What a crash leaves behind, between any two steps:
 * - during the write or before the fsync: a partial `<tmp>`; the final name is untouched
 *   (absent, or the previous version). Owners of the directory ignore and delete temps.
 * - after the fsync, before the rename: a complete `<tmp>`, still invisible under the
 *   final name.
 * - after the rename, before the directory fsync: the new file is visible, but a power
 *   loss may revert the directory entry to the previous state (a process crash cannot).
 * - after the directory fsync: durable.
 * On an error the temp file is removed (best effort) and the error is `ERR_IO`.
 * The temp file is opened with O_NOFOLLOW, so a planted symlink is not written through.
 */
import { constants } from 'node:fs';
import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { ioError } from '../errors';

/** fsync of a directory (makes renames and unlinks in it durable); a no-op on Windows. */
export async function fsyncDirectory(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch (error) {
    throw ioError(`cannot fsync directory ${dir}`, error, dir);
  } finally {
    await handle?.close();
  }
}

/**
 * Writes `pieces` back to back, completing short writes: at the current file position, or
 * from `position` when one is given (positioned writes may run concurrently on one handle).
 */
export async function writeAll(handle: FileHandle, pieces: readonly Uint8Array[], position?: number): Promise<void> {
  let pending = pieces.filter((p) => p.length > 0);
  let at = position;
  while (pending.length > 0) {
    const { bytesWritten } = await handle.writev(pending.slice(0, 1024), at);
    if (at !== undefined) at += bytesWritten;
    let left = bytesWritten;
    const rest: Uint8Array[] = [];
    for (const piece of pending) {
      if (left >= piece.length) left -= piece.length;
      else {
        rest.push(left > 0 ? piece.subarray(left) : piece);
        left = 0;
      }
    }
    pending = rest;
  }
}

/** Publishes `pieces` (concatenated) as `dir/finalName` via `dir/tmpName`. */
export async function publishFile(dir: string, tmpName: string, finalName: string, pieces: readonly Uint8Array[]): Promise<string> {
  const tmpPath = join(dir, tmpName);
  const finalPath = join(dir, finalName);
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | (constants.O_NOFOLLOW ?? 0);
  let handle: FileHandle | undefined;
  try {
    handle = await open(tmpPath, flags, 0o644);
    await writeAll(handle, pieces);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await rename(tmpPath, finalPath);
  } catch (error) {
    await handle?.close().catch(() => undefined);
    await unlink(tmpPath).catch(() => undefined);
    throw ioError(`cannot write ${finalPath}`, error, finalPath);
  }
  await fsyncDirectory(dir);
  return finalPath;
}
