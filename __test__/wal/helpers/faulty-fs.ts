/**
 * A `FileSystem` over the real one that counts calls and fails chosen ones: the N-th call of
 * an operation (once, or from then on) throws an errno error, and `crashAt` makes every call
 * from the N-th one on throw `SimulatedCrash`, as if the process had died there (everything
 * before it reached the OS; nothing after it did).
 *
 * It also tracks what a power cut may take away: per file, the bytes written and the bytes
 * covered by a completed fdatasync/fsync, and files whose directory entry no fsync of their
 * directory has made durable yet. `powerCut()` stops the "machine" and rewrites the real files
 * into one allowed post-power-loss state: unsynced new files vanish, every other file loses
 * its unsynced bytes, which are replaced by `tail` (garbage, zeros or nothing). Renames and
 * unlinks are not reverted (the WAL append path, which power-loss tests exercise, has none).
 */
import { constants, rmSync, truncateSync, appendFileSync, existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { type FileSystem, nodeFileSystem } from '../../../ts/io/file-system';

export type FaultOp =
  | 'open'
  | 'write'
  | 'read'
  | 'fdatasync'
  | 'fsync'
  | 'fsyncDirectory'
  | 'ftruncate'
  | 'rename'
  | 'unlink'
  | 'mkdir'
  | 'readdir';

export class SimulatedCrash extends Error {
  override readonly name = 'SimulatedCrash';
}

interface Fault {
  readonly op: FaultOp;
  readonly nth: number;
  readonly code: string;
  readonly persistent: boolean;
}

function errnoError(code: string, op: string): NodeJS.ErrnoException {
  const error: NodeJS.ErrnoException = new Error(`${code}: injected failure, ${op}`);
  error.code = code;
  return error;
}

export class FaultyFileSystem implements FileSystem {
  readonly #inner: FileSystem;
  readonly #counts = new Map<FaultOp, number>();
  readonly #faults: Fault[] = [];
  #crashAt: { op: FaultOp; nth: number } | undefined;
  #crashed = false;
  readonly #paths = new Map<number, string>();
  readonly #written = new Map<string, number>();
  readonly #durable = new Map<string, number>();
  readonly #undurableEntries = new Set<string>();

  constructor(inner: FileSystem = nodeFileSystem) {
    this.#inner = inner;
  }

  /** Makes the `nth` call (1-based) of `op` fail with `code`; `persistent`: and every later one. */
  failOn(op: FaultOp, nth: number, code = 'EIO', persistent = false): this {
    this.#faults.push({ op, nth, code, persistent });
    return this;
  }

  /** From the `nth` call of `op` on, every call throws `SimulatedCrash`. */
  crashAt(op: FaultOp, nth: number): this {
    this.#crashAt = { op, nth };
    return this;
  }

  get crashed(): boolean {
    return this.#crashed;
  }

  count(op: FaultOp): number {
    return this.#counts.get(op) ?? 0;
  }

  #enter(op: FaultOp): void {
    if (this.#crashed) throw new SimulatedCrash(`process already dead (${op})`);
    const nth = (this.#counts.get(op) ?? 0) + 1;
    this.#counts.set(op, nth);
    if (this.#crashAt?.op === op && this.#crashAt.nth === nth) {
      this.#crashed = true;
      throw new SimulatedCrash(`crash at ${op} #${nth}`);
    }
    for (const fault of this.#faults) {
      if (fault.op === op && (nth === fault.nth || (fault.persistent && nth > fault.nth))) throw errnoError(fault.code, `${op} #${nth}`);
    }
  }

  async #wrap<T>(op: FaultOp, call: () => Promise<T>): Promise<T> {
    this.#enter(op);
    return call();
  }

  #track(path: string, flags: string | number, existed: boolean, fd: number): number {
    const creates = typeof flags === 'string' ? flags.includes('w') || flags.includes('a') : (flags & constants.O_CREAT) !== 0;
    if (creates && !existed) this.#undurableEntries.add(path);
    this.#paths.set(fd, path);
    return fd;
  }

  /** Stops everything and leaves the files as a power cut could (see the class comment). */
  powerCut(tail: 'garbage' | 'zeros' | 'none' = 'garbage'): void {
    this.#crashed = true;
    for (const path of this.#undurableEntries) rmSync(path, { force: true });
    for (const [path, written] of this.#written) {
      if (this.#undurableEntries.has(path) || !existsSync(path)) continue;
      const durable = this.#durable.get(path) ?? 0;
      if (written <= durable) continue;
      truncateSync(path, durable);
      const lost = written - durable;
      if (tail === 'zeros') appendFileSync(path, Buffer.alloc(Math.min(lost, 512)));
      if (tail === 'garbage') appendFileSync(path, Buffer.from(Array.from({ length: Math.min(lost, 97) }, (_, i) => (i * 89 + 7) & 0xff)));
    }
  }

  async open(path: string, flags: string | number, mode?: number): Promise<number> {
    this.#enter('open');
    const existed = existsSync(path);
    return this.#track(path, flags, existed, await this.#inner.open(path, flags, mode));
  }
  openSync(path: string, flags: string | number, mode?: number): number {
    this.#enter('open');
    const existed = existsSync(path);
    return this.#track(path, flags, existed, this.#inner.openSync(path, flags, mode));
  }
  close(fd: number): Promise<void> {
    return this.#inner.close(fd);
  }
  closeSync(fd: number): void {
    this.#inner.closeSync(fd);
  }
  writeSync(fd: number, buffer: Uint8Array, offset: number, length: number, position: number): number {
    this.#enter('write');
    const written = this.#inner.writeSync(fd, buffer, offset, length, position);
    const path = this.#paths.get(fd);
    if (path !== undefined) this.#written.set(path, Math.max(this.#written.get(path) ?? 0, position + written));
    return written;
  }
  write(fd: number, buffer: Uint8Array, offset: number, length: number, position: number): Promise<number> {
    return this.#wrap('write', () => this.#inner.write(fd, buffer, offset, length, position));
  }
  read(fd: number, buffer: Uint8Array, offset: number, length: number, position: number): Promise<number> {
    return this.#wrap('read', () => this.#inner.read(fd, buffer, offset, length, position));
  }
  /** Only bytes written before a sync started are durable when it completes. */
  async #sync(op: FaultOp, fd: number, call: () => Promise<void>): Promise<void> {
    this.#enter(op);
    const path = this.#paths.get(fd);
    const covered = path === undefined ? 0 : (this.#written.get(path) ?? 0);
    await call();
    if (this.#crashed) throw new SimulatedCrash(`${op} completed after the crash`);
    if (path !== undefined) this.#durable.set(path, Math.max(this.#durable.get(path) ?? 0, covered));
  }
  fdatasync(fd: number): Promise<void> {
    return this.#sync('fdatasync', fd, () => this.#inner.fdatasync(fd));
  }
  fsync(fd: number): Promise<void> {
    return this.#sync('fsync', fd, () => this.#inner.fsync(fd));
  }
  async fsyncDirectory(path: string): Promise<void> {
    this.#enter('fsyncDirectory');
    const pending = [...this.#undurableEntries].filter((file) => dirname(file) === path);
    await this.#inner.fsyncDirectory(path);
    if (this.#crashed) throw new SimulatedCrash('fsyncDirectory completed after the crash');
    for (const file of pending) this.#undurableEntries.delete(file);
  }
  ftruncate(fd: number, length: number): Promise<void> {
    return this.#wrap('ftruncate', () => this.#inner.ftruncate(fd, length));
  }
  sizeOf(fd: number): Promise<number> {
    return this.#inner.sizeOf(fd);
  }
  readdir(path: string): Promise<string[]> {
    return this.#wrap('readdir', () => this.#inner.readdir(path));
  }
  rename(from: string, to: string): Promise<void> {
    return this.#wrap('rename', () => this.#inner.rename(from, to));
  }
  unlink(path: string): Promise<void> {
    return this.#wrap('unlink', () => this.#inner.unlink(path));
  }
  mkdir(path: string): Promise<boolean> {
    return this.#wrap('mkdir', () => this.#inner.mkdir(path));
  }
  readFile(path: string): Promise<Buffer> {
    return this.#inner.readFile(path);
  }
  exists(path: string): Promise<boolean> {
    return this.#inner.exists(path);
  }
}
