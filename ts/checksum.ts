/**
 * CRC32 (CRC-32/ISO-HDLC, the zlib/PNG polynomial; `crc32fast` in Rust), the checksum of
 * every stoolap file. `crc32(b, crc32(a)) === crc32(concat(a, b))`.
 */
import { callNative, callNativeAsync } from './native';

/** CRC32 of `data`, continuing from `initial` (the CRC of the bytes before it; 0 = fresh). */
export function crc32(data: Uint8Array, initial = 0): number {
  return callNative((binding) => binding.crc32(data, initial));
}

/**
 * `crc32` on the libuv thread pool, for buffers large enough to stall the event loop
 * (about 1 MiB and up). The buffer is read in place: do not modify, transfer or detach it
 * until the promise settles.
 */
export function crc32Async(data: Uint8Array, initial = 0): Promise<number> {
  return callNativeAsync((binding) => binding.crc32Async(data, initial));
}

/** Incremental CRC32 for data that arrives in pieces (streaming reads). */
export class Crc32 {
  #value = 0;

  /** Adds `data` to the checksum. */
  update(data: Uint8Array): this {
    this.#value = crc32(data, this.#value);
    return this;
  }

  /** The CRC32 of everything passed to `update` so far. */
  digest(): number {
    return this.#value;
  }
}
