/**
 * File helpers for durable publication (spec §7). `publishFile` is a thin entry point to the
 * one atomic-write implementation, `atomic-file.ts` (its header lists what a crash between any
 * two steps leaves behind); `writeAll` is the short-write loop of `writev` that the volume
 * writer's streamed publish uses; `fsyncDirectory` makes renames and unlinks durable.
 */
import { unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { ioError } from '../errors';
import { writeFileAtomic } from './atomic-file';
import { nodeFileSystem } from './file-system';

/** fsync of a directory (makes renames and unlinks in it durable); a no-op on Windows. */
export async function fsyncDirectory(dir: string): Promise<void> {
  try {
    await nodeFileSystem.fsyncDirectory(dir);
  } catch (error) {
    throw ioError(`cannot fsync directory ${dir}`, error, dir);
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

/**
 * Publishes `pieces` (concatenated) as `dir/finalName` via `dir/tmpName`, through the one
 * implementation of the atomic write (`atomic-file.ts`). A leftover `tmpName` from a crash
 * is removed first — a symlink planted there is unlinked, never written through — because
 * the temp file is then created exclusively.
 */
export async function publishFile(dir: string, tmpName: string, finalName: string, pieces: readonly Uint8Array[]): Promise<string> {
  const tmpPath = join(dir, tmpName);
  try {
    await unlink(tmpPath);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw ioError(`cannot remove a leftover ${tmpName}`, error, tmpPath);
  }
  const bytes = pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces);
  await writeFileAtomic(nodeFileSystem, dir, finalName, tmpName, bytes);
  return join(dir, finalName);
}
