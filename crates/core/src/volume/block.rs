//! Column blocks: one column × one row group (spec §5.2, §5.5).
//!
//! Write side: the fixed-width kinds are serialized (null flags, then values) into a
//! scratch buffer one group at a time and compressed with lz4_flex 0.13 `compress`
//! straight into the caller's output; a block is kept compressed only when that is
//! strictly shorter, exactly as stoolap's `compress_columns_opts` decides. The block
//! index entries (u64 stored_len, u64 decompressed_len) are written into the caller's
//! index slice, so the caller can write that slice to the file as it is.
//!
//! Read side: a block is decompressed (or taken as is when stored raw) and split into
//! the caller's null-flag and value arrays, after checking that every size is exactly
//! what the kind and row count imply.

use crate::constants::VOLUME_ROW_GROUP_ROWS;
use crate::error::{CoreError, CoreResult, ErrorCode};
use crate::lz4_block;
use crate::volume::kind::ColumnKind;
use crate::volume::{le_u32, le_u64};

const INDEX_ENTRY: usize = 16;

fn invalid(message: String) -> CoreError {
    CoreError::new(ErrorCode::InvalidArgument, message)
}

fn group_size() -> usize {
    VOLUME_ROW_GROUP_ROWS as usize
}

/// Writes one block index entry.
fn put_entry(index: &mut [u8], block: usize, stored: usize, raw: usize) -> CoreResult<()> {
    let at = block
        .checked_mul(INDEX_ENTRY)
        .ok_or_else(|| invalid("block index overflow".into()))?;
    let entry = index
        .get_mut(at..at + INDEX_ENTRY)
        .ok_or_else(|| invalid(format!("block index slice has no room for block {block}")))?;
    let (stored_bytes, raw_bytes) = entry.split_at_mut(8);
    stored_bytes.copy_from_slice(&(stored as u64).to_le_bytes());
    raw_bytes.copy_from_slice(&(raw as u64).to_le_bytes());
    Ok(())
}

/// Stores `raw` at `out[at..]`: LZ4 when `compress` and strictly shorter, else as is.
/// Returns the stored length.
fn store_block(raw: &[u8], compress: bool, out: &mut [u8], at: usize) -> CoreResult<usize> {
    let room = out
        .get_mut(at..)
        .ok_or_else(|| invalid("output buffer is full".into()))?;
    let left = room.len();
    if compress {
        let bound = lz4_block::compress_bound(raw.len());
        let target = room.get_mut(..bound).ok_or_else(|| {
            invalid(format!(
                "output buffer has {left} bytes left; a block of {} bytes needs up to {bound}",
                raw.len()
            ))
        })?;
        let written = lz4_block::compress_into(raw, target)?;
        if written < raw.len() {
            return Ok(written);
        }
    }
    let target = room.get_mut(..raw.len()).ok_or_else(|| {
        invalid(format!(
            "output buffer has {left} bytes left; a raw block needs {}",
            raw.len()
        ))
    })?;
    target.copy_from_slice(raw);
    Ok(raw.len())
}

/// Output bytes `encode_fixed_column` / `compress_raw_blocks` may need for blocks of the
/// given raw sizes: the LZ4 bound when compressing, the raw size otherwise.
#[must_use]
pub fn output_bound(raw_len: usize, compress: bool) -> usize {
    if compress {
        lz4_block::compress_bound(raw_len).max(raw_len)
    } else {
        raw_len
    }
}

