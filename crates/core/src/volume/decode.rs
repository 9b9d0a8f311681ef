//! Bulk decoding for reads: many fixed-width blocks straight into the caller's column
//! arrays in one call, on one or more threads, and the open-time work (the whole-file
//! CRC32 and the metadata's LZ4+size wrapper) as two jobs that run side by side.
//!
//! Every block goes through `block::decode_fixed_block` — the same size, LZ4 and
//! dictionary checks as one-at-a-time decoding — with a per-thread scratch buffer; the
//! output regions of the jobs are disjoint slices of the caller's arrays.

use crate::checksum::crc32;
use crate::constants::{VOLUME_BLOCK_INDEX_ENTRY_BYTES, VOLUME_ROW_GROUP_ROWS};
use crate::error::{CoreError, CoreResult, ErrorCode};
use crate::lz4_block;
use crate::volume::block::{decode_fixed_block, decode_fixed_block_in_place};
use crate::volume::kind::ColumnKind;
use crate::volume::le_u64;
use crate::volume::parallel::run_jobs;

const ENTRY: usize = VOLUME_BLOCK_INDEX_ENTRY_BYTES as usize;

fn invalid(message: String) -> CoreError {
    CoreError::new(ErrorCode::InvalidArgument, message)
}

/// One column to decode: which column of the volume it is, and where its rows go.
pub struct ColumnTarget<'o> {
    pub column: usize,
    pub kind: ColumnKind,
    pub dict_size: u32,
    /// One byte per row of the volume.
    pub nulls: &'o mut [u8],
    /// `rows × width` bytes.
    pub values: &'o mut [u8],
}

/// Groups one decode job takes: it decodes them last to first, each inflated straight into
/// the column's arrays with the tail of the previous group's values lent as room for its
/// null flags (`block::decode_fixed_block_in_place`); only its first group goes through
/// the scratch buffer and is copied out. Small enough that the jobs balance the threads.
const GROUPS_PER_JOB: usize = 4;

