/** The part of lz4js 0.2 (no bundled types) the benchmarks use: its raw block API. */
declare module 'lz4js' {
  export function compressBound(n: number): number;
  /** Compresses `src[sIndex, sIndex + sLength)` into `dst`; returns the length, or 0 when incompressible. */
  export function compressBlock(src: Uint8Array, dst: Uint8Array, sIndex: number, sLength: number, hashTable: Uint32Array): number;
  /** Decompresses `src[sIndex, sIndex + sLength)` into `dst` from `dIndex`; returns the end index. */
  export function decompressBlock(src: Uint8Array, dst: Uint8Array, sIndex: number, sLength: number, dIndex: number): number;
}
