//! The STV4 container (spec §5.2): framing checks over a whole file in memory.
//!
//! | offset | size | field                                                          |
//! |--------|------|----------------------------------------------------------------|
//! | 0      | 4    | magic "STV4"                                                   |
//! | 4      | 4    | version u32 = 1                                                |
//! | 8      | 4    | col_count u32                                                  |
//! | 12     | 4    | num_groups u32 = ceil(row_count / 65536)                       |
//! | 16     | 4    | meta_len u32                                                   |
//! | 20     | …    | metadata, LZ4+size (u32 raw length + one LZ4 block)            |
//! | …      | …    | block index: col_count × num_groups × (u64 stored, u64 raw)    |
//! | …      | …    | blocks, column-major, back to back                             |
//! | end-4  | 4    | CRC32 of every preceding byte                                  |
//!
//! The TypeScript reader streams the file and uses `check_block_index` from here; the
//! whole-file `check_container` is the reference used by the fuzz targets, the mutation
//! tests and `permafrost volume verify`. Stricter than stoolap (deviations, documented in
//! docs/volumes.md): `num_groups` must match the metadata row count, every block size must
//! be exactly what its kind and row count imply, unknown column kinds and bytes after the
//! CRC are errors.

use crate::checksum::crc32;
use crate::constants::{
    LZ4_BLOCK_BYTES_MAX, VOLUME_BLOCK_INDEX_ENTRY_BYTES, VOLUME_COLUMNS_MAX, VOLUME_CRC_BYTES,
    VOLUME_HEADER_BYTES, VOLUME_MAGIC, VOLUME_METADATA_BYTES_MAX, VOLUME_VERSION,
};
use crate::error::{CoreError, CoreResult, ErrorCode};
use crate::lz4_block;
use crate::volume::block::{check_bytes_block, decode_fixed_block, inflate};
use crate::volume::kind::{group_count, group_rows, ColumnKind};
use crate::volume::{le_u32, le_u64};

const HEADER: usize = VOLUME_HEADER_BYTES as usize;
const ENTRY: usize = VOLUME_BLOCK_INDEX_ENTRY_BYTES as usize;
const CRC: usize = VOLUME_CRC_BYTES as usize;

/// The fixed header fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    pub col_count: u32,
    pub num_groups: u32,
    pub meta_len: u32,
}

/// Parses the 20-byte header.
///
/// # Errors
/// `Truncated`, `Corrupt` (magic, column count), `UnsupportedVersion`.
pub fn parse_header(bytes: &[u8]) -> CoreResult<Header> {
    let field = |at: usize| le_u32(bytes.get(at..).unwrap_or_default());
    let (Some(magic), Some(version), Some(col_count), Some(num_groups), Some(meta_len)) =
        (field(0), field(4), field(8), field(12), field(16))
    else {
        return Err(CoreError::at(
            ErrorCode::Truncated,
            0,
            format!("volume header needs {HEADER} bytes, got {}", bytes.len()),
        ));
    };
    if magic != VOLUME_MAGIC {
        return Err(CoreError::at(
            ErrorCode::Corrupt,
            0,
            format!(
                "bad volume magic {:02x?} (expected \"STV4\")",
                magic.to_le_bytes()
            ),
        ));
    }
    if version != VOLUME_VERSION {
        return Err(CoreError::at(
            ErrorCode::UnsupportedVersion,
            4,
            format!("volume version {version}; this build reads version {VOLUME_VERSION}"),
        ));
    }
    if col_count > VOLUME_COLUMNS_MAX {
        return Err(CoreError::at(
            ErrorCode::Limit,
            8,
            format!("volume declares {col_count} columns; the limit is {VOLUME_COLUMNS_MAX}"),
        ));
    }
    Ok(Header {
        col_count,
        num_groups,
        meta_len,
    })
}

