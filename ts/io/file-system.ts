/**
 * The file-system seam: every call the WAL and the persistence manager make to the disk goes
 * through a `FileSystem`, so tests can inject faults (fail the N-th fsync or write, stop at a
 * chosen operation) without touching the code under test. `nodeFileSystem` is the real one.
 *
 * Rules the implementations keep:
 * - Anything that waits on the device (fsync, fdatasync, directory fsync, truncation, reads
 *   of whole windows) is async and runs on the libuv pool, never on the event loop.
 * - `writeSync` is the one hot-path call that stays synchronous: handing a buffer to the
 *   page cache is a memcpy, and doing it inline keeps an acknowledged commit ordered before
 *   anything that follows it.
 * - Errors are the raw `node:fs` errors (with `code`); callers wrap them in `PermafrostError`.
 */
import * as fs from 'node:fs';
import { promisify } from 'node:util';

export interface FileSystem {
  /** Opens `path` with `flags` (`'r'`, `'r+'`, `'wx'` ...), returning a descriptor. */
  open(path: string, flags: string | number, mode?: number): Promise<number>;
  openSync(path: string, flags: string | number, mode?: number): number;
  close(fd: number): Promise<void>;
  closeSync(fd: number): void;
  /** Writes `length` bytes of `buffer` from `offset` at file `position`; returns bytes written. */
  writeSync(fd: number, buffer: Uint8Array, offset: number, length: number, position: number): number;
  write(fd: number, buffer: Uint8Array, offset: number, length: number, position: number): Promise<number>;
  read(fd: number, buffer: Uint8Array, offset: number, length: number, position: number): Promise<number>;
  /** Flushes the file's data (and the metadata needed to read it back) to the device. */
  fdatasync(fd: number): Promise<void>;
  fsync(fd: number): Promise<void>;
  /** Makes the directory's entries (creates, renames, unlinks) durable. */
  fsyncDirectory(path: string): Promise<void>;
  ftruncate(fd: number, length: number): Promise<void>;
  /** Current size of an open file, from the descriptor (never the path: no TOCTOU). */
  sizeOf(fd: number): Promise<number>;
  readdir(path: string): Promise<string[]>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  /** Creates `path` and missing parents; resolves to true when `path` itself was created. */
  mkdir(path: string): Promise<boolean>;
  readFile(path: string): Promise<Buffer>;
  /** True when `path` exists (any kind of entry, links not followed). */
  exists(path: string): Promise<boolean>;
}

const fdatasync = promisify(fs.fdatasync);
const fsync = promisify(fs.fsync);
const ftruncate = promisify(fs.ftruncate);
const fstat = promisify(fs.fstat);
const read = promisify(fs.read);
const write = promisify(fs.write);
const open = promisify(fs.open);
const close = promisify(fs.close);

/** Directory fsync is not available on Windows (and some file systems refuse it). */
const DIRECTORY_FSYNC_UNSUPPORTED = new Set(['EINVAL', 'EISDIR', 'EPERM', 'ENOTSUP', 'EBADF']);

/** The real file system (`node:fs`, callback API on the libuv pool). */
export const nodeFileSystem: FileSystem = {
  open: (path, flags, mode) => open(path, flags, mode),
  openSync: (path, flags, mode) => fs.openSync(path, flags, mode),
  close: (fd) => close(fd),
  closeSync: (fd) => fs.closeSync(fd),
  writeSync: (fd, buffer, offset, length, position) => fs.writeSync(fd, buffer, offset, length, position),
  write: async (fd, buffer, offset, length, position) => (await write(fd, buffer, offset, length, position)).bytesWritten,
  read: async (fd, buffer, offset, length, position) => (await read(fd, buffer, offset, length, position)).bytesRead,
  fdatasync: (fd) => fdatasync(fd),
  fsync: (fd) => fsync(fd),
  async fsyncDirectory(path) {
    if (process.platform === 'win32') return;
    const fd = await open(path, 'r');
    try {
      await fsync(fd);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === undefined || !DIRECTORY_FSYNC_UNSUPPORTED.has(code)) throw error;
    } finally {
      await close(fd);
    }
  },
  ftruncate: (fd, length) => ftruncate(fd, length),
  sizeOf: async (fd) => (await fstat(fd)).size,
  readdir: (path) => fs.promises.readdir(path),
  rename: (from, to) => fs.promises.rename(from, to),
  unlink: (path) => fs.promises.unlink(path),
  mkdir: async (path) => (await fs.promises.mkdir(path, { recursive: true })) !== undefined,
  readFile: (path) => fs.promises.readFile(path),
  exists: async (path) => {
    try {
      await fs.promises.lstat(path);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw error;
    }
  },
};

/** Writes all of `buffer[offset, offset + length)` at `position`, looping over short writes. */
export function writeFullySync(
  fileSystem: FileSystem,
  fd: number,
  buffer: Uint8Array,
  offset: number,
  length: number,
  position: number,
): void {
  let done = 0;
  while (done < length) {
    done += fileSystem.writeSync(fd, buffer, offset + done, length - done, position + done);
  }
}

/** Reads until `length` bytes are in `buffer` or the file ends; returns the bytes read. */
export async function readFully(
  fileSystem: FileSystem,
  fd: number,
  buffer: Uint8Array,
  offset: number,
  length: number,
  position: number,
): Promise<number> {
  let done = 0;
  while (done < length) {
    const got = await fileSystem.read(fd, buffer, offset + done, length - done, position + done);
    if (got === 0) break;
    done += got;
  }
  return done;
}
