//! Shared constants, exported once from Rust (`permafrost_core::constants`).

use napi_derive::napi;
use permafrost_core::constants as core;

#[napi]
pub const LZ4_MAX_EXPANSION: u32 = core::LZ4_MAX_EXPANSION;
#[napi]
pub const LZ4_EXPANSION_SLACK: u32 = core::LZ4_EXPANSION_SLACK;
#[napi]
pub const LZ4_BLOCK_BYTES_MAX: u32 = core::LZ4_BLOCK_BYTES_MAX;
#[napi]
pub const LZ4_SIZE_PREFIX_BYTES: u32 = core::LZ4_SIZE_PREFIX_BYTES;

// --- Volumes ---
#[napi]
pub const VOLUME_MAGIC: u32 = core::VOLUME_MAGIC;
#[napi]
pub const VOLUME_VERSION: u32 = core::VOLUME_VERSION;
#[napi]
pub const VOLUME_HEADER_BYTES: u32 = core::VOLUME_HEADER_BYTES;
#[napi]
pub const VOLUME_BLOCK_INDEX_ENTRY_BYTES: u32 = core::VOLUME_BLOCK_INDEX_ENTRY_BYTES;
#[napi]
pub const VOLUME_CRC_BYTES: u32 = core::VOLUME_CRC_BYTES;
#[napi]
pub const VOLUME_ROW_GROUP_ROWS: u32 = core::VOLUME_ROW_GROUP_ROWS;
#[napi]
pub const VOLUME_METADATA_BYTES_MAX: u32 = core::VOLUME_METADATA_BYTES_MAX;
#[napi]
pub const VOLUME_COLUMNS_MAX: u32 = core::VOLUME_COLUMNS_MAX;
#[napi]
pub const VOLUME_KIND_INT64: u32 = core::VOLUME_KIND_INT64;
#[napi]
pub const VOLUME_KIND_FLOAT64: u32 = core::VOLUME_KIND_FLOAT64;
#[napi]
pub const VOLUME_KIND_TIMESTAMP: u32 = core::VOLUME_KIND_TIMESTAMP;
#[napi]
pub const VOLUME_KIND_BOOLEAN: u32 = core::VOLUME_KIND_BOOLEAN;
#[napi]
pub const VOLUME_KIND_DICTIONARY: u32 = core::VOLUME_KIND_DICTIONARY;
#[napi]
pub const VOLUME_KIND_BYTES: u32 = core::VOLUME_KIND_BYTES;
#[napi]
pub const VOLUME_FLAG_SORTED: u32 = core::VOLUME_FLAG_SORTED;
#[napi]
pub const VOLUME_BLOOM_BITS_PER_ROW: u32 = core::VOLUME_BLOOM_BITS_PER_ROW;
#[napi]
pub const VOLUME_BLOOM_BITS_MIN: u32 = core::VOLUME_BLOOM_BITS_MIN;
#[napi]
pub const VOLUME_SUMMARY_GLOBAL_BYTES: u32 = core::VOLUME_SUMMARY_GLOBAL_BYTES;
#[napi]
pub const VOLUME_SUMMARY_GROUP_BYTES: u32 = core::VOLUME_SUMMARY_GROUP_BYTES;
// --- Values (spec §4.2) and the columnar row drafts (wal_rows) ---
#[napi]
pub const VALUE_TAG_NULL: u8 = core::VALUE_TAG_NULL;
#[napi]
pub const VALUE_TAG_BOOLEAN: u8 = core::VALUE_TAG_BOOLEAN;
#[napi]
pub const VALUE_TAG_INTEGER: u8 = core::VALUE_TAG_INTEGER;
#[napi]
pub const VALUE_TAG_FLOAT: u8 = core::VALUE_TAG_FLOAT;
#[napi]
pub const VALUE_TAG_TEXT: u8 = core::VALUE_TAG_TEXT;
#[napi]
pub const VALUE_TAG_LEGACY_TIMESTAMP: u8 = core::VALUE_TAG_LEGACY_TIMESTAMP;
#[napi]
pub const VALUE_TAG_JSON: u8 = core::VALUE_TAG_JSON;
#[napi]
pub const VALUE_TAG_TIMESTAMP: u8 = core::VALUE_TAG_TIMESTAMP;
#[napi]
pub const VALUE_TAG_LEGACY_VECTOR: u8 = core::VALUE_TAG_LEGACY_VECTOR;
#[napi]
pub const VALUE_TAG_VECTOR: u8 = core::VALUE_TAG_VECTOR;
#[napi]
pub const VALUE_TAG_EXTENSION: u8 = core::VALUE_TAG_EXTENSION;
#[napi]
pub const ROW_COLUMN_INT64: u8 = core::ROW_COLUMN_INT64;
#[napi]
pub const ROW_COLUMN_FLOAT64: u8 = core::ROW_COLUMN_FLOAT64;
#[napi]
pub const ROW_COLUMN_TIMESTAMP_NANOS: u8 = core::ROW_COLUMN_TIMESTAMP_NANOS;
#[napi]
pub const ROW_COLUMN_BOOLEAN: u8 = core::ROW_COLUMN_BOOLEAN;
#[napi]
pub const ROW_COLUMN_TEXT: u8 = core::ROW_COLUMN_TEXT;
#[napi]
pub const ROW_COLUMN_JSON: u8 = core::ROW_COLUMN_JSON;
#[napi]
pub const ROW_COLUMN_ENCODED: u8 = core::ROW_COLUMN_ENCODED;
// --- WAL ---
#[napi]
pub const WAL_ENTRY_MAGIC: u32 = core::WAL_ENTRY_MAGIC;
#[napi]
pub const WAL_ENTRY_VERSION: u8 = core::WAL_ENTRY_VERSION;
#[napi]
pub const WAL_HEADER_BYTES: u32 = core::WAL_HEADER_BYTES;
#[napi]
pub const WAL_HEADER_FLAGS_OFFSET: u32 = core::WAL_HEADER_FLAGS_OFFSET;
#[napi]
pub const WAL_HEADER_SIZE_OFFSET: u32 = core::WAL_HEADER_SIZE_OFFSET;
#[napi]
pub const WAL_HEADER_LSN_OFFSET: u32 = core::WAL_HEADER_LSN_OFFSET;
#[napi]
pub const WAL_HEADER_PREVIOUS_LSN_OFFSET: u32 = core::WAL_HEADER_PREVIOUS_LSN_OFFSET;
#[napi]
pub const WAL_HEADER_ENTRY_SIZE_OFFSET: u32 = core::WAL_HEADER_ENTRY_SIZE_OFFSET;
#[napi]
pub const WAL_HEADER_CHECKSUM_OFFSET: u32 = core::WAL_HEADER_CHECKSUM_OFFSET;
#[napi]
pub const WAL_DATA_FIXED_BYTES: u32 = core::WAL_DATA_FIXED_BYTES;
#[napi]
pub const WAL_DATA_NAME_LENGTH_OFFSET: u32 = core::WAL_DATA_NAME_LENGTH_OFFSET;
#[napi]
pub const WAL_DATA_NAME_OFFSET: u32 = core::WAL_DATA_NAME_OFFSET;
#[napi]
pub const WAL_CRC_BYTES: u32 = core::WAL_CRC_BYTES;
#[napi]
pub const WAL_ENTRY_DATA_BYTES_MAX: u32 = core::WAL_ENTRY_DATA_BYTES_MAX;
#[napi]
pub const WAL_COMPRESSION_THRESHOLD_BYTES: u32 = core::WAL_COMPRESSION_THRESHOLD_BYTES;
#[napi]
pub const WAL_FLAG_COMPRESSED: u8 = core::WAL_FLAG_COMPRESSED;
#[napi]
pub const WAL_FLAG_COMMIT_MARKER: u8 = core::WAL_FLAG_COMMIT_MARKER;
#[napi]
pub const WAL_FLAG_ABORT_MARKER: u8 = core::WAL_FLAG_ABORT_MARKER;
#[napi]
pub const WAL_FLAGS_NEVER_WRITTEN: u8 = core::WAL_FLAGS_NEVER_WRITTEN;
#[napi]
pub const WAL_OP_INSERT: u8 = core::WAL_OP_INSERT;
#[napi]
pub const WAL_OP_UPDATE: u8 = core::WAL_OP_UPDATE;
#[napi]
pub const WAL_OP_DELETE: u8 = core::WAL_OP_DELETE;
#[napi]
pub const WAL_OP_COMMIT: u8 = core::WAL_OP_COMMIT;
#[napi]
pub const WAL_OP_ROLLBACK: u8 = core::WAL_OP_ROLLBACK;
#[napi]
pub const WAL_OP_CREATE_TABLE: u8 = core::WAL_OP_CREATE_TABLE;
#[napi]
pub const WAL_OP_DROP_TABLE: u8 = core::WAL_OP_DROP_TABLE;
#[napi]
pub const WAL_OP_ALTER_TABLE: u8 = core::WAL_OP_ALTER_TABLE;
#[napi]
pub const WAL_OP_CREATE_INDEX: u8 = core::WAL_OP_CREATE_INDEX;
#[napi]
pub const WAL_OP_DROP_INDEX: u8 = core::WAL_OP_DROP_INDEX;
#[napi]
pub const WAL_OP_CREATE_VIEW: u8 = core::WAL_OP_CREATE_VIEW;
#[napi]
pub const WAL_OP_DROP_VIEW: u8 = core::WAL_OP_DROP_VIEW;
#[napi]
pub const WAL_OP_TRUNCATE_TABLE: u8 = core::WAL_OP_TRUNCATE_TABLE;
#[napi]
pub const WAL_OP_MAX: u8 = core::WAL_OP_MAX;
#[napi]
pub const WAL_DDL_TXN_ID: i32 = core::WAL_DDL_TXN_ID;
#[napi]
pub const WAL_MARKER_TXN_ID: i32 = core::WAL_MARKER_TXN_ID;
#[napi]
pub const WAL_INDEX_RECORD_BYTES: u32 = core::WAL_INDEX_RECORD_BYTES;
#[napi]
pub const WAL_INDEX_OFFSET: u32 = core::WAL_INDEX_OFFSET;
#[napi]
pub const WAL_INDEX_LSN: u32 = core::WAL_INDEX_LSN;
#[napi]
pub const WAL_INDEX_PREVIOUS_LSN: u32 = core::WAL_INDEX_PREVIOUS_LSN;
#[napi]
pub const WAL_INDEX_TXN_ID: u32 = core::WAL_INDEX_TXN_ID;
#[napi]
pub const WAL_INDEX_TXN_ID_NUMBER: u32 = core::WAL_INDEX_TXN_ID_NUMBER;
#[napi]
pub const WAL_INDEX_ROW_ID: u32 = core::WAL_INDEX_ROW_ID;
#[napi]
pub const WAL_INDEX_TIMESTAMP: u32 = core::WAL_INDEX_TIMESTAMP;
#[napi]
pub const WAL_INDEX_LSN_NUMBER: u32 = core::WAL_INDEX_LSN_NUMBER;
#[napi]
pub const WAL_INDEX_ENTRY_BYTES: u32 = core::WAL_INDEX_ENTRY_BYTES;
#[napi]
pub const WAL_INDEX_DATA_CRC: u32 = core::WAL_INDEX_DATA_CRC;
#[napi]
pub const WAL_INDEX_PAYLOAD_OFFSET: u32 = core::WAL_INDEX_PAYLOAD_OFFSET;
#[napi]
pub const WAL_INDEX_PAYLOAD_STORED_BYTES: u32 = core::WAL_INDEX_PAYLOAD_STORED_BYTES;
#[napi]
pub const WAL_INDEX_PAYLOAD_RAW_BYTES: u32 = core::WAL_INDEX_PAYLOAD_RAW_BYTES;
#[napi]
pub const WAL_INDEX_TABLE_NAME_BYTES: u32 = core::WAL_INDEX_TABLE_NAME_BYTES;
#[napi]
pub const WAL_INDEX_HEADER_BYTES: u32 = core::WAL_INDEX_HEADER_BYTES;
#[napi]
pub const WAL_INDEX_KIND: u32 = core::WAL_INDEX_KIND;
#[napi]
pub const WAL_INDEX_REASON: u32 = core::WAL_INDEX_REASON;
#[napi]
pub const WAL_INDEX_FLAGS: u32 = core::WAL_INDEX_FLAGS;
#[napi]
pub const WAL_INDEX_OPERATION: u32 = core::WAL_INDEX_OPERATION;
#[napi]
pub const WAL_INDEX_PRESENT: u32 = core::WAL_INDEX_PRESENT;
#[napi]
pub const WAL_INDEX_HAS_HEADER: u8 = core::WAL_INDEX_HAS_HEADER;
#[napi]
pub const WAL_INDEX_HAS_TXN: u8 = core::WAL_INDEX_HAS_TXN;
#[napi]
pub const WAL_INDEX_HEADER_VERIFIED: u8 = core::WAL_INDEX_HEADER_VERIFIED;
#[napi]
pub const WAL_RECORD_ENTRY: u8 = core::WAL_RECORD_ENTRY;
#[napi]
pub const WAL_RECORD_DAMAGE: u8 = core::WAL_RECORD_DAMAGE;
#[napi]
pub const WAL_DAMAGE_BAD_MAGIC: u8 = core::WAL_DAMAGE_BAD_MAGIC;
#[napi]
pub const WAL_DAMAGE_BAD_VERSION: u8 = core::WAL_DAMAGE_BAD_VERSION;
#[napi]
pub const WAL_DAMAGE_BAD_HEADER_SIZE: u8 = core::WAL_DAMAGE_BAD_HEADER_SIZE;
#[napi]
pub const WAL_DAMAGE_HEADER_CHECKSUM: u8 = core::WAL_DAMAGE_HEADER_CHECKSUM;
#[napi]
pub const WAL_DAMAGE_ENTRY_TOO_LARGE: u8 = core::WAL_DAMAGE_ENTRY_TOO_LARGE;
#[napi]
pub const WAL_DAMAGE_TRUNCATED: u8 = core::WAL_DAMAGE_TRUNCATED;
#[napi]
pub const WAL_DAMAGE_DATA_CHECKSUM: u8 = core::WAL_DAMAGE_DATA_CHECKSUM;
#[napi]
pub const WAL_DAMAGE_BAD_LAYOUT: u8 = core::WAL_DAMAGE_BAD_LAYOUT;
#[napi]
pub const WAL_DAMAGE_UNKNOWN_OPERATION: u8 = core::WAL_DAMAGE_UNKNOWN_OPERATION;
#[napi]
pub const WAL_DAMAGE_BAD_TABLE_NAME: u8 = core::WAL_DAMAGE_BAD_TABLE_NAME;
#[napi]
pub const WAL_DAMAGE_BAD_FLAGS: u8 = core::WAL_DAMAGE_BAD_FLAGS;
#[napi]
pub const WAL_DAMAGE_BAD_COMPRESSION: u8 = core::WAL_DAMAGE_BAD_COMPRESSION;
#[napi]
pub const WAL_DAMAGE_ZERO_LSN: u8 = core::WAL_DAMAGE_ZERO_LSN;
#[napi]
pub const WAL_SCAN_END: u8 = core::WAL_SCAN_END;
#[napi]
pub const WAL_SCAN_NEED_MORE: u8 = core::WAL_SCAN_NEED_MORE;
#[napi]
pub const WAL_SCAN_INDEX_FULL: u8 = core::WAL_SCAN_INDEX_FULL;