struct BlockJob<'a, 'o> {
    column: usize,
    first_group: usize,
    kind: ColumnKind,
    dict_size: u32,
    /// Per group: the stored block and its decompressed size.
    blocks: Vec<(&'a [u8], usize)>,
    nulls: &'o mut [u8],
    values: &'o mut [u8],
}

/// Start offset (within the block region) and (stored, raw) sizes of every block, in
/// index order.
fn block_spans(index: &[u8]) -> CoreResult<Vec<(usize, usize, usize)>> {
    if index.len() % ENTRY != 0 {
        return Err(invalid(format!("block index of {} bytes", index.len())));
    }
    let mut at = 0usize;
    let mut spans = Vec::with_capacity(index.len() / ENTRY);
    for (k, entry) in index.chunks_exact(ENTRY).enumerate() {
        let size = |bytes: &[u8]| le_u64(bytes).and_then(|n| usize::try_from(n).ok());
        let (Some(stored), Some(raw)) = (size(entry), entry.get(8..).and_then(size)) else {
            return Err(CoreError::at(
                ErrorCode::Limit,
                k * ENTRY,
                "block size does not fit in memory",
            ));
        };
        spans.push((at, stored, raw));
        at = at
            .checked_add(stored)
            .ok_or_else(|| CoreError::at(ErrorCode::Limit, k * ENTRY, "block offsets overflow"))?;
    }
    Ok(spans)
}

/// Decodes every group of each target column into the targets. `index` describes the
/// file's whole block region (column-major, `groups` groups per column); `blocks` holds
/// that region from byte `base` on (all of it when `base` is 0) and must contain every
/// block of the targets.
///
/// # Errors
/// `InvalidArgument` for targets of the wrong size; `Truncated` for a block outside
/// `blocks`; the block's own error (`Corrupt`, `Limit`, …) naming the column and group.
pub fn decode_columns(
    blocks: &[u8],
    base: usize,
    index: &[u8],
    row_count: usize,
    groups: usize,
    targets: Vec<ColumnTarget<'_>>,
    threads: usize,
) -> CoreResult<()> {
    let jobs = block_jobs(blocks, base, index, row_count, groups, targets)?;
    run_jobs(jobs, threads, Vec::new, run_block)?;
    Ok(())
}

fn run_block(scratch: &mut Vec<u8>, job: BlockJob<'_, '_>) -> CoreResult<()> {
    let size = VOLUME_ROW_GROUP_ROWS as usize;
    let width = job.kind.value_bytes().unwrap_or(0);
    let outside = || {
        invalid(format!(
            "column {}: decode job outside its arrays",
            job.column
        ))
    };
    // Last group first; after a failure the lower groups are still decoded, so the error
    // reported is that of the first failing group, as when decoding in order.
    let mut failure = None;
    for (i, (src, raw_len)) in job.blocks.iter().enumerate().rev() {
        let start = i * size;
        let rows = job.nulls.len().saturating_sub(start).min(size);
        let nulls = job.nulls.get_mut(start..start + rows).ok_or_else(outside)?;
        let end = (start + rows) * width;
        let outcome = if i == 0 {
            let values = job.values.get_mut(start * width..end).ok_or_else(outside)?;
            decode_fixed_block(
                job.kind,
                src,
                *raw_len,
                job.dict_size,
                scratch,
                nulls,
                values,
            )
        } else {
            let window = (start * width)
                .checked_sub(rows)
                .and_then(|from| job.values.get_mut(from..end))
                .ok_or_else(outside)?;
            decode_fixed_block_in_place(job.kind, src, *raw_len, job.dict_size, window, nulls)
        };
        if let Err(e) = outcome {
            failure = Some(CoreError::new(
                e.code,
                format!(
                    "block of column {}, group {}: {}",
                    job.column,
                    job.first_group + i,
                    e.message
                ),
            ));
        }
    }
    failure.map_or(Ok(()), Err)
}

/// One job per group of every target, each owning its slices of the target's arrays.
fn block_jobs<'a, 'o>(
    blocks_bytes: &'a [u8],
    base: usize,
    index: &[u8],
    row_count: usize,
    groups: usize,
    targets: Vec<ColumnTarget<'o>>,
) -> CoreResult<Vec<BlockJob<'a, 'o>>> {
    let spans = block_spans(index)?;
    let size = VOLUME_ROW_GROUP_ROWS as usize;
    if groups != row_count.div_ceil(size) {
        return Err(invalid(format!("{groups} groups for {row_count} rows")));
    }
    let mut jobs = Vec::with_capacity(targets.len() * groups);
    for target in targets {
        let width = target.kind.value_bytes().ok_or_else(|| {
            invalid(format!(
                "column {}: {:?} is not a fixed-width kind",
                target.column, target.kind
            ))
        })?;
        if target.nulls.len() != row_count
            || Some(target.values.len()) != row_count.checked_mul(width)
        {
            return Err(invalid(format!(
                "column {}: outputs of {} and {} bytes for {row_count} rows",
                target.column,
                target.nulls.len(),
                target.values.len()
            )));
        }
        let size_bytes = size * width;
        for (chunk, (nulls, values)) in target
            .nulls
            .chunks_mut(size * GROUPS_PER_JOB)
            .zip(target.values.chunks_mut(size_bytes * GROUPS_PER_JOB))
            .enumerate()
        {
            let first_group = chunk * GROUPS_PER_JOB;
            let mut blocks = Vec::with_capacity(GROUPS_PER_JOB);
            for group in first_group..first_group + nulls.len().div_ceil(size) {
                let (start, stored, raw_len) = target
                    .column
                    .checked_mul(groups)
                    .and_then(|k| k.checked_add(group))
                    .and_then(|k| spans.get(k).copied())
                    .ok_or_else(|| {
                        invalid(format!(
                            "column {} group {group} is not in the index",
                            target.column
                        ))
                    })?;
                let src = start
                    .checked_sub(base)
                    .and_then(|from| blocks_bytes.get(from..from.checked_add(stored)?))
                    .ok_or_else(|| {
                        CoreError::new(
                            ErrorCode::Truncated,
                            format!(
                                "block of column {}, group {group} ({stored} bytes at {start}) lies outside the {} block bytes given from {base}",
                                target.column,
                                blocks_bytes.len()
                            ),
                        )
                    })?;
                blocks.push((src, raw_len));
            }
            jobs.push(BlockJob {
                column: target.column,
                first_group,
                kind: target.kind,
                dict_size: target.dict_size,
                blocks,
                nulls,
                values,
            });
        }
    }
    Ok(jobs)
}

enum OpenJob<'a, 'o> {
    Crc(&'a [u8]),
    Metadata {
        wrapped: &'a [u8],
        out: &'o mut [u8],
    },
}

/// The open-time work of an in-memory volume, side by side on up to two threads: the
/// CRC32 of `covered` (the bytes read so far, at most every byte before the stored CRC)
/// and the decompression of the metadata's LZ4 block (`wrapped` without its 4-byte size
/// prefix) into `meta_out`, whose length the caller has checked against its cap. Returns
/// the computed CRC; comparing it is the caller's job, so that structural errors keep
/// their precedence.
///
/// # Errors
/// `Corrupt` when the metadata block is malformed or does not fill `meta_out` exactly.
pub fn crc_and_metadata(
    covered: &[u8],
    wrapped: &[u8],
    meta_out: &mut [u8],
    threads: usize,
) -> CoreResult<u32> {
    let jobs = vec![
        OpenJob::Metadata {
            wrapped,
            out: meta_out,
        },
        OpenJob::Crc(covered),
    ];
    let results = run_jobs(
        jobs,
        threads.min(2),
        || (),
        |(), job| match job {
            OpenJob::Crc(bytes) => Ok(crc32(bytes, 0)),
            OpenJob::Metadata { wrapped, out } => {
                lz4_block::decompress_into(wrapped, out).map(|()| 0)
            }
        },
    )?;
    Ok(results.get(1).copied().unwrap_or(0))
}

fn malformed(at: usize, what: &str) -> CoreError {
    CoreError::at(
        ErrorCode::Corrupt,
        at,
        format!("LZ4 block is malformed: {what}"),
    )
}

/// Reads an LZ4 length continuation (bytes of 255 then a final byte) after `base`.
fn extended_len(src: &[u8], at: &mut usize, base: usize) -> CoreResult<usize> {
    let mut len = base;
    loop {
        let byte = *src
            .get(*at)
            .ok_or_else(|| malformed(*at, "length runs past the end"))?;
        *at += 1;
        len = len
            .checked_add(usize::from(byte))
            .ok_or_else(|| malformed(*at, "length overflows"))?;
        if byte != 255 {
            return Ok(len);
        }
    }
}

/// Decompresses only the first `out.len()` bytes of the raw LZ4 block `src` (or fewer, when
/// the block holds fewer); returns how many were written. The metadata's first bytes (row
/// count and column directory) are known this way long before the whole block is
/// inflated, so a reader can start decoding the columns beside it. Treats `src` as
/// hostile: every length and offset is bounds-checked, and it never reads past `src`.
///
/// # Errors
/// `Corrupt` for a malformed sequence within the prefix (the whole-block decompression
/// reports its own, authoritative error).
pub fn lz4_prefix(src: &[u8], out: &mut [u8]) -> CoreResult<usize> {
    let mut at = 0usize;
    let mut written = 0usize;
    while written < out.len() {
        let Some(&token) = src.get(at) else {
            break;
        };
        at += 1;
        let mut literals = usize::from(token >> 4);
        if literals == 15 {
            literals = extended_len(src, &mut at, literals)?;
        }
        let end = at
            .checked_add(literals)
            .filter(|end| *end <= src.len())
            .ok_or_else(|| malformed(at, "literals run past the end"))?;
        let take = literals.min(out.len() - written);
        if let (Some(to), Some(from)) =
            (out.get_mut(written..written + take), src.get(at..at + take))
        {
            to.copy_from_slice(from);
        }
        written += take;
        at = end;
        if written == out.len() || at == src.len() {
            break;
        }
        let offset = src
            .get(at..at + 2)
            .map(|b| {
                usize::from(b.first().copied().unwrap_or(0))
                    | usize::from(b.get(1).copied().unwrap_or(0)) << 8
            })
            .ok_or_else(|| malformed(at, "match offset runs past the end"))?;
        at += 2;
        if offset == 0 || offset > written {
            return Err(malformed(at, "match offset points before the output"));
        }
        let mut length = usize::from(token & 15) + 4;
        if length == 19 {
            length = extended_len(src, &mut at, length)?;
        }
        let take = length.min(out.len() - written);
        for k in written..written + take {
            let byte = out.get(k - offset).copied().unwrap_or(0);
            if let Some(slot) = out.get_mut(k) {
                *slot = byte;
            }
        }
        written += take;
    }
    Ok(written)
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::unwrap_used)]
mod tests {
    use super::*;

