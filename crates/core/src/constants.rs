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
