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