/// Serializes and stores every row group of a fixed-width column. `nulls` has one byte
/// per row, `values` `row_count × width` little-endian bytes. Writes the stored blocks
/// back to back into `out` and one index entry per group into `index`; returns the
/// number of bytes written to `out`.
///
/// # Errors
/// `InvalidArgument` when a slice has the wrong size or `out` is too small.
pub fn encode_fixed_column(
    kind: ColumnKind,
    nulls: &[u8],
    values: &[u8],
    compress: bool,
    out: &mut [u8],
    index: &mut [u8],
) -> CoreResult<usize> {
    let width = kind
        .value_bytes()
        .ok_or_else(|| invalid(format!("{kind:?} is not a fixed-width kind")))?;
    let rows = nulls.len();
    if rows.checked_mul(width) != Some(values.len()) {
        return Err(invalid(format!(
            "{rows} null flags need {} value bytes, got {}",
            rows.saturating_mul(width),
            values.len()
        )));
    }
    let groups = rows.div_ceil(group_size());
    if index.len() != groups * INDEX_ENTRY {
        return Err(invalid(format!(
            "block index slice has {} bytes; {groups} groups need {}",
            index.len(),
            groups * INDEX_ENTRY
        )));
    }
    let mut scratch = Vec::with_capacity(rows.min(group_size()) * (width + 1));
    let mut written = 0usize;
    for (group, (group_nulls, group_values)) in nulls
        .chunks(group_size())
        .zip(values.chunks(group_size() * width))
        .enumerate()
    {
        scratch.clear();
        scratch.extend_from_slice(group_nulls);
        scratch.extend_from_slice(group_values);
        let stored = store_block(&scratch, compress, out, written)?;
        put_entry(index, group, stored, scratch.len())?;
        written += stored;
    }
    Ok(written)
}

/// Stores already serialized blocks (BYTES columns, serialized by the caller). `raw`
/// holds the blocks back to back; the decompressed length of block `k` is read from its
/// index entry (bytes 8..16), and the stored length is written into bytes 0..8.
///
/// # Errors
/// `InvalidArgument` when the index does not describe `raw` exactly or `out` is too small.
pub fn compress_raw_blocks(
    raw: &[u8],
    compress: bool,
    out: &mut [u8],
    index: &mut [u8],
) -> CoreResult<usize> {
    if index.len() % INDEX_ENTRY != 0 {
        return Err(invalid(format!(
            "block index slice has {} bytes",
            index.len()
        )));
    }
    let mut consumed = 0usize;
    let mut written = 0usize;
    for block in 0..index.len() / INDEX_ENTRY {
        let raw_len = index
            .get(block * INDEX_ENTRY + 8..)
            .and_then(le_u64)
            .and_then(|len| usize::try_from(len).ok())
            .ok_or_else(|| invalid(format!("block {block} has no usable raw length")))?;
        let end = consumed
            .checked_add(raw_len)
            .filter(|end| *end <= raw.len())
            .ok_or_else(|| invalid(format!("block {block} runs past the raw input")))?;
        let block_bytes = raw.get(consumed..end).unwrap_or_default();
        let stored = store_block(block_bytes, compress, out, written)?;
        put_entry(index, block, stored, raw_len)?;
        written += stored;
        consumed = end;
    }
    if consumed != raw.len() {
        return Err(invalid(format!(
            "the index describes {consumed} raw bytes; {} were given",
            raw.len()
        )));
    }
    Ok(written)
}

/// Returns the decompressed bytes of a stored block: `src` itself when it is stored raw
/// (`src.len() == raw_len`), else the LZ4 block inflated into `scratch`.
///
/// # Errors
/// `Corrupt` when the stored block is longer than its raw size or does not inflate to it.
pub fn inflate<'a>(
    src: &'a [u8],
    raw_len: usize,
    scratch: &'a mut Vec<u8>,
) -> CoreResult<&'a [u8]> {
    if stored_raw(src, raw_len)? {
        return Ok(src);
    }
    // Only a grown part is zeroed: decompress_into fills all `raw_len` bytes or fails.
    scratch.resize(raw_len, 0);
    lz4_block::decompress_into(src, scratch)?;
    Ok(scratch)
}

/// Whether a stored block is kept raw (`src.len() == raw_len`); else checks that it can be
/// an LZ4 block of `raw_len` bytes.
fn stored_raw(src: &[u8], raw_len: usize) -> CoreResult<bool> {
    if src.len() == raw_len {
        return Ok(true);
    }
    if src.len() > raw_len {
        return Err(CoreError::new(
            ErrorCode::Corrupt,
            format!(
                "stored block of {} bytes is longer than its decompressed size {raw_len}",
                src.len()
            ),
        ));
    }
    lz4_block::check_declared_len(raw_len as u64, src.len(), u64::MAX)?;
    Ok(false)
}

