//! STV4 frozen volumes (spec §5): the byte work only. TypeScript plans and writes the
//! file, parses the metadata and owns every policy; this module encodes, compresses and
//! decodes column blocks, computes the per-column summaries the metadata needs (zone
//! maps, sums, sorted flags, bloom bits) and checks the container framing.
//!
//! | file          | what                                                          |
//! |---------------|---------------------------------------------------------------|
//! | `kind.rs`     | column kinds and their fixed block layouts                    |
//! | `block.rs`    | block encoding + LZ4 (write), decoding into typed arrays (read)|
//! | `bloom.rs`    | stoolap's FNV-1a bloom filter, bit for bit                    |
//! | `summary.rs`  | one pass over a typed column: zone maps, stats, sorted, bloom |
//! | `container.rs`| header, block index and whole-file structural checks          |
//! | `encode.rs`   | a whole file body in one call: metadata, blocks, index, CRC   |
//! | `decode.rs`   | many blocks into column arrays in one call; open-time CRC     |
//! | `parallel.rs` | the job queue both use to run on a few threads                |
//! | `prepare.rs`  | builder passes: NULL zeroing, booleans, id remap, text summary |

pub mod block;
pub mod bloom;
pub mod container;
pub mod decode;
pub mod encode;
pub mod kind;
pub mod parallel;
pub mod prepare;
pub mod summary;

pub use kind::ColumnKind;

/// Reads a little-endian u64 from the first 8 bytes of `bytes` (callers check the length).
pub(crate) fn le_u64(bytes: &[u8]) -> Option<u64> {
    bytes
        .get(..8)
        .and_then(|b| <[u8; 8]>::try_from(b).ok())
        .map(u64::from_le_bytes)
}

/// Reads a little-endian u32 from the first 4 bytes of `bytes`.
pub(crate) fn le_u32(bytes: &[u8]) -> Option<u32> {
    bytes
        .get(..4)
        .and_then(|b| <[u8; 4]>::try_from(b).ok())
        .map(u32::from_le_bytes)
}
