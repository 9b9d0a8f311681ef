//! LZ4 *block* format (never the frame format), in the two wrappers stoolap uses:
//!
//! | wrapper  | bytes                                             | stoolap call                        |
//! |----------|---------------------------------------------------|-------------------------------------|
//! | raw      | one LZ4 block; decompressed size known elsewhere | `lz4_flex::compress` / `decompress` |
//! | LZ4+size | u32 LE decompressed size, then one LZ4 block      | `compress_prepend_size`             |
//!
//! Output is produced by `lz4_flex` 0.13.0, the encoder stoolap 0.4.0 links, so for the same
//! input the compressed bytes are identical. Decompression never allocates: it writes into a
//! buffer of exactly the expected size, which the caller has checked against its own cap.

use crate::constants::{LZ4_BLOCK_BYTES_MAX, LZ4_EXPANSION_SLACK, LZ4_MAX_EXPANSION};
use crate::error::{CoreError, CoreResult, ErrorCode};

/// Largest compressed size of `raw_len` input bytes: the buffer size `compress_into` needs.
#[must_use]
pub fn compress_bound(raw_len: usize) -> usize {
    lz4_flex::block::get_maximum_output_size(raw_len)
}

/// Compresses `src` as one raw LZ4 block into `dst`; returns the compressed length.
/// `dst` must hold at least `compress_bound(src.len())` bytes.
///
/// # Errors
/// `InvalidArgument` when `dst` is smaller than the bound.
pub fn compress_into(src: &[u8], dst: &mut [u8]) -> CoreResult<usize> {
    let bound = compress_bound(src.len());
    if dst.len() < bound {
        return Err(CoreError::new(
            ErrorCode::InvalidArgument,
            format!(
                "LZ4 output buffer holds {} bytes; {bound} needed",
                dst.len()
            ),
        ));
    }
    lz4_flex::block::compress_into(src, dst).map_err(|e| {
        CoreError::new(
            ErrorCode::InvalidArgument,
            format!("LZ4 compression failed: {e}"),
        )
    })
}

/// Compresses `src` into a new vector (raw block, no prefix). Used by the native benchmark
/// and by tests as the reference; the Node binding uses `compress_into`.
#[must_use]
pub fn compress(src: &[u8]) -> Vec<u8> {
    lz4_flex::block::compress(src)
}

/// Largest decompressed size a raw block of `compressed_len` bytes can possibly have.
#[must_use]
pub fn max_decompressed_len(compressed_len: usize) -> u64 {
    (compressed_len as u64) * u64::from(LZ4_MAX_EXPANSION) + u64::from(LZ4_EXPANSION_SLACK)
}

/// Checks a declared decompressed size before anything is allocated for it: it must not
/// exceed `cap`, the core's own limit, or what `compressed_len` bytes can expand to.
///
/// # Errors
/// `Limit` above a cap, `Corrupt` above what LZ4 can produce.
pub fn check_declared_len(declared: u64, compressed_len: usize, cap: u64) -> CoreResult<()> {
    let hard_cap = cap.min(u64::from(LZ4_BLOCK_BYTES_MAX));
    if declared > hard_cap {
        return Err(CoreError::new(
            ErrorCode::Limit,
            format!("LZ4 block declares {declared} decompressed bytes; the limit is {hard_cap}"),
        ));
    }
    let possible = max_decompressed_len(compressed_len);
    if declared > possible {
        return Err(CoreError::new(
            ErrorCode::Corrupt,
            format!(
                "LZ4 block of {compressed_len} bytes cannot expand to {declared} bytes (at most {possible})"
            ),
        ));
    }
    Ok(())
}

/// Decompresses one raw LZ4 block into `dst`, which must be exactly the decompressed size.
///
/// # Errors
/// `Corrupt` when the stream is malformed or does not fill `dst` exactly.
pub fn decompress_into(src: &[u8], dst: &mut [u8]) -> CoreResult<()> {
    check_declared_len(dst.len() as u64, src.len(), u64::MAX)?;
    let written = lz4_flex::block::decompress_into(src, dst)
        .map_err(|e| CoreError::new(ErrorCode::Corrupt, format!("LZ4 block is malformed: {e}")))?;
    if written != dst.len() {
        return Err(CoreError::new(
            ErrorCode::Corrupt,
            format!(
                "LZ4 block decompressed to {written} bytes; {} expected",
                dst.len()
            ),
        ));
    }
    Ok(())
}