/// Checks a block index against the column kinds and row count: every decompressed size is
/// exactly what the kind implies (at least the minimum for BYTES), no stored block is longer
/// than its decompressed size, and the stored blocks fit in `available` bytes. Returns the
/// total stored size. Offsets in errors count from the start of `index`.
///
/// # Errors
/// `Corrupt`, `Limit` or `Truncated` for the first bad entry.
pub fn check_block_index(
    index: &[u8],
    kinds: &[ColumnKind],
    row_count: u64,
    available: u64,
) -> CoreResult<u64> {
    let groups = group_count(row_count);
    let expected = (kinds.len() as u64)
        .checked_mul(groups)
        .and_then(|n| n.checked_mul(ENTRY as u64));
    if expected != Some(index.len() as u64) {
        return Err(CoreError::new(
            ErrorCode::Corrupt,
            format!(
                "block index has {} bytes; {} columns × {groups} groups need {}",
                index.len(),
                kinds.len(),
                expected.unwrap_or(u64::MAX)
            ),
        ));
    }
    let mut entries = index.chunks_exact(ENTRY);
    let mut total = 0u64;
    let mut at = 0usize;
    for (column, kind) in kinds.iter().enumerate() {
        for group in 0..groups {
            let entry = entries.next().unwrap_or_default();
            let stored = le_u64(entry).unwrap_or(u64::MAX);
            let raw = entry.get(8..).and_then(le_u64).unwrap_or(u64::MAX);
            let rows = usize::try_from(group_rows(row_count, group)).unwrap_or(usize::MAX);
            let minimum = kind.block_bytes(rows)? as u64;
            let corrupt = |what: String| {
                CoreError::at(
                    ErrorCode::Corrupt,
                    at,
                    format!("block of column {column}, group {group}: {what}"),
                )
            };
            if kind.value_bytes().is_some() && raw != minimum {
                return Err(corrupt(format!("{kind:?} block of {rows} rows must decompress to {minimum} bytes, the index says {raw}")));
            }
            if raw < minimum {
                return Err(corrupt(format!("BYTES block of {rows} rows needs at least {minimum} bytes, the index says {raw}")));
            }
            if raw > u64::from(LZ4_BLOCK_BYTES_MAX) {
                return Err(CoreError::at(ErrorCode::Limit, at, format!("block of column {column}, group {group} declares {raw} bytes; the limit is {LZ4_BLOCK_BYTES_MAX}")));
            }
            if stored > raw {
                return Err(corrupt(format!(
                    "stored size {stored} exceeds the decompressed size {raw}"
                )));
            }
            if stored < raw {
                let stored_usize = usize::try_from(stored).unwrap_or(usize::MAX);
                lz4_block::check_declared_len(raw, stored_usize, u64::MAX)
                    .map_err(|e| CoreError::at(e.code, at, e.message))?;
            }
            total = total.checked_add(stored).filter(|t| *t <= available).ok_or_else(|| {
                CoreError::at(ErrorCode::Truncated, at, format!(
                    "block of column {column}, group {group} ({stored} bytes) runs past the {available} bytes that remain for blocks"))
            })?;
            at += ENTRY;
        }
    }
    Ok(total)
}

/// What `check_container` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    pub row_count: u64,
    pub kinds: Vec<ColumnKind>,
    pub metadata_bytes: usize,
    pub blocks_offset: usize,
}

fn truncated(at: usize, what: &str) -> CoreError {
    CoreError::at(
        ErrorCode::Truncated,
        at,
        format!("volume ends inside {what}"),
    )
}

/// The column directory prefix of decompressed metadata: row count, kinds, dictionary sizes.
fn parse_directory(
    meta: &[u8],
    col_count: u32,
    meta_at: usize,
) -> CoreResult<(u64, Vec<ColumnKind>, Vec<u32>)> {
    let row_count = le_u64(meta).ok_or_else(|| truncated(meta_at, "the metadata row count"))?;
    let meta_cols = meta
        .get(8..)
        .and_then(le_u32)
        .ok_or_else(|| truncated(meta_at, "the metadata column count"))?;
    if meta_cols != col_count {
        return Err(CoreError::at(
            ErrorCode::Corrupt,
            meta_at,
            format!("header says {col_count} columns, metadata says {meta_cols}"),
        ));
    }
    let mut kinds = Vec::new();
    let mut dict_sizes = Vec::new();
    let directory = meta.get(12..).unwrap_or_default();
    for column in 0..col_count as usize {
        let entry = directory
            .get(column * 6..column * 6 + 6)
            .ok_or_else(|| truncated(meta_at, "the column directory"))?;
        let tag = u32::from(entry.first().copied().unwrap_or(0));
        kinds.push(ColumnKind::from_tag(tag).map_err(|e| {
            CoreError::at(e.code, meta_at, format!("column {column}: {}", e.message))
        })?);
        dict_sizes.push(le_u32(entry.get(2..).unwrap_or_default()).unwrap_or(0));
    }
    Ok((row_count, kinds, dict_sizes))
}

