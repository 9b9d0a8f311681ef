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

// Volumes and catalog
export { VolumeBuilder, type VolumeSchema, type ColumnBatch, type ColumnInput, type VolumeBuilderOptions } from './volume/volume-builder';
export type { FrozenVolume } from './volume/volume-summary';
export type { ColumnData } from './volume/column-data';
export type { VolumeMetadata, ColumnMeta } from './volume/volume-metadata';
export type { ZoneMap, RowGroup } from './volume/zone-map';
export { statsSum, statsAverage, type ColumnStats, type VolumeStats } from './volume/column-stats';
export { BloomFilter } from './volume/bloom-filter';
export { columnKinds, kindName, type ColumnKind } from './volume/column-kind';
export { encodeVolume, encodeVolumeSync, writeVolume, type VolumeWriteOptions, type EncodedVolume } from './volume/volume-writer';
export { VolumeReader, type VolumeReadOptions } from './volume/volume-reader';
export {
  listVolumes,
  loadAllVolumes,
  deleteVolume,
  deleteAllVolumes,
  removeVolumeTempFiles,
  volumeFileName,
  parseVolumeFileName,
  tableDirectory,
  type VolumeFile,
} from './volume/volume-files';
export { nextVolumeId, volumeIdGenerator, epochMicros } from './volume/volume-id';
export { tableDirectoryName, TABLE_NAME_BYTES_MAX } from './volume/table-name';
export { VolumeCatalog, readCatalog, writeCatalog, CATALOG_FILE_NAME, type VolumeEntry } from './catalog/volume-catalog';
