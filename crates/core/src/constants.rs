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
// --- WAL ---
// Entry framing version 2 (spec §2.3). Offsets are relative to the start of the entry; data
// offsets are relative to the start of the DATA portion (after `header_size` bytes).

/// `u32` LE magic at offset 0 of every entry; on disk the bytes spell "WALE".
pub const WAL_ENTRY_MAGIC: u32 = 0x454C_4157;
/// The only entry format version stoolap 0.4.0 writes (offset 4).
pub const WAL_ENTRY_VERSION: u8 = 2;
/// Size of the fixed entry header; `header_size` (offset 6) is at least this.
pub const WAL_HEADER_BYTES: u32 = 32;
/// Offset of the `u8` flags in the header.
pub const WAL_HEADER_FLAGS_OFFSET: u32 = 5;
/// Offset of the `u16` header size.
pub const WAL_HEADER_SIZE_OFFSET: u32 = 6;
/// Offset of the `u64` LSN.
pub const WAL_HEADER_LSN_OFFSET: u32 = 8;
/// Offset of the `u64` previous LSN.
pub const WAL_HEADER_PREVIOUS_LSN_OFFSET: u32 = 16;
/// Offset of the `u32` entry size (length of the data portion).
pub const WAL_HEADER_ENTRY_SIZE_OFFSET: u32 = 24;
/// Offset of the `u32` field stoolap reserves (writes 0, never reads). permafrost stores the
/// header checksum there: CRC32 of header bytes `[0, WAL_HEADER_CHECKSUM_OFFSET)`.
pub const WAL_HEADER_CHECKSUM_OFFSET: u32 = 28;
/// Bytes of the data portion that do not depend on the table name or payload:
/// txn id 8 + name length 2 + row id 8 + operation 1 + timestamp 8 + payload length 4.
pub const WAL_DATA_FIXED_BYTES: u32 = 31;
/// Data offset of the `u16` table-name length (after the `i64` txn id at 0).
pub const WAL_DATA_NAME_LENGTH_OFFSET: u32 = 8;
/// Data offset of the table-name bytes.
pub const WAL_DATA_NAME_OFFSET: u32 = 10;
/// Size of the trailing CRC32 of the data portion.
pub const WAL_CRC_BYTES: u32 = 4;
/// Largest data portion a reader accepts (stoolap's sanity limit, 64 MiB).
pub const WAL_ENTRY_DATA_BYTES_MAX: u32 = 64 << 20;
/// Payloads of at least this many bytes are LZ4+size compressed when that makes them shorter.
pub const WAL_COMPRESSION_THRESHOLD_BYTES: u32 = 64;

/// Flag bits (spec §2.4). Only the first three are ever written.
pub const WAL_FLAG_COMPRESSED: u8 = 0x01;
pub const WAL_FLAG_COMMIT_MARKER: u8 = 0x02;
pub const WAL_FLAG_ABORT_MARKER: u8 = 0x04;
/// Defined by stoolap but never written (checkpoint, snapshot start/complete, rotation).
pub const WAL_FLAGS_NEVER_WRITTEN: u8 = 0x08 | 0x10 | 0x20 | 0x40;

/// Operation codes (spec §2.5); any other byte is an unknown operation.
pub const WAL_OP_INSERT: u8 = 1;
pub const WAL_OP_UPDATE: u8 = 2;
pub const WAL_OP_DELETE: u8 = 3;
pub const WAL_OP_COMMIT: u8 = 4;
pub const WAL_OP_ROLLBACK: u8 = 5;
pub const WAL_OP_CREATE_TABLE: u8 = 6;
pub const WAL_OP_DROP_TABLE: u8 = 7;
pub const WAL_OP_ALTER_TABLE: u8 = 8;
pub const WAL_OP_CREATE_INDEX: u8 = 9;
pub const WAL_OP_DROP_INDEX: u8 = 10;
pub const WAL_OP_CREATE_VIEW: u8 = 11;
pub const WAL_OP_DROP_VIEW: u8 = 12;
pub const WAL_OP_TRUNCATE_TABLE: u8 = 13;
/// Largest known operation code.
pub const WAL_OP_MAX: u8 = 13;