/// The checks `decode_fixed_block` makes before decoding; returns the value width.
fn check_fixed_block(kind: ColumnKind, rows: usize, raw_len: usize) -> CoreResult<usize> {
    let width = kind
        .value_bytes()
        .ok_or_else(|| invalid(format!("{kind:?} is not a fixed-width kind")))?;
    let expected = kind.block_bytes(rows)?;
    if raw_len != expected {
        return Err(CoreError::new(
            ErrorCode::Corrupt,
            format!("{kind:?} block of {rows} rows must decompress to {expected} bytes, the index says {raw_len}"),
        ));
    }
    Ok(width)
}

/// `decode_fixed_block` with no scratch copy: the block is inflated straight into
/// `window`, whose last `rows × width` bytes are the group's values and whose first
/// `rows` bytes are room the caller lends (the tail of the previous group's values, not
/// yet decoded); the null flags are then copied from there into `nulls_dst`. Same checks
/// and errors as `decode_fixed_block`.
///
/// # Errors
/// As `decode_fixed_block`; `InvalidArgument` when `window` is not `rows × (width + 1)`.
pub fn decode_fixed_block_in_place(
    kind: ColumnKind,
    src: &[u8],
    raw_len: usize,
    dict_size: u32,
    window: &mut [u8],
    nulls_dst: &mut [u8],
) -> CoreResult<()> {
    let rows = nulls_dst.len();
    let width = check_fixed_block(kind, rows, raw_len)?;
    if window.len() != raw_len {
        return Err(invalid(format!(
            "decode window has {} bytes; {rows} rows of {width}-byte values need {raw_len}",
            window.len()
        )));
    }
    if stored_raw(src, raw_len)? {
        window.copy_from_slice(src);
    } else {
        lz4_block::decompress_into(src, window)?;
    }
    let (nulls, values) = window.split_at(rows);
    nulls_dst.copy_from_slice(nulls);
    if kind == ColumnKind::Dictionary {
        check_dictionary_ids(nulls, values, dict_size)?;
    }
    Ok(())
}

/// Decodes one stored block of a fixed-width column into `nulls_dst` (one byte per row)
/// and `values_dst` (`rows × width` bytes). For DICTIONARY blocks every id of a non-NULL
/// row must be below `dict_size`.
///
/// # Errors
/// `Corrupt` when the sizes disagree with the kind and row count, the LZ4 stream is bad,
/// or a dictionary id is out of range; `InvalidArgument` for wrongly sized outputs.
pub fn decode_fixed_block(
    kind: ColumnKind,
    src: &[u8],
    raw_len: usize,
    dict_size: u32,
    scratch: &mut Vec<u8>,
    nulls_dst: &mut [u8],
    values_dst: &mut [u8],
) -> CoreResult<()> {
    let width = kind
        .value_bytes()
        .ok_or_else(|| invalid(format!("{kind:?} is not a fixed-width kind")))?;
    let rows = nulls_dst.len();
    if values_dst.len() != rows * width {
        return Err(invalid(format!(
            "value output has {} bytes; {rows} rows need {}",
            values_dst.len(),
            rows * width
        )));
    }
    check_fixed_block(kind, rows, raw_len)?;
    let raw = inflate(src, raw_len, scratch)?;
    let (nulls, values) = raw.split_at(rows);
    nulls_dst.copy_from_slice(nulls);
    values_dst.copy_from_slice(values);
    if kind == ColumnKind::Dictionary {
        check_dictionary_ids(nulls, values, dict_size)?;
    }
    Ok(())
}

fn check_dictionary_ids(nulls: &[u8], ids: &[u8], dict_size: u32) -> CoreResult<()> {
    for (row, (null, id)) in nulls.iter().zip(ids.chunks_exact(4)).enumerate() {
        let id = le_u32(id).unwrap_or(u32::MAX);
        if *null == 0 && id >= dict_size {
            return Err(CoreError::new(
                ErrorCode::Corrupt,
                format!("dictionary id {id} at row {row} of the block is not below the dictionary size {dict_size}"),
            ));
        }
    }
    Ok(())
}

