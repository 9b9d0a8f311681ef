/**
 * Payloads of the chosen entries of a scan batch. Uncompressed payloads are views into the
 * batch's window; compressed ones are inflated into one shared slab with a single native
 * call (`walDecompressPayloads`) — never one call per entry — and only when the first
 * payload of the batch is asked for, so a replay that never reads payloads never inflates.
 */
import { PermafrostError } from '../errors';
import { callNative } from '../native';
import type { ScanBatch } from './scan-batch';
import { WalFlag } from './wal-constants';

const FLAG_COMPRESSED = WalFlag.Compressed;
/** u32 fields per work item: source offset, source length, slab offset, raw length. */
const WORK_ITEM_WORDS = 4;

export class BatchPayloads {
  readonly #batch: ScanBatch;
  readonly #indices: Int32Array;
  readonly #count: number;
  readonly #file: string | undefined;
  /** Per chosen entry: start in the slab, or −1 when the payload is a window view. */
  #slabStarts: Int32Array | undefined;
  #slab: Buffer | undefined;

  constructor(batch: ScanBatch, indices: Int32Array, count: number, file?: string) {
    this.#batch = batch;
    this.#indices = indices;
    this.#count = count;
    this.#file = file;
  }

  /** The payload of the k-th chosen entry (decompressed). */
  get(k: number): Buffer {
    const i = this.#indices[k]!;
    const batch = this.#batch;
    if ((batch.flags(i) & FLAG_COMPRESSED) === 0) return batch.storedPayload(i);
    if (this.#slabStarts === undefined) this.#inflate();
    const start = this.#slabStarts![k]!;
    return this.#slab!.subarray(start, start + batch.payloadRawBytes(i));
  }

  /** Inflates every compressed payload of the chosen entries in one native call. */
  #inflate(): void {
    const batch = this.#batch;
    const starts = new Int32Array(this.#count).fill(-1);
    let slabBytes = 0;
    let items = 0;
    for (let k = 0; k < this.#count; k += 1) {
      const i = this.#indices[k]!;
      if ((batch.flags(i) & FLAG_COMPRESSED) === 0) continue;
      starts[k] = slabBytes;
      slabBytes += batch.payloadRawBytes(i);
      items += 1;
    }
    const slab = Buffer.allocUnsafe(slabBytes);
    const work = new Uint32Array(items * WORK_ITEM_WORDS);
    let at = 0;
    for (let k = 0; k < this.#count; k += 1) {
      if (starts[k]! < 0) continue;
      const i = this.#indices[k]!;
      work[at] = batch.windowPosition(i) + batch.payloadOffset(i);
      work[at + 1] = batch.payloadStoredBytes(i);
      work[at + 2] = starts[k]!;
      work[at + 3] = batch.payloadRawBytes(i);
      at += WORK_ITEM_WORDS;
    }
    const workBytes = new Uint8Array(work.buffer, work.byteOffset, work.byteLength);
    try {
      callNative((binding) => binding.walDecompressPayloads(batch.window, workBytes, slab));
    } catch (error) {
      // The error offset is the payload's position in the window; report it in the file.
      throw error instanceof PermafrostError ? error.locate(this.#file, batch.windowOffset) : error;
    }
    this.#slab = slab;
    this.#slabStarts = starts;
  }
}