    /// Null flags and values of the Int64 column 0 and the dictionary column 1.
    type Decoded = (Vec<u8>, Vec<u8>, Vec<u8>, Vec<u8>);

    fn decode_both(
        blocks: &[u8],
        index: &[u8],
        rows: usize,
        threads: usize,
    ) -> CoreResult<Decoded> {
        let (mut n0, mut v0, mut n1, mut v1) = (
            vec![0xEEu8; rows],
            vec![0xEEu8; rows * 8],
            vec![0xEEu8; rows],
            vec![0xEEu8; rows * 4],
        );
        let targets = vec![
            ColumnTarget {
                column: 0,
                kind: ColumnKind::Int64,
                dict_size: 0,
                nulls: &mut n0,
                values: &mut v0,
            },
            ColumnTarget {
                column: 1,
                kind: ColumnKind::Dictionary,
                dict_size: 3,
                nulls: &mut n1,
                values: &mut v1,
            },
        ];
        decode_columns(
            blocks,
            0,
            index,
            rows,
            rows.div_ceil(65_536),
            targets,
            threads,
        )?;
        Ok((n0, v0, n1, v1))
    }

    #[test]
    fn groups_decoded_in_place_over_several_jobs_match_the_input() {
        // 10 groups, the last partial: jobs of 4, 4 and 2 groups.
        let rows = 9 * 65_536 + 1234;
        let (blocks, index, nulls, ints, ids) = encoded(rows);
        for threads in [1, 2] {
            let got = decode_both(&blocks, &index, rows, threads).unwrap();
            assert_eq!(
                got,
                (nulls.clone(), ints.clone(), nulls.clone(), ids.clone())
            );
        }
    }

