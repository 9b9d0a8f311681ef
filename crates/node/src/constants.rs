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