/// Reads the decompressed size of an "LZ4+size" buffer and checks it against `cap` and
/// against what the remaining bytes can expand to. Returns it as a `usize`.
///
/// # Errors
/// `Truncated` when fewer than 4 bytes are given; `Limit` / `Corrupt` as `check_declared_len`.
pub fn size_prepended_len(src: &[u8], cap: u64) -> CoreResult<usize> {
    let Some((prefix, block)) = src.split_first_chunk::<4>() else {
        return Err(CoreError::at(
            ErrorCode::Truncated,
            0,
            format!(
                "LZ4+size buffer has {} bytes; its 4-byte size prefix is incomplete",
                src.len()
            ),
        ));
    };
    let declared = u32::from_le_bytes(*prefix);
    check_declared_len(u64::from(declared), block.len(), cap)?;
    usize::try_from(declared).map_err(|_| {
        CoreError::new(
            ErrorCode::Limit,
            format!("{declared} bytes do not fit in memory"),
        )
    })
}

/// Decompresses an "LZ4+size" buffer (`lz4_flex::decompress_size_prepended`), refusing a
/// declared size above `cap` before allocating.
///
/// # Errors
/// As `size_prepended_len` and `decompress_into`.
pub fn decompress_size_prepended(src: &[u8], cap: u64) -> CoreResult<Vec<u8>> {
    let len = size_prepended_len(src, cap)?;
    let block = src.get(4..).unwrap_or_default();
    let mut out = vec![0u8; len];
    decompress_into(block, &mut out).map_err(|mut e| {
        e.offset = Some(4);
        e
    })?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(len: usize) -> Vec<u8> {
        (0..len).map(|i| ((i / 7) % 13) as u8).collect()
    }

    #[test]
    fn compress_into_is_byte_identical_to_lz4_flex_compress() {
        for len in [0, 1, 15, 64, 1000, 70_000] {
            let src = sample(len);
            let mut dst = vec![0u8; compress_bound(len)];
            let n = compress_into(&src, &mut dst).expect("bound-sized buffer");
            assert_eq!(
                dst.get(..n),
                Some(lz4_flex::block::compress(&src).as_slice())
            );
        }
    }

    /// The input of the known LZ4 vector, also pinned in `__test__/native/lz4.spec.ts`.
    fn known_vector_input() -> Vec<u8> {
        let mut input = b"permafrost keeps stoolap's bytes: ".repeat(3);
        input.extend_from_slice(&b"0123456789".repeat(4));
        input.push(b'!');
        input
    }

    /// lz4_flex 0.13.0's block for `known_vector_input()`, the same hex as the TS test.
    const KNOWN_VECTOR_HEX: &str = "ff137065726d6166726f7374206b656570732073746f6f6c617027732062797465733a20220031af303132333435363738390a000660353637383921";

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn compress_matches_the_known_lz4_flex_vector() {
        let input = known_vector_input();
        assert_eq!(input.len(), 143);
        assert_eq!(hex(&lz4_flex::block::compress(&input)), KNOWN_VECTOR_HEX);
        let mut dst = vec![0u8; compress_bound(input.len())];
        let n = compress_into(&input, &mut dst).expect("bound-sized buffer");
        assert_eq!(hex(dst.get(..n).unwrap_or_default()), KNOWN_VECTOR_HEX);
    }

    #[test]
    fn size_prepended_round_trip_matches_lz4_flex() {
        let src = sample(5000);
        let framed = lz4_flex::compress_prepend_size(&src);
        assert_eq!(decompress_size_prepended(&framed, 1 << 20), Ok(src));
    }

    #[test]
    fn declared_size_above_cap_is_refused_before_allocating() {
        let mut framed = vec![0xFF, 0xFF, 0xFF, 0xFF];
        framed.extend_from_slice(&[0u8; 10]);
        let err = decompress_size_prepended(&framed, 1 << 20).expect_err("over cap");
        assert_eq!(err.code, ErrorCode::Limit);
    }

    #[test]
    fn declared_size_beyond_lz4_expansion_is_corrupt() {
        let err = check_declared_len(10_000, 10, u64::MAX).expect_err("impossible ratio");
        assert_eq!(err.code, ErrorCode::Corrupt);
    }

    #[test]
    fn short_output_is_corrupt() {
        let src = sample(1000);
        let block = compress(&src);
        let mut dst = vec![0u8; 999];
        assert_eq!(
            decompress_into(&block, &mut dst).map_err(|e| e.code),
            Err(ErrorCode::Corrupt)
        );
    }

    #[test]
    fn garbage_never_panics() {
        let mut state = 0x1234_5678u32;
        for len in 0..300 {
            let bytes: Vec<u8> = (0..len)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 17;
                    state ^= state << 5;
                    (state & 0xFF) as u8
                })
                .collect();
            let mut dst = vec![0u8; 512];
            let _ = decompress_into(&bytes, &mut dst);
            let _ = decompress_size_prepended(&bytes, 1 << 16);
        }
    }

    #[test]
    fn missing_size_prefix_is_truncated() {
        assert_eq!(
            decompress_size_prepended(&[1, 2], 100).map_err(|e| e.code),
            Err(ErrorCode::Truncated)
        );
    }
}
