/**
 * The exclusive lock on a database directory: `<dir>/db.lock`, interoperable with stoolap.
 *
 * Protocol (spec §1, `file_lock.rs`): open `db.lock` read-write, creating it if missing but
 * never truncating it; take a non-blocking exclusive OS lock on the descriptor (`flock` on
 * Unix, `LockFileEx` on Windows, through the addon: Node has no flock); only then truncate the
 * file, write the decimal PID and fsync it. The file is never deleted: a second process must
 * always contend for the same inode. Closing the descriptor releases the lock, so a holder
 * that dies (even by SIGKILL) frees it.
 *
 * A loser changes nothing: it opened an existing file without truncating it, read the holder's
 * PID for the error message, and closed its descriptor. Because flock locks belong to the open
 * file description, a second handle in the same process or a worker thread loses exactly like
 * another process does.
 *
 * | after step                      | a crash leaves                                      |
 * |---------------------------------|-----------------------------------------------------|
 * | open / lock                     | an unchanged (or new, empty) `db.lock`; lock released by the OS |
 * | truncate, write PID, fsync      | `db.lock` with no, part of, or the whole PID: only informational |
 */
import { constants } from 'node:fs';
import { join } from 'node:path';
import { PermafrostError, ioError } from '../errors';
import { callNative } from '../native';
import { type FileSystem, readFully, writeFullySync } from './file-system';

/** File name of the lock inside a database directory. */
export const LOCK_FILE_NAME = 'db.lock';

export class DirectoryLock {
  readonly path: string;
  readonly #fileSystem: FileSystem;
  #fd: number | undefined;

  private constructor(fileSystem: FileSystem, path: string, fd: number) {
    this.#fileSystem = fileSystem;
    this.path = path;
    this.#fd = fd;
  }

  /**
   * Takes the lock on `directory` (which must exist) or fails at once with `ERR_LOCKED`
   * naming the holder's PID when it is known.
   */
  static async acquire(fileSystem: FileSystem, directory: string): Promise<DirectoryLock> {
    const path = join(directory, LOCK_FILE_NAME);
    let fd: number;
    try {
      fd = await fileSystem.open(path, constants.O_RDWR | constants.O_CREAT, 0o644);
    } catch (error) {
      throw ioError('cannot open the lock file', error, path);
    }
    let locked: boolean;
    try {
      locked = callNative((binding) => binding.tryLockFile(fd));
    } catch (error) {
      await fileSystem.close(fd).catch(() => undefined);
      throw error instanceof PermafrostError ? error.locate(path) : error;
    }
    if (!locked) {
      const holder = await readHolderPid(fileSystem, fd);
      await fileSystem.close(fd).catch(() => undefined);
      const by = holder === undefined ? 'another handle or process' : `process ${holder}`;
      throw new PermafrostError('ERR_LOCKED', `the database directory is locked by ${by}`, { file: path });
    }
    const lock = new DirectoryLock(fileSystem, path, fd);
    try {
      const pid = Buffer.from(String(process.pid), 'utf8');
      await fileSystem.ftruncate(fd, 0);
      writeFullySync(fileSystem, fd, pid, 0, pid.length, 0);
      await fileSystem.fsync(fd);
    } catch (error) {
      await lock.release();
      throw ioError('cannot record the PID in the lock file', error, path);
    }
    return lock;
  }

  /** The locked descriptor (for a last-resort release by a finalizer), or undefined once released. */
  get descriptor(): number | undefined {
    return this.#fd;
  }

  /** Releases the lock (idempotent). The file stays. */
  async release(): Promise<void> {
    const fd = this.#fd;
    if (fd === undefined) return;
    this.#fd = undefined;
    try {
      callNative((binding) => binding.unlockFile(fd));
    } finally {
      await this.#fileSystem.close(fd).catch(() => undefined);
    }
  }
}

async function readHolderPid(fileSystem: FileSystem, fd: number): Promise<number | undefined> {
  try {
    const buffer = Buffer.alloc(32);
    const length = await readFully(fileSystem, fd, buffer, 0, buffer.length, 0);
    const text = buffer.subarray(0, length).toString('utf8').trim();
    return /^\d+$/.test(text) ? Number(text) : undefined;
  } catch {
    return undefined;
  }
}