// Value encoding of WAL rows and snapshot rows (spec §4.2): the first byte of each value.
// These are NOT DataType codes. Tag 7 and tags ≥ 12 are unknown.
pub const VALUE_TAG_NULL: u8 = 0;
pub const VALUE_TAG_BOOLEAN: u8 = 1;
pub const VALUE_TAG_INTEGER: u8 = 2;
pub const VALUE_TAG_FLOAT: u8 = 3;
pub const VALUE_TAG_TEXT: u8 = 4;
/// Legacy RFC 3339 text timestamp (read only).
pub const VALUE_TAG_LEGACY_TIMESTAMP: u8 = 5;
pub const VALUE_TAG_JSON: u8 = 6;
pub const VALUE_TAG_TIMESTAMP: u8 = 8;
/// Legacy vector (read only).
pub const VALUE_TAG_LEGACY_VECTOR: u8 = 9;
pub const VALUE_TAG_VECTOR: u8 = 10;
pub const VALUE_TAG_EXTENSION: u8 = 11;
/// The 8 bytes that start a v2 RowVersion (spec §4.3): "RV2\0" then `00 00 00 80`.
pub const ROW_VERSION_MAGIC_V2: [u8; 8] = [0x52, 0x56, 0x32, 0x00, 0x00, 0x00, 0x00, 0x80];

/// Column source kinds of `wal_rows::draft_rows` (the columnar insert path).
pub const ROW_COLUMN_INT64: u8 = 1;
pub const ROW_COLUMN_FLOAT64: u8 = 2;
pub const ROW_COLUMN_TIMESTAMP_NANOS: u8 = 3;
pub const ROW_COLUMN_BOOLEAN: u8 = 4;
pub const ROW_COLUMN_TEXT: u8 = 5;
pub const ROW_COLUMN_JSON: u8 = 6;
/// Values already encoded per spec §4.2 (any type), one per row, delimited by offsets.
pub const ROW_COLUMN_ENCODED: u8 = 7;

/// Transaction id shared by every DDL entry and its commit marker (spec §2.6).
pub const WAL_DDL_TXN_ID: i32 = -2;
/// Transaction id of the marker entry written by truncation when nothing was copied.
pub const WAL_MARKER_TXN_ID: i32 = -1000;