/// Checks a decompressed BYTES block of `rows` rows: the offset count equals `rows`, the
/// blob length fits, and every (offset, len) of a non-NULL row lies inside the blob.
/// Returns the offset of the blob within `raw`.
///
/// # Errors
/// `Corrupt` / `Truncated` describing the first violation.
pub fn check_bytes_block(raw: &[u8], rows: usize) -> CoreResult<usize> {
    let truncated = |at: usize, what: &str| {
        CoreError::at(
            ErrorCode::Truncated,
            at,
            format!("BYTES block ends inside {what}"),
        )
    };
    let nulls = raw
        .get(..rows)
        .ok_or_else(|| truncated(0, "the null flags"))?;
    let count = raw
        .get(rows..)
        .and_then(le_u64)
        .ok_or_else(|| truncated(rows, "the offset count"))?;
    if count != rows as u64 {
        return Err(CoreError::at(
            ErrorCode::Corrupt,
            rows,
            format!("BYTES block has {count} offsets for {rows} rows"),
        ));
    }
    let offsets_at = rows + 8;
    let blob_len_at = rows
        .checked_mul(16)
        .and_then(|b| b.checked_add(offsets_at))
        .ok_or_else(|| CoreError::new(ErrorCode::Limit, "BYTES block too large"))?;
    let offsets = raw
        .get(offsets_at..blob_len_at)
        .ok_or_else(|| truncated(offsets_at, "the offsets"))?;
    let blob_len = raw
        .get(blob_len_at..)
        .and_then(le_u64)
        .ok_or_else(|| truncated(blob_len_at, "the blob length"))?;
    let blob_at = blob_len_at + 8;
    if blob_len != (raw.len() - blob_at.min(raw.len())) as u64 {
        return Err(CoreError::at(
            ErrorCode::Corrupt,
            blob_len_at,
            format!(
                "BYTES block declares a {blob_len}-byte blob; {} bytes follow",
                raw.len().saturating_sub(blob_at)
            ),
        ));
    }
    for (row, (null, pair)) in nulls.iter().zip(offsets.chunks_exact(16)).enumerate() {
        let offset = le_u64(pair).unwrap_or(u64::MAX);
        let len = pair.get(8..).and_then(le_u64).unwrap_or(u64::MAX);
        let fits = offset.checked_add(len).is_some_and(|end| end <= blob_len);
        if *null == 0 && !fits {
            return Err(CoreError::at(
                ErrorCode::Corrupt,
                offsets_at + row * 16,
                format!("BYTES row {row} ({offset}+{len}) lies outside the {blob_len}-byte blob"),
            ));
        }
    }
    Ok(blob_at)
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::unwrap_used)]
mod tests {
    use super::*;

    fn column(rows: usize) -> (Vec<u8>, Vec<u8>) {
        let nulls: Vec<u8> = (0..rows).map(|i| u8::from(i % 7 == 3)).collect();
        let values: Vec<u8> = (0..rows as i64)
            .flat_map(|i| (i * 3).to_le_bytes())
            .collect();
        (nulls, values)
    }

    #[test]
    fn fixed_column_round_trips_through_every_group() {
        let rows = 70_000;
        let (nulls, values) = column(rows);
        let mut out = vec![0u8; 2 * output_bound(65_536 * 9, true)];
        let mut index = vec![0u8; 32];
        let written = encode_fixed_column(
            ColumnKind::Int64,
            &nulls,
            &values,
            true,
            &mut out,
            &mut index,
        )
        .expect("encodes");
        let first_stored = le_u64(&index).expect("entry") as usize;
        let first_raw = le_u64(&index[8..]).expect("entry") as usize;
        assert_eq!(first_raw, 65_536 * 9);
        let second_raw = le_u64(&index[24..]).expect("entry") as usize;
        assert_eq!(second_raw, (rows - 65_536) * 9);
        let mut scratch = Vec::new();
        let mut got_nulls = vec![0u8; 65_536];
        let mut got_values = vec![0u8; 65_536 * 8];
        decode_fixed_block(
            ColumnKind::Int64,
            &out[..first_stored],
            first_raw,
            0,
            &mut scratch,
            &mut got_nulls,
            &mut got_values,
        )
        .expect("decodes");
        assert_eq!(got_nulls, nulls[..65_536]);
        assert_eq!(got_values, values[..65_536 * 8]);
        assert!(written < rows * 9, "sequential ints compress");
    }