/// Checks a whole volume file: header, metadata wrapper and directory, block index, every
/// block (decompressed and structurally decoded), nothing after the CRC, and the CRC.
///
/// # Errors
/// The first problem found, with its code and file offset.
pub fn check_container(file: &[u8]) -> CoreResult<Layout> {
    if file.len() < HEADER + CRC {
        return Err(truncated(file.len(), "the header"));
    }
    let header = parse_header(file)?;
    let meta_len = header.meta_len as usize;
    let meta_end = HEADER
        .checked_add(meta_len)
        .filter(|end| *end <= file.len() - CRC)
        .ok_or_else(|| {
            CoreError::at(
                ErrorCode::Truncated,
                16,
                format!("metadata of {meta_len} bytes runs past the end of the file"),
            )
        })?;
    let wrapped = file.get(HEADER..meta_end).unwrap_or_default();
    let meta = lz4_block::decompress_size_prepended(wrapped, u64::from(VOLUME_METADATA_BYTES_MAX))
        .map_err(|e| {
            CoreError::at(
                e.code,
                HEADER + e.offset.unwrap_or(0) as usize,
                format!("metadata: {}", e.message),
            )
        })?;
    let (row_count, kinds, dict_sizes) = parse_directory(&meta, header.col_count, HEADER)?;
    if u64::from(header.num_groups) != group_count(row_count) {
        return Err(CoreError::at(
            ErrorCode::Corrupt,
            12,
            format!(
                "header says {} row groups; {row_count} rows make {}",
                header.num_groups,
                group_count(row_count)
            ),
        ));
    }
    let index_len = (kinds.len() * header.num_groups as usize)
        .checked_mul(ENTRY)
        .ok_or_else(|| CoreError::new(ErrorCode::Limit, "block index size overflows"))?;
    let index_end = meta_end
        .checked_add(index_len)
        .filter(|end| *end <= file.len() - CRC)
        .ok_or_else(|| truncated(meta_end, "the block index"))?;
    let index = file.get(meta_end..index_end).unwrap_or_default();
    let available = (file.len() - CRC - index_end) as u64;
    let total = check_block_index(index, &kinds, row_count, available)
        .map_err(|e| CoreError::at(e.code, meta_end + e.offset.unwrap_or(0) as usize, e.message))?;
    if total != available {
        return Err(CoreError::at(
            ErrorCode::Corrupt,
            index_end,
            format!("blocks take {total} bytes but {available} bytes precede the CRC"),
        ));
    }
    let mut scratch = Vec::new();
    let mut at = index_end;
    for (block, entry) in index.chunks_exact(ENTRY).enumerate() {
        let groups = header.num_groups as usize;
        let column = block / groups.max(1);
        let kind = kinds.get(column).copied().unwrap_or(ColumnKind::Bytes);
        let rows = group_rows(row_count, (block % groups.max(1)) as u64) as usize;
        let stored = le_u64(entry).unwrap_or(0) as usize;
        let raw = entry.get(8..).and_then(le_u64).unwrap_or(0) as usize;
        let src = file.get(at..at + stored).unwrap_or_default();
        let located = |e: CoreError| {
            CoreError::at(
                e.code,
                at,
                format!("block of column {column}: {}", e.message),
            )
        };
        if let Some(width) = kind.value_bytes() {
            let mut nulls = vec![0u8; rows];
            let mut values = vec![0u8; rows * width];
            let dict = dict_sizes.get(column).copied().unwrap_or(0);
            decode_fixed_block(kind, src, raw, dict, &mut scratch, &mut nulls, &mut values)
                .map_err(located)?;
        } else {
            let bytes = inflate(src, raw, &mut scratch).map_err(located)?;
            check_bytes_block(bytes, rows).map_err(located)?;
        }
        at += stored;
    }
    let stored_crc = le_u32(file.get(file.len() - CRC..).unwrap_or_default()).unwrap_or(0);
    let computed = crc32(file.get(..file.len() - CRC).unwrap_or_default(), 0);
    if stored_crc != computed {
        return Err(CoreError::at(
            ErrorCode::Checksum,
            file.len() - CRC,
            format!("volume CRC32 is {stored_crc:#010x}; the bytes give {computed:#010x}"),
        ));
    }
    Ok(Layout {
        row_count,
        kinds,
        metadata_bytes: meta.len(),
        blocks_offset: index_end,
    })
}