    #[test]
    fn the_first_failing_group_of_a_job_is_reported() {
        let rows = 6 * 65_536;
        let (mut blocks, index, ..) = encoded(rows);
        let spans = block_spans(&index).unwrap();
        // Column 1: groups 3 and 1 of its first job (groups 0..4), the later one decoded
        // first, overwritten with 0xFF (neither inflates).
        for group in [3usize, 1] {
            let (start, stored, _) = spans[6 + group];
            for byte in &mut blocks[start..start + stored] {
                *byte = 0xFF;
            }
        }
        let err = decode_both(&blocks, &index, rows, 1).unwrap_err();
        assert!(
            err.message.contains("column 1, group 1:"),
            "{}",
            err.message
        );
    }

    #[test]
    fn an_lz4_prefix_is_the_start_of_the_whole_block() {
        let raw: Vec<u8> = (0..200_000u32)
            .flat_map(|i| (i / 7 % 300).to_le_bytes())
            .chain((0..5000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8))
            .collect();
        let packed = lz4_block::compress(&raw);
        for n in [0, 1, 5, 13, 100, 4096, 70_000, raw.len(), raw.len() + 10] {
            let mut out = vec![0u8; n];
            let got = lz4_prefix(&packed, &mut out).unwrap();
            assert_eq!(got, n.min(raw.len()));
            assert_eq!(&out[..got], &raw[..got]);
        }
    }

    #[test]
    fn a_hostile_lz4_prefix_errs_and_never_panics() {
        let raw: Vec<u8> = (0..5000u32).flat_map(|i| (i % 40).to_le_bytes()).collect();
        let packed = lz4_block::compress(&raw);
        let mut out = vec![0u8; raw.len()];
        for cut in 0..packed.len().min(300) {
            let _ = lz4_prefix(&packed[..cut], &mut out);
        }
        let mut seed = 7u32;
        for _ in 0..2000 {
            let mut bad = packed.clone();
            for _ in 0..3 {
                seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                let at = (seed >> 8) as usize % bad.len();
                bad[at] = (seed >> 3) as u8;
            }
            let _ = lz4_prefix(&bad, &mut out);
        }
        // A match before any output, and a literal run past the end.
        assert!(lz4_prefix(&[0x04, 0x01, 0x00], &mut out).is_err());
        assert!(lz4_prefix(&[0xF0, 0x05, b'a'], &mut out).is_err());
    }
    use crate::volume::block::{encode_fixed_column, output_bound};

    type Encoded = (Vec<u8>, Vec<u8>, Vec<u8>, Vec<u8>, Vec<u8>);

    fn encoded(rows: usize) -> Encoded {
        let groups = rows.div_ceil(65_536);
        let nulls: Vec<u8> = (0..rows).map(|i| u8::from(i % 9 == 2)).collect();
        let ints: Vec<u8> = (0..rows as i64)
            .flat_map(|i| (i * 5 % 1000).to_le_bytes())
            .collect();
        let ids: Vec<u8> = (0..rows as u32)
            .flat_map(|i| (i % 3).to_le_bytes())
            .collect();
        let mut index = vec![0u8; 2 * groups * 16];
        let mut blocks = Vec::new();
        for (c, (kind, values)) in [(ColumnKind::Int64, &ints), (ColumnKind::Dictionary, &ids)]
            .into_iter()
            .enumerate()
        {
            let mut out = vec![0u8; groups * output_bound(65_536 * 9, true) + 64];
            let n = encode_fixed_column(
                kind,
                &nulls,
                values,
                true,
                &mut out,
                &mut index[c * groups * 16..(c + 1) * groups * 16],
            )
            .unwrap();
            blocks.extend_from_slice(&out[..n]);
        }
        (blocks, index, nulls, ints, ids)
    }

