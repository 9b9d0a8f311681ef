//! Constants that both sides need. They are defined here once; `permafrost-node` exports
//! them to JavaScript (`ts/native.ts` re-exports them) so TypeScript never retypes them.

/// An LZ4 block can expand at most ~255:1 (one extra length byte adds 255 match bytes).
/// A declared decompressed size above `compressed_len * LZ4_MAX_EXPANSION + LZ4_EXPANSION_SLACK`
/// is impossible and is refused before any allocation.
pub const LZ4_MAX_EXPANSION: u32 = 255;
/// Constant slack added to the expansion bound (covers the final literals of tiny blocks).
pub const LZ4_EXPANSION_SLACK: u32 = 64;
/// Largest decompressed block the core will ever produce in one call (1 GiB). Callers pass
/// a tighter cap of their own; this one only stops arithmetic from running away.
pub const LZ4_BLOCK_BYTES_MAX: u32 = 1 << 30;
/// Size of the little-endian u32 prefix of the "LZ4+size" wrapper
/// (`lz4_flex::compress_prepend_size`).
pub const LZ4_SIZE_PREFIX_BYTES: u32 = 4;

// --- Volumes ---
// STV4 frozen volumes (spec §5). TypeScript reads these through `native()`.

/// First four bytes of a volume file, "STV4", read as a little-endian u32.
pub const VOLUME_MAGIC: u32 = u32::from_le_bytes(*b"STV4");
/// The only STV4 container version stoolap 0.4.0 writes and reads.
pub const VOLUME_VERSION: u32 = 1;
/// Fixed header: magic, version, col_count, num_groups, meta_len (5 × u32).
pub const VOLUME_HEADER_BYTES: u32 = 20;
/// One block index entry: u64 stored_len, u64 decompressed_len.
pub const VOLUME_BLOCK_INDEX_ENTRY_BYTES: u32 = 16;
/// Trailing CRC32 of every preceding byte.
pub const VOLUME_CRC_BYTES: u32 = 4;
/// Rows per row group (stoolap `ROW_GROUP_SIZE`); one block per column per group.
pub const VOLUME_ROW_GROUP_ROWS: u32 = 65_536;
/// Largest decompressed metadata the readers accept (the u32 size prefix allows 4 GiB).
pub const VOLUME_METADATA_BYTES_MAX: u32 = 1 << 30;
/// Largest column count a volume may declare (stoolap has no limit; ours bounds allocation).
pub const VOLUME_COLUMNS_MAX: u32 = 65_535;

/// Column kind tags of the metadata column directory (spec §5.5).
pub const VOLUME_KIND_INT64: u32 = 1;
pub const VOLUME_KIND_FLOAT64: u32 = 2;
pub const VOLUME_KIND_TIMESTAMP: u32 = 3;
pub const VOLUME_KIND_BOOLEAN: u32 = 4;
pub const VOLUME_KIND_DICTIONARY: u32 = 5;
pub const VOLUME_KIND_BYTES: u32 = 6;
/// Directory flag bit 0: the column is sorted (ascending, no NULLs).
pub const VOLUME_FLAG_SORTED: u32 = 0x01;

/// Bloom filter sizing: bits per expected row, and the minimum bit count.
pub const VOLUME_BLOOM_BITS_PER_ROW: u32 = 10;
pub const VOLUME_BLOOM_BITS_MIN: u32 = 64;

/// Layout of the column summary `volume::summary` writes for the metadata: one global
/// record, then one record per row group (see `crates/core/src/volume/summary.rs`).
pub const VOLUME_SUMMARY_GLOBAL_BYTES: u32 = 64;
pub const VOLUME_SUMMARY_GROUP_BYTES: u32 = 24;
