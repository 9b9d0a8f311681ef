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

// Codecs (spec §4): the JS value model and stoolap's value, row, schema, index, view and ALTER encodings
export { DataType, dataTypeName, isDataType } from './codec/data-type';
export {
  Extension,
  FloatBits,
  Json,
  Timestamp,
  TIMESTAMP_BOUNDS,
  TypedNull,
  dataTypeOf,
  isNull,
  toColumnValue,
  toValue,
  type Value,
} from './codec/values';
export { decodeValue, encodeValue, encodeValueToBuffer, readValue, ValueTag } from './codec/value-codec';
export { ByteReader } from './codec/byte-reader';
export { ByteWriter } from './codec/byte-writer';
export { decodeRowVersion, encodeRowVersion, writeRowVersion, ROW_VERSION_MAGIC_V2, type RowVersion } from './codec/row-version';
export {
  column,
  decodeSchema,
  decodeSnapshotSchema,
  encodeSchema,
  encodeSnapshotSchema,
  ForeignKeyAction,
  type ColumnSchema,
  type ForeignKey,
  type SnapshotSchema,
  type TableSchema,
} from './codec/schema';
export {
  decodeIndexMetadata,
  DEFAULT_HNSW_PARAMETERS,
  DistanceMetric,
  encodeIndexMetadata,
  IndexType,
  type HnswParameters,
  type IndexMetadata,
} from './codec/index-metadata';
export { decodeViewDefinition, encodeViewDefinition, type ViewDefinition } from './codec/view-definition';
export { AlterOperation, decodeAlterTable, encodeAlterTable, type AlterTable } from './codec/alter-table';
export { rowToObject, toRowValues, type RowInput } from './codec/row-shape';
// Volumes and catalog
export { VolumeBuilder, type VolumeSchema, type ColumnBatch, type ColumnInput, type VolumeBuilderOptions, type AddBatchOptions } from './volume/volume-builder';
export type { FrozenVolume } from './volume/volume-summary';
export type { ColumnData } from './volume/column-data';
export type { VolumeMetadata, ColumnMeta } from './volume/volume-metadata';
export type { ZoneMap, RowGroup } from './volume/zone-map';
export { statsSum, statsAverage, type ColumnStats, type VolumeStats } from './volume/column-stats';
export { BloomFilter } from './volume/bloom-filter';
export { columnKinds, kindName, type ColumnKind } from './volume/column-kind';
export { encodeVolume, encodeVolumeSync, writeVolume, type VolumeWriteOptions, type EncodedVolume } from './volume/volume-writer';
export { VolumeReader, type VolumeReadOptions, type VolumeFileReader, type LoadTarget } from './volume/volume-reader';
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
// WAL and persistence manager
export { PersistenceManager, type PersistenceStatus } from './persistence/persistence-manager';
export type { PersistenceOptions } from './persistence/persistence-options';
export type { SyncMode } from './wal/wal-manager';
export { WalOperation, WalFlag, walOperationName, DDL_TXN_ID, MARKER_TXN_ID } from './wal/wal-constants';
export { WalEntry } from './wal/wal-entry';
export type { ReplayCallback, TwoPhaseRecoveryInfo } from './wal/replay';
export type { WalRecoveryReport } from './wal/recovery';
export type { WalRepair } from './wal/truncation';
export type { WalDamage } from './wal/wal-damage';
export type { DroppedTransaction } from './wal/wal-analysis';
export { decodeWalEntries, readWalRecords, verifyWalDirectory, type WalRecord, type WalVerifyReport } from './wal/wal-reader';
export { decodeCheckpointMeta, encodeCheckpointMeta, type CheckpointMeta, type CommittedTransaction } from './wal/checkpoint-meta';
export { decodeCommitDigest, type CommitDigest } from './wal/commit-digest';
export { nodeFileSystem, type FileSystem } from './io/file-system';
export { DirectoryLock, LOCK_FILE_NAME } from './io/directory-lock';

// The store: tables, transactions, checkpoints into volumes, recovery, time-range scans
export { Store, type StoreStatus } from './store/store';
export { Transaction, type TransactionStatus } from './store/transaction';
export type { StoreOptions } from './store/store-options';
export type { CheckpointReport } from './store/checkpoint-cycle';
export type { StoreRecoveryReport, RecoveryMode } from './store/open-store';
export type { ScanOptions, ScanRow, ScanStats, TimeInput, TimeRange } from './store/scan';
export type { StoreInfo, TableInfo, VolumeInfo } from './store/store-info';