    #[test]
    fn columns_decode_into_their_targets_on_any_thread_count() {
        let rows = 150_000;
        let (blocks, index, nulls, ints, ids) = encoded(rows);
        for threads in [1, 2, 3] {
            let (mut n0, mut v0, mut n1, mut v1) = (
                vec![0u8; rows],
                vec![0u8; rows * 8],
                vec![0u8; rows],
                vec![0u8; rows * 4],
            );
            let targets = vec![
                ColumnTarget {
                    column: 1,
                    kind: ColumnKind::Dictionary,
                    dict_size: 3,
                    nulls: &mut n1,
                    values: &mut v1,
                },
                ColumnTarget {
                    column: 0,
                    kind: ColumnKind::Int64,
                    dict_size: 0,
                    nulls: &mut n0,
                    values: &mut v0,
                },
            ];
            decode_columns(&blocks, 0, &index, rows, 3, targets, threads).unwrap();
            assert_eq!((&n0, &v0, &n1, &v1), (&nulls, &ints, &nulls, &ids));
        }
    }

    #[test]
    fn a_bad_dictionary_id_names_its_column_and_group() {
        let rows = 70_000;
        let (blocks, index, ..) = encoded(rows);
        let (mut n, mut v) = (vec![0u8; rows], vec![0u8; rows * 4]);
        let targets = vec![ColumnTarget {
            column: 1,
            kind: ColumnKind::Dictionary,
            dict_size: 2,
            nulls: &mut n,
            values: &mut v,
        }];
        let err = decode_columns(&blocks, 0, &index, rows, 2, targets, 2).unwrap_err();
        assert_eq!(err.code, ErrorCode::Corrupt);
        assert!(
            err.message.starts_with("block of column 1, group 0"),
            "{}",
            err.message
        );
    }

    #[test]
    fn an_index_past_the_blocks_is_truncated() {
        let rows = 10;
        let (blocks, index, ..) = encoded(rows);
        let (mut n, mut v) = (vec![0u8; rows], vec![0u8; rows * 4]);
        let targets = vec![ColumnTarget {
            column: 1,
            kind: ColumnKind::Dictionary,
            dict_size: 3,
            nulls: &mut n,
            values: &mut v,
        }];
        let err = decode_columns(&blocks[..blocks.len() - 1], 0, &index, rows, 1, targets, 1)
            .unwrap_err();
        assert_eq!(err.code, ErrorCode::Truncated);
    }

    #[test]
    fn a_region_read_from_an_offset_decodes_its_columns() {
        let rows = 70_000;
        let (blocks, index, nulls, _, ids) = encoded(rows);
        let first_column: usize = (0..2)
            .map(|g| le_u64(&index[g * 16..]).unwrap() as usize)
            .sum();
        let (mut n, mut v) = (vec![0u8; rows], vec![0u8; rows * 4]);
        let targets = vec![ColumnTarget {
            column: 1,
            kind: ColumnKind::Dictionary,
            dict_size: 3,
            nulls: &mut n,
            values: &mut v,
        }];
        decode_columns(
            &blocks[first_column..],
            first_column,
            &index,
            rows,
            2,
            targets,
            2,
        )
        .unwrap();
        assert_eq!((n, v), (nulls, ids));
        let (mut n, mut v) = (vec![0u8; rows], vec![0u8; rows * 8]);
        let targets = vec![ColumnTarget {
            column: 0,
            kind: ColumnKind::Int64,
            dict_size: 0,
            nulls: &mut n,
            values: &mut v,
        }];
        let err = decode_columns(
            &blocks[first_column..],
            first_column,
            &index,
            rows,
            2,
            targets,
            1,
        )
        .unwrap_err();
        assert_eq!(err.code, ErrorCode::Truncated);
    }

    #[test]
    fn crc_and_metadata_match_their_one_shot_forms() {
        let meta: Vec<u8> = (0..100_000u32).map(|i| (i / 7) as u8).collect();
        let wrapped = lz4_flex::compress_prepend_size(&meta);
        let file: Vec<u8> = (0..300_000u32).map(|i| (i * 31) as u8).collect();
        for threads in [1, 2] {
            let mut out = vec![0u8; meta.len()];
            let crc = crc_and_metadata(&file, &wrapped[4..], &mut out, threads).unwrap();
            assert_eq!(crc, crc32(&file, 0));
            assert_eq!(out, meta);
        }
        let mut short = vec![0u8; meta.len() - 1];
        assert_eq!(
            crc_and_metadata(&file, &wrapped[4..], &mut short, 2)
                .unwrap_err()
                .code,
            ErrorCode::Corrupt
        );
    }
}
