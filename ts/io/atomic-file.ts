/**
 * Atomic replacement of a small file: the one place the temp → fsync → rename → directory
 * fsync dance is written (spec §7, "atomic write").
 *
 * Steps and what a crash between them leaves behind:
 *
 * | after step                         | on disk after a crash                         | next open sees |
 * |------------------------------------|-----------------------------------------------|----------------|
 * | 1. create `<temp>` (exclusive)     | an empty or partial temp file                 | the old file (the temp is a leftover the owner deletes) |
 * | 2. write all bytes, 3. fsync temp  | a complete temp file                          | the old file |
 * | 4. rename temp over the final name | the new file (power loss: old or new)         | old or new, never a mix |
 * | 5. fsync the directory             | the new file, durably                         | the new file |
 *
 * On a failure before the rename the temp file is removed (best effort) and the error is
 * rethrown; the final file is untouched.
 */
import { join } from 'node:path';
import { ioError } from '../errors';
import { type FileSystem, writeFullySync } from './file-system';

/** Atomically replaces `directory/fileName` with `bytes`, staging them in `directory/tempName`. */
export async function writeFileAtomic(
  fileSystem: FileSystem,
  directory: string,
  fileName: string,
  tempName: string,
  bytes: Uint8Array,
): Promise<void> {
  const tempPath = join(directory, tempName);
  const finalPath = join(directory, fileName);
  let fd: number;
  try {
    fd = await fileSystem.open(tempPath, 'wx', 0o644);
  } catch (error) {
    throw ioError(`cannot create ${tempName}`, error, tempPath);
  }
  try {
    try {
      writeFullySync(fileSystem, fd, bytes, 0, bytes.length, 0);
    } catch (error) {
      throw ioError(`cannot write ${tempName}`, error, tempPath);
    }
    try {
      await fileSystem.fsync(fd);
    } catch (error) {
      throw ioError(`fsync of ${tempName} failed`, error, tempPath);
    }
  } catch (error) {
    await fileSystem.close(fd).catch(() => undefined);
    await fileSystem.unlink(tempPath).catch(() => undefined);
    throw error;
  }
  await fileSystem.close(fd).catch(() => undefined);
  try {
    await fileSystem.rename(tempPath, finalPath);
  } catch (error) {
    await fileSystem.unlink(tempPath).catch(() => undefined);
    throw ioError(`cannot rename ${tempName} to ${fileName}`, error, finalPath);
  }
  try {
    await fileSystem.fsyncDirectory(directory);
  } catch (error) {
    throw ioError('directory fsync failed', error, directory);
  }
}
