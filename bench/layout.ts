/**
 * Buffer placement shared with the native baseline (crates/bench-native, `Layout`).
 *
 * The literal copies of an LZ4 block are plain memcpys, and on some CPUs a long memcpy's
 * speed depends on the distance between source and destination modulo 4096: on the
 * project's AMD EPYC machine the same 64 KiB incompressible-block decompression ran at
 * 3.9 GB/s or 44 GB/s depending on it alone. Neither JavaScript nor the allocator lets a
 * caller choose that distance for fresh Buffers, so the `*Into` benchmarks place every
 * buffer in one arena, exactly as the native side does: sources at multiples of 4096 from
 * the arena's start, destinations 2048 bytes past one, so `(dst - src) mod 4096 = 2048` on
 * both sides.
 */

function pageUp(offset: number): number {
  return Math.ceil(offset / 4096) * 4096;
}

export interface Placed {
  /** The raw input (a compression source). */
  readonly raw: Buffer;
  /** A compression destination of `bound` bytes. */
  readonly compressOut: Buffer;
  /** The compressed block (a decompression source). */
  readonly compressed: Buffer;
  /** A decompression destination of the raw size. */
  readonly decompressOut: Buffer;
}

/** Copies `raw` and `compressed` into a fresh arena laid out like the native baseline's. */
export function place(raw: Uint8Array, compressed: Uint8Array, bound: number): Placed {
  const compressOutAt = pageUp(raw.length) + 2048;
  const compressedAt = pageUp(compressOutAt + bound);
  const decompressOutAt = pageUp(compressedAt + compressed.length) + 2048;
  const arena = Buffer.allocUnsafeSlow(decompressOutAt + raw.length).fill(0);
  arena.set(raw, 0);
  arena.set(compressed, compressedAt);
  return {
    raw: arena.subarray(0, raw.length),
    compressOut: arena.subarray(compressOutAt, compressOutAt + bound),
    compressed: arena.subarray(compressedAt, compressedAt + compressed.length),
    decompressOut: arena.subarray(decompressOutAt, decompressOutAt + raw.length),
  };
}
