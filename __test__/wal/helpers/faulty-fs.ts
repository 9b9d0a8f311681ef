/**
 * A `FileSystem` over the real one that counts calls and fails chosen ones: the N-th call of
 * an operation (once, or from then on) throws an errno error, and `crashAt` makes every call
 * from the N-th one on throw `SimulatedCrash`, as if the process had died there (everything
 * before it reached the OS; nothing after it did).
 */
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

  open(path: string, flags: string | number, mode?: number): Promise<number> {
    return this.#wrap('open', () => this.#inner.open(path, flags, mode));
  }
  openSync(path: string, flags: string | number, mode?: number): number {
    this.#enter('open');
    return this.#inner.openSync(path, flags, mode);
  }
  close(fd: number): Promise<void> {
    return this.#inner.close(fd);
  }
  closeSync(fd: number): void {
    this.#inner.closeSync(fd);
  }
  writeSync(fd: number, buffer: Uint8Array, offset: number, length: number, position: number): number {
    this.#enter('write');
    return this.#inner.writeSync(fd, buffer, offset, length, position);
  }
  write(fd: number, buffer: Uint8Array, offset: number, length: number, position: number): Promise<number> {
    return this.#wrap('write', () => this.#inner.write(fd, buffer, offset, length, position));
  }
  read(fd: number, buffer: Uint8Array, offset: number, length: number, position: number): Promise<number> {
    return this.#wrap('read', () => this.#inner.read(fd, buffer, offset, length, position));
  }
  fdatasync(fd: number): Promise<void> {
    return this.#wrap('fdatasync', () => this.#inner.fdatasync(fd));
  }
  fsync(fd: number): Promise<void> {
    return this.#wrap('fsync', () => this.#inner.fsync(fd));
  }
  fsyncDirectory(path: string): Promise<void> {
    return this.#wrap('fsyncDirectory', () => this.#inner.fsyncDirectory(path));
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