    #[test]
    fn compressed_block_equals_lz4_flex_compress_of_the_serialized_block() {
        let (nulls, values) = column(1000);
        let mut out = vec![0u8; output_bound(9000, true)];
        let mut index = vec![0u8; 16];
        let written = encode_fixed_column(
            ColumnKind::Int64,
            &nulls,
            &values,
            true,
            &mut out,
            &mut index,
        )
        .expect("encodes");
        let mut raw = nulls.clone();
        raw.extend_from_slice(&values);
        assert_eq!(&out[..written], lz4_flex::block::compress(&raw).as_slice());
    }

    #[test]
    fn incompressible_block_is_stored_raw() {
        let nulls = vec![0u8; 3];
        let values: Vec<u8> = vec![
            0x11, 0x92, 0x33, 0xA4, 0x55, 0x16, 0x77, 0x08, 9, 10, 11, 12, 13, 14, 15, 16, 1, 2, 3,
            4, 5, 6, 7, 8,
        ];
        let mut out = vec![0u8; 64];
        let mut index = vec![0u8; 16];
        let written = encode_fixed_column(
            ColumnKind::Float64,
            &nulls,
            &values,
            true,
            &mut out,
            &mut index,
        )
        .expect("encodes");
        assert_eq!(written, 27);
        assert_eq!(le_u64(&index), Some(27));
        assert_eq!(le_u64(&index[8..]), Some(27));
    }

    #[test]
    fn compression_off_stores_everything_raw() {
        let (nulls, values) = column(5000);
        let mut out = vec![0u8; 45_000];
        let mut index = vec![0u8; 16];
        let written = encode_fixed_column(
            ColumnKind::Int64,
            &nulls,
            &values,
            false,
            &mut out,
            &mut index,
        )
        .expect("encodes");
        assert_eq!(written, 45_000);
    }

    #[test]
    fn wrong_raw_length_is_corrupt() {
        let mut scratch = Vec::new();
        let err = decode_fixed_block(
            ColumnKind::Int64,
            &[0; 18],
            18,
            0,
            &mut scratch,
            &mut [0; 3],
            &mut [0; 24],
        )
        .expect_err("size mismatch");
        assert_eq!(err.code, ErrorCode::Corrupt);
    }

    #[test]
    fn dictionary_id_out_of_range_is_corrupt() {
        let mut raw = vec![0u8, 1];
        raw.extend_from_slice(&0u32.to_le_bytes());
        raw.extend_from_slice(&9u32.to_le_bytes());
        let mut scratch = Vec::new();
        // Row 1 is NULL, so its id 9 is ignored.
        decode_fixed_block(
            ColumnKind::Dictionary,
            &raw,
            10,
            1,
            &mut scratch,
            &mut [0; 2],
            &mut [0; 8],
        )
        .expect("null row ids are not checked");
        raw[1] = 0;
        let err = decode_fixed_block(
            ColumnKind::Dictionary,
            &raw,
            10,
            1,
            &mut scratch,
            &mut [0; 2],
            &mut [0; 8],
        )
        .expect_err("id 9 of 1");
        assert_eq!(err.code, ErrorCode::Corrupt);
    }

    #[test]
    fn bytes_block_checks_offsets() {
        let mut raw = vec![0u8, 1];
        raw.extend_from_slice(&2u64.to_le_bytes());
        for (offset, len) in [(0u64, 3u64), (3, 0)] {
            raw.extend_from_slice(&offset.to_le_bytes());
            raw.extend_from_slice(&len.to_le_bytes());
        }
        raw.extend_from_slice(&3u64.to_le_bytes());
        raw.extend_from_slice(b"abc");
        assert_eq!(check_bytes_block(&raw, 2), Ok(raw.len() - 3));
        raw[10] = 2; // row 0 now 2+3 > 3
        assert_eq!(
            check_bytes_block(&raw, 2).map_err(|e| e.code),
            Err(ErrorCode::Corrupt)
        );
    }
}
