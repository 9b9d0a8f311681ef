/**
 * permafrost — durable storage for embedded databases: a stoolap-0.4-compatible WAL and
 * columnar volumes over a small Rust core. This module lists the public API.
 */
export { PermafrostError, ERROR_CODES, isPermafrostError, type ErrorCode, type ErrorLocation } from './errors';
export { crc32, crc32Async, Crc32 } from './checksum';
export {
  lz4Compress,
  lz4CompressAsync,
  lz4CompressBound,
  lz4CompressInto,
  lz4CompressSizePrepended,
  lz4Decompress,
  lz4DecompressAsync,
  lz4DecompressInto,
  lz4DecompressSizePrepended,
} from './lz4';
