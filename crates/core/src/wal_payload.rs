//! Batch decompression of WAL payloads: the LZ4+size payloads of many entries of one window
//! are inflated into one caller-owned slab in a single call (never one native call per entry).
//!
//! The work list is a byte buffer of little-endian `u32` quadruples, one per payload:
//!
//! | offset | size | field                                                   |
//! |--------|------|---------------------------------------------------------|
//! | 0      | 4    | source offset of the LZ4+size payload in the window      |
//! | 4      | 4    | source length (including the 4-byte size prefix)         |
//! | 8      | 4    | destination offset in the slab                           |
//! | 12     | 4    | decompressed length (the prefix value, already checked)  |

use crate::error::{CoreError, CoreResult, ErrorCode};
use crate::lz4_block;
use crate::wal_entry::u32_at;

/// Bytes per work-list item.
pub const WORK_ITEM_BYTES: usize = 16;

/// Decompresses every payload named by `work` from `window` into `slab`.
///
/// # Errors
/// `InvalidArgument` when an item points outside the window or slab or its length disagrees
/// with the size prefix; `Corrupt` when an LZ4 block is malformed. The error offset is the
/// payload's source offset in the window.
pub fn decompress_payloads(window: &[u8], work: &[u8], slab: &mut [u8]) -> CoreResult<()> {
    for item in work.chunks_exact(WORK_ITEM_BYTES) {
        let field = |at| u32_at(item, at).map_or(0, |v| v as usize);
        let (src_at, src_len, dst_at, dst_len) = (field(0), field(4), field(8), field(12));
        let bad = |message: &str| CoreError::at(ErrorCode::InvalidArgument, src_at, message);
        let src = window
            .get(src_at..src_at.saturating_add(src_len))
            .ok_or_else(|| bad("payload outside the window"))?;
        if src.len() < 4 || u32_at(src, 0).map(|v| v as usize) != Some(dst_len) {
            return Err(bad("payload size prefix disagrees with the work list"));
        }
        let dst = slab
            .get_mut(dst_at..dst_at.saturating_add(dst_len))
            .ok_or_else(|| bad("payload destination outside the slab"))?;
        lz4_block::decompress_into(src.get(4..).unwrap_or_default(), dst).map_err(|mut e| {
            e.offset = Some(src_at as u64);
            e
        })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(values: [u32; 4]) -> Vec<u8> {
        values.iter().flat_map(|v| v.to_le_bytes()).collect()
    }

    #[test]
    fn inflates_each_payload_into_its_slot() {
        let a = lz4_flex::compress_prepend_size(&[1u8; 300]);
        let b = lz4_flex::compress_prepend_size(&[2u8; 100]);
        let window = [a.clone(), b.clone()].concat();
        let work = [
            item([0, a.len() as u32, 0, 300]),
            item([a.len() as u32, b.len() as u32, 300, 100]),
        ]
        .concat();
        let mut slab = vec![0u8; 400];
        decompress_payloads(&window, &work, &mut slab).expect("valid");
        assert!(slab.get(..300).is_some_and(|s| s.iter().all(|&x| x == 1)));
        assert!(slab.get(300..).is_some_and(|s| s.iter().all(|&x| x == 2)));
    }

    #[test]
    fn malformed_block_is_corrupt_at_its_offset() {
        let mut a = lz4_flex::compress_prepend_size(&[1u8; 300]);
        a.truncate(8);
        let work = item([0, 8, 0, 300]);
        let mut slab = vec![0u8; 300];
        let err = decompress_payloads(&a, &work, &mut slab).expect_err("corrupt");
        assert_eq!((err.code, err.offset), (ErrorCode::Corrupt, Some(0)));
    }

    #[test]
    fn out_of_range_item_is_an_invalid_argument() {
        let err = decompress_payloads(&[0u8; 10], &item([5, 100, 0, 1]), &mut [0u8; 1])
            .expect_err("range");
        assert_eq!(err.code, ErrorCode::InvalidArgument);
    }
}