// Scan index (`wal_scan`): one fixed-size record per entry or damaged region. Little-endian;
// every 8-byte field is 8-byte aligned so JS can read it through typed-array views.
/// Bytes per index record.
pub const WAL_INDEX_RECORD_BYTES: u32 = 96;
/// `f64` absolute file offset of the entry (or of the first damaged byte).
pub const WAL_INDEX_OFFSET: u32 = 0;
/// `u64` LSN (for damage: as read, unverified, when `WAL_INDEX_HAS_HEADER` is set).
pub const WAL_INDEX_LSN: u32 = 8;
/// `u64` previous LSN.
pub const WAL_INDEX_PREVIOUS_LSN: u32 = 16;
/// `i64` transaction id (for damage: as read, unverified, when `WAL_INDEX_HAS_TXN` is set).
pub const WAL_INDEX_TXN_ID: u32 = 24;
/// `f64` transaction id, exact when |id| <= 2^53, NaN otherwise (fast map keys in JS).
pub const WAL_INDEX_TXN_ID_NUMBER: u32 = 32;
/// `i64` row id.
pub const WAL_INDEX_ROW_ID: u32 = 40;
/// `i64` timestamp, nanoseconds since the Unix epoch.
pub const WAL_INDEX_TIMESTAMP: u32 = 48;
/// `f64` LSN, exact when <= 2^53, NaN otherwise.
pub const WAL_INDEX_LSN_NUMBER: u32 = 56;
/// `u32` bytes the entry occupies on disk (header + data + CRC).
pub const WAL_INDEX_ENTRY_BYTES: u32 = 64;
/// `u32` stored CRC32 of the data portion.
pub const WAL_INDEX_DATA_CRC: u32 = 68;
/// `u32` offset of the payload from the start of the entry.
pub const WAL_INDEX_PAYLOAD_OFFSET: u32 = 72;
/// `u32` payload bytes as stored (compressed size when compressed).
pub const WAL_INDEX_PAYLOAD_STORED_BYTES: u32 = 76;
/// `u32` payload bytes after decompression.
pub const WAL_INDEX_PAYLOAD_RAW_BYTES: u32 = 80;
/// `u16` table-name bytes (the name starts at header size + `WAL_DATA_NAME_OFFSET`).
pub const WAL_INDEX_TABLE_NAME_BYTES: u32 = 84;
/// `u16` header size.
pub const WAL_INDEX_HEADER_BYTES: u32 = 86;
/// `u8` record kind: `WAL_RECORD_ENTRY` or `WAL_RECORD_DAMAGE`.
pub const WAL_INDEX_KIND: u32 = 88;
/// `u8` damage reason (`WAL_DAMAGE_*`); 0 for entries.
pub const WAL_INDEX_REASON: u32 = 89;
/// `u8` flags byte of the header.
pub const WAL_INDEX_FLAGS: u32 = 90;
/// `u8` operation code.
pub const WAL_INDEX_OPERATION: u32 = 91;
/// `u8` bit set telling which fields of a damage record were readable.
pub const WAL_INDEX_PRESENT: u32 = 92;
/// `WAL_INDEX_PRESENT` bit: the header (LSN, previous LSN, flags) was readable.
pub const WAL_INDEX_HAS_HEADER: u8 = 0x01;
/// `WAL_INDEX_PRESENT` bit: the transaction id was readable.
pub const WAL_INDEX_HAS_TXN: u8 = 0x02;
/// `WAL_INDEX_PRESENT` bit: the header checksum was present and held (LSN is trustworthy).
pub const WAL_INDEX_HEADER_VERIFIED: u8 = 0x04;

/// Record kinds.
pub const WAL_RECORD_ENTRY: u8 = 1;
pub const WAL_RECORD_DAMAGE: u8 = 2;

/// Damage reasons: why the bytes at a damage record's offset are not a valid entry.
pub const WAL_DAMAGE_BAD_MAGIC: u8 = 1;
pub const WAL_DAMAGE_BAD_VERSION: u8 = 2;
pub const WAL_DAMAGE_BAD_HEADER_SIZE: u8 = 3;
pub const WAL_DAMAGE_HEADER_CHECKSUM: u8 = 4;
pub const WAL_DAMAGE_ENTRY_TOO_LARGE: u8 = 5;
pub const WAL_DAMAGE_TRUNCATED: u8 = 6;
pub const WAL_DAMAGE_DATA_CHECKSUM: u8 = 7;
pub const WAL_DAMAGE_BAD_LAYOUT: u8 = 8;
pub const WAL_DAMAGE_UNKNOWN_OPERATION: u8 = 9;
pub const WAL_DAMAGE_BAD_TABLE_NAME: u8 = 10;
pub const WAL_DAMAGE_BAD_FLAGS: u8 = 11;
pub const WAL_DAMAGE_BAD_COMPRESSION: u8 = 12;
pub const WAL_DAMAGE_ZERO_LSN: u8 = 13;

/// Why a scan call stopped.
/// The window was consumed to its end.
pub const WAL_SCAN_END: u8 = 1;
/// An entry (or a partial magic) starts at `resume` and continues past the window; read a
/// window that starts there and holds at least `needed_bytes`.
pub const WAL_SCAN_NEED_MORE: u8 = 2;
/// The index is full; continue at `resume`.
pub const WAL_SCAN_INDEX_FULL: u8 = 3;
