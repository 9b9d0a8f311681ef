/**
 * Reads WAL files in windows and turns each window into `ScanBatch`es with one native call
 * per batch (`walScan`). A file is read front to back: 4 MiB windows by default, grown when
 * one entry is larger; a window that is not the last stops where an entry continues, and the
 * next window starts there. Damaged regions that span windows yield one damage record.
 */
import { ioError, PermafrostError } from '../errors';
import { type FileSystem, readFully } from '../io/file-system';
import { callNative } from '../native';
import { ScanBatch } from './scan-batch';
import { IndexLayout } from './wal-constants';

/** Default bytes read per window. */
export const DEFAULT_WINDOW_BYTES = 4 << 20;
/** Index records per native scan call. */
const INDEX_RECORDS = 4096;

export interface ScanOptions {
  /** Bytes read per window (grown for larger entries). @default 4 MiB */
  readonly windowBytes?: number;
}

function newIndex(): Buffer {
  // allocUnsafeSlow: own ArrayBuffer at offset 0, so 8-byte typed-array views line up.
  return Buffer.allocUnsafeSlow(INDEX_RECORDS * IndexLayout.recordBytes);
}

/**
 * Scans one window; `onBatch` receives each batch. Returns where to continue (relative to the
 * window), how many bytes the next window needs, and whether the scan stopped inside damage.
 */
function scanWindow(
  window: Buffer,
  windowOffset: number,
  isFinal: boolean,
  inDamage: boolean,
  onBatch: (batch: ScanBatch) => void,
): { consumed: number; neededBytes: number; inDamage: boolean; done: boolean } {
  let at = 0;
  let damage = inDamage;
  for (;;) {
    const index = newIndex();
    const outcome = callNative((binding) => binding.walScan(window.subarray(at), windowOffset + at, isFinal, damage, index));
    damage = outcome.inDamage;
    if (outcome.records > 0) onBatch(new ScanBatch(window, windowOffset, index, outcome.records));
    at += outcome.resume;
    if (outcome.stop === IndexLayout.stopIndexFull) continue;
    const done = outcome.stop === IndexLayout.stopEnd;
    return { consumed: at, neededBytes: outcome.neededBytes, inDamage: damage, done };
  }
}

/** Scans bytes held in memory as one complete file. */
export function scanWalBytes(bytes: Uint8Array, baseOffset = 0): ScanBatch[] {
  const batches: ScanBatch[] = [];
  const window = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  scanWindow(window, baseOffset, true, false, (batch) => batches.push(batch));
  return batches;
}

/**
 * Scans the first `sizeBytes` bytes of the WAL file at `path` (the whole file when omitted),
 * yielding batches in file order.
 */
export async function* scanWalFile(
  fileSystem: FileSystem,
  path: string,
  options: ScanOptions & { readonly sizeBytes?: number } = {},
): AsyncGenerator<ScanBatch> {
  let fd: number;
  try {
    fd = await fileSystem.open(path, 'r');
  } catch (error) {
    throw ioError('cannot open WAL file', error, path);
  }
  try {
    const size = options.sizeBytes ?? (await fileSystem.sizeOf(fd));
    const defaultWindow = options.windowBytes ?? DEFAULT_WINDOW_BYTES;
    let position = 0;
    let inDamage = false;
    let wanted = defaultWindow;
    while (position < size) {
      const length = Math.min(Math.max(wanted, defaultWindow), size - position);
      const window = Buffer.allocUnsafe(length);
      let got: number;
      try {
        got = await readFully(fileSystem, fd, window, 0, length, position);
      } catch (error) {
        throw ioError('cannot read WAL file', error, path);
      }
      if (got !== length) throw new PermafrostError('ERR_IO', `WAL file shrank while it was read`, { file: path, offset: position + got });
      const isFinal = position + length === size;
      const batches: ScanBatch[] = [];
      const step = scanWindow(window, position, isFinal, inDamage, (batch) => batches.push(batch));
      yield* batches;
      inDamage = step.inDamage;
      if (step.done) {
        position += length;
        continue;
      }
      position += step.consumed;
      wanted = step.neededBytes;
    }
  } finally {
    await fileSystem.close(fd).catch(() => undefined);
  }
}