/// Frames a volume from decompressed metadata, the block index and the stored blocks
/// (all columns, column-major): header, LZ4+size metadata, index, blocks, CRC. The
/// TypeScript writer streams the same layout to disk; this form serves tests, fuzz seeds
/// and the native benchmark.
#[must_use]
pub fn frame_volume(
    col_count: u32,
    num_groups: u32,
    meta_raw: &[u8],
    index: &[u8],
    blocks: &[u8],
) -> Vec<u8> {
    let meta = lz4_flex::compress_prepend_size(meta_raw);
    let mut file = Vec::with_capacity(HEADER + meta.len() + index.len() + blocks.len() + CRC);
    for field in [
        VOLUME_MAGIC,
        VOLUME_VERSION,
        col_count,
        num_groups,
        meta.len() as u32,
    ] {
        file.extend_from_slice(&field.to_le_bytes());
    }
    file.extend_from_slice(&meta);
    file.extend_from_slice(index);
    file.extend_from_slice(blocks);
    let crc = crc32(&file, 0);
    file.extend_from_slice(&crc.to_le_bytes());
    file
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::volume::block::{compress_raw_blocks, encode_fixed_column, output_bound};

    /// A small valid volume: INT64, DICTIONARY (2 strings) and BYTES columns over `rows` rows.
    pub(crate) fn sample_volume(rows: usize) -> Vec<u8> {
        let groups = rows.div_ceil(65_536);
        let mut meta = Vec::new();
        meta.extend_from_slice(&(rows as u64).to_le_bytes());
        meta.extend_from_slice(&3u32.to_le_bytes());
        for (kind, extra) in [(1u8, 0u32), (5, 2), (6, 6)] {
            meta.extend_from_slice(&[kind, 0]);
            meta.extend_from_slice(&extra.to_le_bytes());
        }
        meta.extend_from_slice(b"rest of the metadata is opaque here");
        let mut index = vec![0u8; 3 * groups * 16];
        let mut blocks = Vec::new();
        let nulls: Vec<u8> = (0..rows).map(|i| u8::from(i % 5 == 4)).collect();
        let ints: Vec<u8> = (0..rows as i64)
            .flat_map(|i| (i * 7).to_le_bytes())
            .collect();
        let ids: Vec<u8> = (0..rows as u32)
            .flat_map(|i| (i % 2).to_le_bytes())
            .collect();
        for (c, (kind, values)) in [(ColumnKind::Int64, &ints), (ColumnKind::Dictionary, &ids)]
            .into_iter()
            .enumerate()
        {
            let mut out = vec![0u8; groups * output_bound(65_536 * 9, true)];
            let n = encode_fixed_column(
                kind,
                &nulls,
                values,
                true,
                &mut out,
                &mut index[c * groups * 16..(c + 1) * groups * 16],
            )
            .expect("encodes");
            blocks.extend_from_slice(&out[..n]);
        }
        let mut raw = Vec::new();
        for g in 0..groups {
            let n = rows.min((g + 1) * 65_536) - g * 65_536;
            let start = raw.len();
            raw.extend(std::iter::repeat_n(0u8, n));
            raw.extend_from_slice(&(n as u64).to_le_bytes());
            for r in 0..n as u64 {
                raw.extend_from_slice(&(r * 2).to_le_bytes());
                raw.extend_from_slice(&2u64.to_le_bytes());
            }
            raw.extend_from_slice(&(n as u64 * 2).to_le_bytes());
            raw.extend(std::iter::repeat_n(b'{', n * 2));
            let entry = 2 * groups * 16 + g * 16 + 8;
            index[entry..entry + 8].copy_from_slice(&((raw.len() - start) as u64).to_le_bytes());
        }
        let mut out = vec![0u8; output_bound(raw.len(), true) * 2];
        let n = compress_raw_blocks(&raw, true, &mut out, &mut index[2 * groups * 16..])
            .expect("compresses");
        blocks.extend_from_slice(&out[..n]);
        frame_volume(3, groups as u32, &meta, &index, &blocks)
    }

    #[test]
    fn sample_volume_is_valid() {
        let layout = check_container(&sample_volume(70_000)).expect("valid");
        assert_eq!(layout.row_count, 70_000);
        assert_eq!(
            layout.kinds,
            vec![ColumnKind::Int64, ColumnKind::Dictionary, ColumnKind::Bytes]
        );
        check_container(&sample_volume(0)).expect("empty volume is valid");
    }

    #[test]
    fn every_truncation_is_an_error() {
        let file = sample_volume(40);
        for len in 0..file.len() {
            assert!(check_container(&file[..len]).is_err(), "truncated to {len}");
        }
    }

    #[test]
    fn every_single_bit_flip_is_an_error() {
        let mut file = sample_volume(40);
        for byte in 0..file.len() {
            for bit in 0..8 {
                file[byte] ^= 1 << bit;
                assert!(
                    check_container(&file).is_err(),
                    "flip of bit {bit} in byte {byte} went unnoticed"
                );
                file[byte] ^= 1 << bit;
            }
        }
    }

    #[test]
    fn flips_in_a_multi_group_volume_are_errors() {
        let mut file = sample_volume(70_000);
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        for _ in 0..300 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let byte = (state % file.len() as u64) as usize;
            let bit = (state >> 40) % 8;
            file[byte] ^= 1 << bit;
            assert!(check_container(&file).is_err(), "flip at {byte}");
            file[byte] ^= 1 << bit;
        }
    }

    #[test]
    fn trailing_bytes_are_an_error() {
        let mut file = sample_volume(10);
        file.push(0);
        assert!(check_container(&file).is_err());
    }

    #[test]
    fn a_four_gib_block_is_refused_before_allocating() {
        let kinds = [ColumnKind::Bytes];
        let mut index = vec![0u8; 16];
        index[..8].copy_from_slice(&(4u64 << 30).to_le_bytes());
        index[8..].copy_from_slice(&(4u64 << 30).to_le_bytes());
        let err = check_block_index(&index, &kinds, 10, 1000).expect_err("refused");
        assert_eq!(err.code, ErrorCode::Limit);
        index[8..].copy_from_slice(&(1u64 << 20).to_le_bytes());
        index[..8].copy_from_slice(&(1u64 << 20).to_le_bytes());
        let err = check_block_index(&index, &kinds, 10, 1000).expect_err("refused");
        assert_eq!(err.code, ErrorCode::Truncated);
    }

    #[test]
    fn header_errors_have_codes() {
        let file = sample_volume(3);
        let mut bad = file.clone();
        bad[4] = 2;
        assert_eq!(
            parse_header(&bad).map_err(|e| e.code),
            Err(ErrorCode::UnsupportedVersion)
        );
        bad = file.clone();
        bad[0] = b'X';
        assert_eq!(
            parse_header(&bad).map_err(|e| e.code),
            Err(ErrorCode::Corrupt)
        );
        assert_eq!(
            parse_header(&file[..10]).map_err(|e| e.code),
            Err(ErrorCode::Truncated)
        );
    }
}
