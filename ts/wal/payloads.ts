/**
 * Payloads of chosen entries of a scan batch, decompressed with one native call per batch
 * (`walDecompressPayloads`) instead of one per entry. Uncompressed payloads are views into the
 * batch's window; compressed ones are inflated into one shared slab.
 */
import { PermafrostError } from '../errors';
import { callNative } from '../native';
import type { ScanBatch } from './scan-batch';
import { WalFlag } from './wal-constants';

const WORK_ITEM_BYTES = 16;
/** Most decompressed bytes inflated into one slab. */
const SLAB_BYTES_MAX = 32 << 20;

/** Payloads of entries `indices[0..count)` of `batch`, in that order. */
export function payloadsOf(batch: ScanBatch, indices: Int32Array | readonly number[], count: number, file?: string): Buffer[] {
  const out = new Array<Buffer>(count);
  let start = 0;
  while (start < count) {
    let end = start;
    let slabBytes = 0;
    let compressed = 0;
    while (end < count && (slabBytes < SLAB_BYTES_MAX || compressed === 0)) {
      const i = indices[end]!;
      if (batch.flags(i) & WalFlag.Compressed) {
        slabBytes += batch.payloadRawBytes(i);
        compressed += 1;
      }
      end += 1;
    }
    inflate(batch, indices, start, end, compressed, slabBytes, out, file);
    start = end;
  }
  return out;
}

function inflate(
  batch: ScanBatch,
  indices: Int32Array | readonly number[],
  start: number,
  end: number,
  compressed: number,
  slabBytes: number,
  out: Buffer[],
  file: string | undefined,
): void {
  const slab = Buffer.allocUnsafe(slabBytes);
  const work = Buffer.allocUnsafe(compressed * WORK_ITEM_BYTES);
  let item = 0;
  let slabAt = 0;
  for (let k = start; k < end; k += 1) {
    const i = indices[k]!;
    if ((batch.flags(i) & WalFlag.Compressed) === 0) {
      out[k] = batch.storedPayload(i);
      continue;
    }
    const raw = batch.payloadRawBytes(i);
    work.writeUInt32LE(batch.windowPosition(i) + batch.payloadOffset(i), item);
    work.writeUInt32LE(batch.payloadStoredBytes(i), item + 4);
    work.writeUInt32LE(slabAt, item + 8);
    work.writeUInt32LE(raw, item + 12);
    out[k] = slab.subarray(slabAt, slabAt + raw);
    slabAt += raw;
    item += WORK_ITEM_BYTES;
  }
  if (compressed === 0) return;
  try {
    callNative((binding) => binding.walDecompressPayloads(batch.window, work, slab));
  } catch (error) {
    // The error offset is the payload's position in the window; report it in the file.
    throw error instanceof PermafrostError ? error.locate(file, batch.windowOffset) : error;
  }
}
