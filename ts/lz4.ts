/**
 * LZ4 block compression in the two wrappers stoolap uses (never the LZ4 frame format):
 *
 * | wrapper  | bytes                                           | functions                         |
 * |----------|-------------------------------------------------|-----------------------------------|
 * | raw      | one LZ4 block; decompressed size known elsewhere | `lz4Compress` / `lz4Decompress`   |
 * | LZ4+size | u32 LE decompressed size, then one LZ4 block    | `lz4CompressSizePrepended` / `lz4DecompressSizePrepended` |
 *
 * Compressed bytes come from lz4_flex 0.13.0, so they equal what stoolap writes. Every
 * decompression takes the largest size the caller is willing to allocate and refuses a
 * larger declared size (or one the compressed bytes cannot expand to) before allocating.
 */
import { PermafrostError } from './errors';
import { callNative, callNativeAsync, native } from './native';

/** Largest compressed size of `rawLength` input bytes. */
export function lz4CompressBound(rawLength: number): number {
  return callNative((binding) => binding.lz4CompressBound(rawLength));
}

/** Compresses `src` as one raw LZ4 block into `dst` (a Buffer of `lz4CompressBound` bytes); returns the length written. */
export function lz4CompressInto(src: Uint8Array, dst: Buffer): number {
  return callNative((binding) => binding.lz4CompressInto(src, dst));
}

function shrink(buffer: Buffer, length: number): Buffer {
  // Keep small results from pinning a bound-sized allocation.
  return length * 2 < buffer.length ? Buffer.from(buffer.subarray(0, length)) : buffer.subarray(0, length);
}

/**
 * Inputs up to this size compress into one reused scratch buffer, and only the exact result
 * is copied into the returned Buffer: a fresh bound-sized Buffer per call costs more than the
 * compression of a small or very compressible block (docs/benchmarks.md). Larger inputs
 * compress straight into a fresh Buffer, where the extra copy would cost more than it saves.
 */
const SCRATCH_MAX_INPUT = 256 * 1024;
let scratch: Buffer | undefined;

/** Compresses `src` into a new Buffer whose first `prefixBytes` bytes are left for the caller. */
function compressAfter(prefixBytes: number, src: Uint8Array): Buffer {
  const bound = lz4CompressBound(src.length);
  if (src.length <= SCRATCH_MAX_INPUT) {
    if (scratch === undefined || scratch.length < bound) scratch = Buffer.allocUnsafeSlow(Math.max(bound, 64 * 1024));
    const written = lz4CompressInto(src, scratch);
    const out = Buffer.allocUnsafe(prefixBytes + written);
    scratch.copy(out, prefixBytes, 0, written);
    return out;
  }
  const dst = Buffer.allocUnsafe(prefixBytes + bound);
  return shrink(dst, prefixBytes + lz4CompressInto(src, dst.subarray(prefixBytes)));
}

/** Compresses `src` as one raw LZ4 block (`lz4_flex::compress`). */
export function lz4Compress(src: Uint8Array): Buffer {
  return compressAfter(0, src);
}

/** Compresses `src` with the u32 LE size prefix (`lz4_flex::compress_prepend_size`). */
export function lz4CompressSizePrepended(src: Uint8Array): Buffer {
  const out = compressAfter(native().LZ4_SIZE_PREFIX_BYTES, src);
  out.writeUInt32LE(src.length, 0);
  return out;
}

/** Checks a declared decompressed size before anything is allocated for it. */
function checkRawLength(rawLength: number, compressedLength: number, maxRawLength: number): void {
  if (!Number.isSafeInteger(rawLength) || rawLength < 0) {
    throw new PermafrostError('ERR_INVALID_ARGUMENT', `LZ4 raw length must be a non-negative integer, got ${rawLength}`);
  }
  const { LZ4_BLOCK_BYTES_MAX, LZ4_MAX_EXPANSION, LZ4_EXPANSION_SLACK } = native();
  const cap = Math.min(maxRawLength, LZ4_BLOCK_BYTES_MAX);
  if (rawLength > cap) {
    throw new PermafrostError('ERR_LIMIT', `LZ4 block declares ${rawLength} decompressed bytes; the limit is ${cap}`);
  }
  const possible = compressedLength * LZ4_MAX_EXPANSION + LZ4_EXPANSION_SLACK;
  if (rawLength > possible) {
    throw new PermafrostError(
      'ERR_CORRUPT',
      `LZ4 block of ${compressedLength} bytes cannot expand to ${rawLength} bytes (at most ${possible})`,
    );
  }
}

/** Decompresses one raw LZ4 block into `dst`, which must be exactly the decompressed size. */
export function lz4DecompressInto(src: Uint8Array, dst: Buffer): void {
  callNative((binding) => binding.lz4DecompressInto(src, dst));
}

/**
 * Decompresses one raw LZ4 block of known decompressed size `rawLength`.
 * @param maxRawLength the most bytes the caller accepts; a larger `rawLength` is `ERR_LIMIT`.
 */
export function lz4Decompress(src: Uint8Array, rawLength: number, maxRawLength: number): Buffer {
  checkRawLength(rawLength, src.length, maxRawLength);
  const dst = Buffer.allocUnsafe(rawLength);
  lz4DecompressInto(src, dst);
  return dst;
}

/**
 * Decompresses an "LZ4+size" buffer (`lz4_flex::decompress_size_prepended`).
 * @param maxRawLength the most bytes the caller accepts; a larger declared size is `ERR_LIMIT`.
 */
export function lz4DecompressSizePrepended(src: Uint8Array, maxRawLength: number): Buffer {
  const cap = Math.min(Math.max(0, Math.floor(maxRawLength)), native().LZ4_BLOCK_BYTES_MAX);
  const rawLength = callNative((binding) => binding.lz4SizePrependedLength(src, cap));
  const prefixBytes = native().LZ4_SIZE_PREFIX_BYTES;
  const dst = Buffer.allocUnsafe(rawLength);
  try {
    lz4DecompressInto(src.subarray(prefixBytes), dst);
  } catch (error) {
    throw error instanceof PermafrostError ? error.locate(undefined, prefixBytes) : error;
  }
  return dst;
}

/**
 * `lz4Compress` on the libuv thread pool. `src` is copied first, so the caller may reuse
 * it at once.
 */
export async function lz4CompressAsync(src: Uint8Array): Promise<Buffer> {
  const input = Buffer.from(src);
  const dst = Buffer.allocUnsafe(lz4CompressBound(input.length));
  const written = await callNativeAsync((binding) => binding.lz4CompressIntoAsync(input, dst));
  return shrink(dst, written);
}

/**
 * `lz4Decompress` on the libuv thread pool. `src` is copied first, so the caller may reuse
 * it at once.
 */
export async function lz4DecompressAsync(src: Uint8Array, rawLength: number, maxRawLength: number): Promise<Buffer> {
  checkRawLength(rawLength, src.length, maxRawLength);
  const input = Buffer.from(src);
  const dst = Buffer.allocUnsafe(rawLength);
  await callNativeAsync((binding) => binding.lz4DecompressIntoAsync(input, dst));
  return dst;
}
