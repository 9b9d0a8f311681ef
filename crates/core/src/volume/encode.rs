// tidy: long file — the slab layout, the encode jobs and the finishing step (header, index,
// combined CRC) share one plan of the file; split, that layout rule would be stated twice.
//! A whole STV4 file body in one call (spec §5.2): the metadata's LZ4+size wrapper, every
//! block of every column (serialized and stored as `block.rs` decides), the block index,
//! the header and the CRC32 — into one caller-owned output slab, on one or more threads.
//!
//! The slab is laid out so that every job owns a disjoint region sized for its worst case,
//! and nothing is ever moved afterwards:
//!
//! | region                                  | size                                   |
//! |-----------------------------------------|----------------------------------------|
//! | header                                  | 20                                     |
//! | metadata (u32 size + LZ4), then index   | 4 + LZ4 bound(metadata) + index bytes  |
//! | one region per block, column-major      | `block::output_bound(raw, compress)`   |
//! | CRC32                                   | 4                                      |
//!
//! The file is the concatenation of the returned pieces: `[header, metadata, index]` (one
//! contiguous piece, the index written right after the compressed metadata), each stored
//! block, the CRC. Each job computes the CRC32 of its own output while it is still in
//! cache; the pieces' CRCs are combined in file order (`crc32fast::Hasher::combine`), so
//! the file is never read again.
//!
//! Jobs: the metadata first (the largest single LZ4 block), then the blocks in file order,
//! taken from a shared queue by `threads` threads. The bytes do not depend on the thread
//! count: every block is compressed independently, exactly as with one thread.

use crate::constants::{
    VOLUME_BLOCK_INDEX_ENTRY_BYTES, VOLUME_CRC_BYTES, VOLUME_HEADER_BYTES, VOLUME_MAGIC,
    VOLUME_ROW_GROUP_ROWS, VOLUME_VERSION,
};
use crate::error::{CoreError, CoreResult, ErrorCode};
use crate::lz4_block;
use crate::volume::block::{check_bytes_block, output_bound};
use crate::volume::kind::ColumnKind;
use crate::volume::le_u64;
use crate::volume::parallel::run_jobs;

const HEADER: usize = VOLUME_HEADER_BYTES as usize;
const ENTRY: usize = VOLUME_BLOCK_INDEX_ENTRY_BYTES as usize;
const CRC: usize = VOLUME_CRC_BYTES as usize;
const PREFIX: usize = 4;

fn invalid(message: String) -> CoreError {
    CoreError::new(ErrorCode::InvalidArgument, message)
}

/// One column's rows as the writer holds them.
#[derive(Clone, Copy)]
pub enum ColumnSource<'a> {
    /// A fixed-width kind: one null flag per row, then `rows × width` value bytes.
    Fixed {
        kind: ColumnKind,
        nulls: &'a [u8],
        values: &'a [u8],
    },
    /// BYTES: every group's block already serialized (spec §5.5), back to back.
    Bytes { blocks: &'a [u8] },
}

/// Where one block's raw bytes come from.
#[derive(Clone, Copy)]
enum Raw<'a> {
    Split { nulls: &'a [u8], values: &'a [u8] },
    Whole(&'a [u8]),
}

impl Raw<'_> {
    fn len(&self) -> usize {
        match self {
            Raw::Split { nulls, values } => nulls.len() + values.len(),
            Raw::Whole(bytes) => bytes.len(),
        }
    }
}

/// The planned blocks of a volume, in file order.
struct Plan<'a> {
    groups: usize,
    blocks: Vec<Raw<'a>>,
}

fn plan<'a>(row_count: usize, columns: &[ColumnSource<'a>]) -> CoreResult<Plan<'a>> {
    u32::try_from(row_count).map_err(|_| {
        CoreError::new(
            ErrorCode::Limit,
            format!("{row_count} rows exceed a volume's u32 row counts"),
        )
    })?;
    let size = VOLUME_ROW_GROUP_ROWS as usize;
    let groups = row_count.div_ceil(size);
    let mut blocks = Vec::with_capacity(groups * columns.len());
    for (c, column) in columns.iter().enumerate() {
        match *column {
            ColumnSource::Fixed {
                kind,
                nulls,
                values,
            } => {
                let width = kind.value_bytes().ok_or_else(|| {
                    invalid(format!("column {c}: {kind:?} is not a fixed-width kind"))
                })?;
                if nulls.len() != row_count || Some(values.len()) != row_count.checked_mul(width) {
                    return Err(invalid(format!(
                        "column {c}: {} null flags and {} value bytes for {row_count} rows of {width}-byte values",
                        nulls.len(),
                        values.len()
                    )));
                }
                blocks.extend(
                    nulls
                        .chunks(size)
                        .zip(values.chunks(size * width))
                        .map(|(nulls, values)| Raw::Split { nulls, values }),
                );
            }
            ColumnSource::Bytes { blocks: serialized } => {
                let mut at = 0usize;
                for g in 0..groups {
                    let rows = (row_count - g * size).min(size);
                    let rest = serialized.get(at..).unwrap_or_default();
                    let blob_len_at = rows * 17 + 8;
                    let blob_len = rest
                        .get(blob_len_at..)
                        .and_then(le_u64)
                        .and_then(|n| usize::try_from(n).ok())
                        .ok_or_else(|| {
                            invalid(format!("column {c}: BYTES block {g} is cut short"))
                        })?;
                    let len = (blob_len_at + 8)
                        .checked_add(blob_len)
                        .filter(|len| *len <= rest.len())
                        .ok_or_else(|| {
                            invalid(format!("column {c}: BYTES block {g} runs past its input"))
                        })?;
                    let block = rest.get(..len).unwrap_or_default();
                    check_bytes_block(block, rows).map_err(|e| {
                        invalid(format!("column {c}: BYTES block {g}: {}", e.message))
                    })?;
                    blocks.push(Raw::Whole(block));
                    at += len;
                }
                if at != serialized.len() {
                    return Err(invalid(format!(
                        "column {c}: {} BYTES bytes follow the last block",
                        serialized.len() - at
                    )));
                }
            }
        }
    }
    Ok(Plan { groups, blocks })
}

fn metadata_region(metadata_len: usize, index_len: usize) -> usize {
    PREFIX + lz4_block::compress_bound(metadata_len) + index_len
}

/// Size of the output slab `encode_volume` needs for these columns.
///
/// # Errors
/// `InvalidArgument` when a column does not match `row_count`; `Limit` above 2^32 rows.
pub fn encode_bound(
    row_count: usize,
    columns: &[ColumnSource<'_>],
    metadata_len: usize,
    compress: bool,
) -> CoreResult<usize> {
    let plan = plan(row_count, columns)?;
    let index_len = plan.blocks.len() * ENTRY;
    Ok(HEADER
        + metadata_region(metadata_len, index_len)
        + plan
            .blocks
            .iter()
            .map(|raw| output_bound(raw.len(), compress))
            .sum::<usize>()
        + CRC)
}

/// The file `encode_volume` produced: byte ranges of the slab to write in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodedVolume {
    pub pieces: Vec<(usize, usize)>,
    pub file_len: usize,
    pub crc: u32,
}

enum Job<'a, 'o> {
    Metadata {
        raw: &'a [u8],
        region: &'o mut [u8],
    },
    Block {
        raw: Raw<'a>,
        region: &'o mut [u8],
        compress: bool,
    },
}

/// What a job wrote: the stored length (without the metadata's size prefix), and the CRC
/// of every byte it contributes to the file.
struct Done {
    stored: usize,
    written: usize,
    crc: crc32fast::Hasher,
}

fn run_job(scratch: &mut Vec<u8>, job: Job<'_, '_>) -> CoreResult<Done> {
    match job {
        Job::Metadata { raw, region } => {
            let declared = u32::try_from(raw.len()).map_err(|_| {
                CoreError::new(
                    ErrorCode::Limit,
                    format!("{} metadata bytes exceed the u32 size prefix", raw.len()),
                )
            })?;
            let (prefix, body) = region.split_at_mut(PREFIX.min(region.len()));
            prefix.copy_from_slice(&declared.to_le_bytes());
            let stored = lz4_block::compress_into(raw, body)?;
            let mut crc = crc32fast::Hasher::new();
            crc.update(prefix);
            crc.update(body.get(..stored).unwrap_or_default());
            Ok(Done {
                stored,
                written: PREFIX + stored,
                crc,
            })
        }
        Job::Block {
            raw,
            region,
            compress,
        } => {
            let raw_len = raw.len();
            let bytes: &[u8] = match raw {
                Raw::Whole(bytes) => bytes,
                Raw::Split { nulls, values } => {
                    scratch.clear();
                    scratch.extend_from_slice(nulls);
                    scratch.extend_from_slice(values);
                    scratch
                }
            };
            let mut stored = raw_len;
            if compress {
                let written = lz4_block::compress_into(bytes, region)?;
                if written < raw_len {
                    stored = written;
                }
            }
            let out = region
                .get_mut(..stored)
                .ok_or_else(|| invalid(format!("block region of {} bytes is too small", stored)))?;
            if stored == raw_len {
                out.copy_from_slice(bytes);
            }
            let mut crc = crc32fast::Hasher::new();
            crc.update(out);
            Ok(Done {
                stored,
                written: stored,
                crc,
            })
        }
    }
}

/// What one job wrote into the slab: where its region starts, the stored length (the
/// metadata without its size prefix), the bytes it contributes to the file from the start
/// of its region, and their CRC32.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JobResult {
    pub start: usize,
    pub stored: usize,
    pub written: usize,
    pub crc: u32,
}

/// Bytes of one `JobResult` record (`JobResult::to_bytes`).
pub const JOB_RESULT_BYTES: usize = 32;

impl JobResult {
    /// Little-endian record: u64 start, u64 stored, u64 written, u32 CRC, u32 zero.
    #[must_use]
    pub fn to_bytes(&self) -> [u8; JOB_RESULT_BYTES] {
        let mut record = [0u8; JOB_RESULT_BYTES];
        for (slot, value) in record.chunks_exact_mut(8).zip([
            self.start as u64,
            self.stored as u64,
            self.written as u64,
            u64::from(self.crc),
        ]) {
            slot.copy_from_slice(&value.to_le_bytes());
        }
        record
    }

    /// Reads a record written by `to_bytes`.
    #[must_use]
    pub fn from_bytes(record: &[u8]) -> Option<Self> {
        let field = |k: usize| {
            record
                .get(k * 8..)
                .and_then(le_u64)
                .and_then(|v| usize::try_from(v).ok())
        };
        Some(Self {
            start: field(0)?,
            stored: field(1)?,
            written: field(2)?,
            crc: u32::try_from(field(3)?).ok()?,
        })
    }
}

/// Number of jobs of a volume: the metadata, then one per block in file order.
///
/// # Errors
/// As `encode_bound`.
pub fn job_count(row_count: usize, columns: &[ColumnSource<'_>]) -> CoreResult<usize> {
    Ok(plan(row_count, columns)?.blocks.len() + 1)
}

/// Runs jobs `first..first + count` of a volume (0 is the metadata, then the blocks in
/// file order) into their regions of `out` (at least `encode_bound` bytes), on up to
/// `threads` threads. Jobs are independent: running them in any grouping and order gives
/// the same bytes. Returns their results in job order.
///
/// # Errors
/// `InvalidArgument` for inputs that do not match, an undersized `out` or a job range
/// outside the volume's jobs; `Limit` for sizes that do not fit the format's fields.
#[allow(clippy::too_many_arguments)]
pub fn encode_jobs(
    row_count: usize,
    columns: &[ColumnSource<'_>],
    metadata: &[u8],
    compress: bool,
    threads: usize,
    out: &mut [u8],
    first: usize,
    count: usize,
) -> CoreResult<Vec<JobResult>> {
    let plan = plan(row_count, columns)?;
    let index_len = plan.blocks.len() * ENTRY;
    let meta_region = metadata_region(metadata.len(), index_len);
    let needed = encode_bound(row_count, columns, metadata.len(), compress)?;
    if out.len() < needed {
        return Err(invalid(format!(
            "output slab has {} bytes; this volume needs up to {needed}",
            out.len()
        )));
    }
    let last = first
        .checked_add(count)
        .filter(|last| *last <= plan.blocks.len() + 1)
        .ok_or_else(|| {
            invalid(format!(
                "jobs {first}..+{count} of {}",
                plan.blocks.len() + 1
            ))
        })?;
    // Carve the slab into disjoint job regions; keep those of the jobs asked for.
    let (_, rest) = out.split_at_mut(HEADER);
    let (meta_area, mut rest) = rest.split_at_mut(meta_region);
    let (meta_job_region, _) = meta_area.split_at_mut(meta_region - index_len);
    let mut jobs = Vec::with_capacity(count);
    let mut starts = Vec::with_capacity(count);
    if first == 0 && last > 0 {
        starts.push(HEADER);
        jobs.push(Job::Metadata {
            raw: metadata,
            region: meta_job_region,
        });
    }
    let mut at = HEADER + meta_region;
    for (k, raw) in plan.blocks.iter().enumerate() {
        let size = output_bound(raw.len(), compress);
        let (region, tail) = rest.split_at_mut(size);
        if (first..last).contains(&(k + 1)) {
            starts.push(at);
            jobs.push(Job::Block {
                raw: *raw,
                region,
                compress,
            });
        }
        at += size;
        rest = tail;
    }
    let done = run_jobs(jobs, threads, Vec::new, run_job)?;
    Ok(done
        .into_iter()
        .zip(starts)
        .map(|(done, start)| JobResult {
            start,
            stored: done.stored,
            written: done.written,
            crc: done.crc.finalize(),
        })
        .collect())
}

/// Writes the header, the block index (right after the compressed metadata) and the CRC
/// once every job has run (`results` of all jobs, in job order), combining the jobs' CRCs
/// in file order. Returns the pieces of the file.
///
/// # Errors
/// `InvalidArgument` when `results` do not describe this volume's jobs.
pub fn encode_finish(
    row_count: usize,
    columns: &[ColumnSource<'_>],
    metadata_len: usize,
    compress: bool,
    out: &mut [u8],
    results: &[JobResult],
) -> CoreResult<EncodedVolume> {
    let plan = plan(row_count, columns)?;
    let index_len = plan.blocks.len() * ENTRY;
    let meta_region = metadata_region(metadata_len, index_len);
    let crc_at = HEADER
        + meta_region
        + plan
            .blocks
            .iter()
            .map(|raw| output_bound(raw.len(), compress))
            .sum::<usize>();
    let col_count = u32::try_from(columns.len())
        .map_err(|_| CoreError::new(ErrorCode::Limit, format!("{} columns", columns.len())))?;
    let num_groups = u32::try_from(plan.groups).unwrap_or(u32::MAX);
    let (Some(meta), true) = (results.first(), results.len() == plan.blocks.len() + 1) else {
        return Err(invalid(format!(
            "{} job results for {} jobs",
            results.len(),
            plan.blocks.len() + 1
        )));
    };
    if meta.written + index_len > meta_region || crc_at + CRC > out.len() {
        return Err(invalid("job results do not fit the slab".into()));
    }
    let meta_len = u32::try_from(meta.written).map_err(|_| {
        CoreError::new(
            ErrorCode::Limit,
            format!("{} metadata bytes exceed the header's u32", meta.written),
        )
    })?;
    let (head, rest) = out.split_at_mut(HEADER);
    for (slot, field) in head.chunks_exact_mut(4).zip([
        VOLUME_MAGIC,
        VOLUME_VERSION,
        col_count,
        num_groups,
        meta_len,
    ]) {
        slot.copy_from_slice(&field.to_le_bytes());
    }
    let blocks = results.get(1..).unwrap_or_default();
    let index = rest
        .get_mut(meta.written..meta.written + index_len)
        .ok_or_else(|| invalid("index region".into()))?;
    for ((entry, done), raw) in index.chunks_exact_mut(ENTRY).zip(blocks).zip(&plan.blocks) {
        let (stored, decompressed) = entry.split_at_mut(8);
        stored.copy_from_slice(&(done.stored as u64).to_le_bytes());
        decompressed.copy_from_slice(&(raw.len() as u64).to_le_bytes());
    }
    let mut crc = crc32fast::Hasher::new();
    crc.update(head);
    crc.combine(&crc32fast::Hasher::new_with_initial_len(
        meta.crc,
        meta.written as u64,
    ));
    crc.update(index);
    let mut pieces = vec![(0, HEADER + meta.written + index_len)];
    let mut file_len = HEADER + meta.written + index_len;
    for done in blocks {
        crc.combine(&crc32fast::Hasher::new_with_initial_len(
            done.crc,
            done.written as u64,
        ));
        file_len += done.written;
        match pieces.last_mut() {
            Some(last) if last.0 + last.1 == done.start => last.1 += done.written,
            _ => pieces.push((done.start, done.written)),
        }
    }
    let crc = crc.finalize();
    out.get_mut(crc_at..crc_at + CRC)
        .ok_or_else(|| invalid("CRC region".into()))?
        .copy_from_slice(&crc.to_le_bytes());
    match pieces.last_mut() {
        Some(last) if last.0 + last.1 == crc_at => last.1 += CRC,
        _ => pieces.push((crc_at, CRC)),
    }
    pieces.retain(|piece| piece.1 > 0);
    Ok(EncodedVolume {
        pieces,
        file_len: file_len + CRC,
        crc,
    })
}

/// Encodes a whole volume into `out` (at least `encode_bound` bytes) on up to `threads`
/// threads: every job (`encode_jobs`), then `encode_finish`. Returns the pieces to write.
///
/// # Errors
/// `InvalidArgument` for inputs that do not match or an undersized `out`; `Limit` for
/// sizes that do not fit the format's fields.
pub fn encode_volume(
    row_count: usize,
    columns: &[ColumnSource<'_>],
    metadata: &[u8],
    compress: bool,
    threads: usize,
    out: &mut [u8],
) -> CoreResult<EncodedVolume> {
    let jobs = job_count(row_count, columns)?;
    let results = encode_jobs(
        row_count, columns, metadata, compress, threads, out, 0, jobs,
    )?;
    encode_finish(row_count, columns, metadata.len(), compress, out, &results)
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::checksum::crc32;
    use crate::volume::block::{compress_raw_blocks, encode_fixed_column};
    use crate::volume::container::{check_container, frame_volume};

    struct Sample {
        rows: usize,
        nulls: Vec<u8>,
        ints: Vec<u8>,
        flags: Vec<u8>,
        bytes: Vec<u8>,
        meta: Vec<u8>,
    }

    fn sample(rows: usize) -> Sample {
        let nulls: Vec<u8> = (0..rows).map(|i| u8::from(i % 5 == 4)).collect();
        let ints: Vec<u8> = (0..rows as i64)
            .flat_map(|i| ((i * 7) ^ (i >> 3)).to_le_bytes())
            .collect();
        let flags: Vec<u8> = (0..rows).map(|i| u8::from(i % 3 == 0)).collect();
        let mut bytes = Vec::new();
        for g in 0..rows.div_ceil(65_536) {
            let n = rows.min((g + 1) * 65_536) - g * 65_536;
            bytes.extend(std::iter::repeat_n(0u8, n));
            bytes.extend_from_slice(&(n as u64).to_le_bytes());
            for r in 0..n as u64 {
                bytes.extend_from_slice(&r.to_le_bytes());
                bytes.extend_from_slice(&1u64.to_le_bytes());
            }
            bytes.extend_from_slice(&(n as u64).to_le_bytes());
            bytes.extend((0..n).map(|i| (i % 251) as u8));
        }
        let mut meta = (rows as u64).to_le_bytes().to_vec();
        meta.extend_from_slice(&3u32.to_le_bytes());
        for (kind, extra) in [(1u8, 0u32), (4, 0), (6, 6)] {
            meta.extend_from_slice(&[kind, 0]);
            meta.extend_from_slice(&extra.to_le_bytes());
        }
        meta.extend((0..rows * 3).map(|i| (i / 13) as u8));
        Sample {
            rows,
            nulls,
            ints,
            flags,
            bytes,
            meta,
        }
    }

    fn sources(s: &Sample) -> Vec<ColumnSource<'_>> {
        vec![
            ColumnSource::Fixed {
                kind: ColumnKind::Int64,
                nulls: &s.nulls,
                values: &s.ints,
            },
            ColumnSource::Fixed {
                kind: ColumnKind::Boolean,
                nulls: &s.nulls,
                values: &s.flags,
            },
            ColumnSource::Bytes { blocks: &s.bytes },
        ]
    }

    /// The same file assembled the old way: per-column encoding, then `frame_volume`.
    fn reference(s: &Sample, compress: bool) -> Vec<u8> {
        let groups = s.rows.div_ceil(65_536);
        let mut index = vec![0u8; 3 * groups * 16];
        let mut blocks = Vec::new();
        for (c, (kind, values)) in [
            (ColumnKind::Int64, &s.ints),
            (ColumnKind::Boolean, &s.flags),
        ]
        .into_iter()
        .enumerate()
        {
            let mut out = vec![0u8; groups * output_bound(65_536 * 9, compress) + 64];
            let n = encode_fixed_column(
                kind,
                &s.nulls,
                values,
                compress,
                &mut out,
                &mut index[c * groups * 16..(c + 1) * groups * 16],
            )
            .unwrap();
            blocks.extend_from_slice(&out[..n]);
        }
        let mut at = 0;
        for g in 0..groups {
            let n = s.rows.min((g + 1) * 65_536) - g * 65_536;
            let len = n * 17 + 16 + n;
            index[2 * groups * 16 + g * 16 + 8..2 * groups * 16 + g * 16 + 16]
                .copy_from_slice(&(len as u64).to_le_bytes());
            at += len;
        }
        assert_eq!(at, s.bytes.len());
        let mut out = vec![0u8; output_bound(s.bytes.len(), compress) + groups * 32];
        let n = compress_raw_blocks(&s.bytes, compress, &mut out, &mut index[2 * groups * 16..])
            .unwrap();
        blocks.extend_from_slice(&out[..n]);
        frame_volume(3, groups as u32, &s.meta, &index, &blocks)
    }

    fn encode(s: &Sample, compress: bool, threads: usize) -> Vec<u8> {
        let columns = sources(s);
        let bound = encode_bound(s.rows, &columns, s.meta.len(), compress).unwrap();
        let mut out = vec![0xAAu8; bound];
        let encoded =
            encode_volume(s.rows, &columns, &s.meta, compress, threads, &mut out).unwrap();
        let file: Vec<u8> = encoded
            .pieces
            .iter()
            .flat_map(|(start, len)| out[*start..*start + *len].iter().copied())
            .collect();
        assert_eq!(file.len(), encoded.file_len);
        assert_eq!(crc32(&file[..file.len() - 4], 0), encoded.crc);
        file
    }

    #[test]
    fn one_call_encoding_is_byte_identical_to_per_column_encoding() {
        for rows in [0, 1, 40, 65_536, 140_000] {
            let s = sample(rows);
            for compress in [true, false] {
                assert_eq!(
                    encode(&s, compress, 1),
                    reference(&s, compress),
                    "{rows} rows, compress {compress}"
                );
            }
        }
    }

    #[test]
    fn the_bytes_do_not_depend_on_the_thread_count() {
        let s = sample(200_000);
        let one = encode(&s, true, 1);
        assert_eq!(encode(&s, true, 2), one);
        assert_eq!(encode(&s, true, 5), one);
        check_container(&one).unwrap();
    }

    #[test]
    fn an_undersized_slab_is_refused() {
        let s = sample(100);
        let columns = sources(&s);
        let bound = encode_bound(s.rows, &columns, s.meta.len(), true).unwrap();
        let mut out = vec![0u8; bound - 1];
        let err = encode_volume(s.rows, &columns, &s.meta, true, 1, &mut out).unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidArgument);
    }

    #[test]
    fn a_column_of_the_wrong_length_is_refused() {
        let s = sample(100);
        let short = &s.ints[..8 * 99];
        let columns = [ColumnSource::Fixed {
            kind: ColumnKind::Int64,
            nulls: &s.nulls,
            values: short,
        }];
        let err = encode_bound(s.rows, &columns, 0, true)
            .map(|_| ())
            .unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidArgument);
    }

    #[test]
    fn a_bytes_column_with_stray_bytes_is_refused() {
        let s = sample(100);
        let mut bytes = s.bytes.clone();
        bytes.push(0);
        let columns = [ColumnSource::Bytes { blocks: &bytes }];
        let err = encode_bound(s.rows, &columns, 0, true)
            .map(|_| ())
            .unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidArgument);
    }

    #[test]
    fn jobs_run_in_chunks_give_the_same_file() {
        let s = sample(200_000);
        let columns = sources(&s);
        let bound = encode_bound(s.rows, &columns, s.meta.len(), true).unwrap();
        let mut out = vec![0u8; bound];
        let jobs = job_count(s.rows, &columns).unwrap();
        let mut results = Vec::new();
        let mut first = 0;
        for count in [2, 1, 3, jobs] {
            let count = count.min(jobs - first);
            let chunk =
                encode_jobs(s.rows, &columns, &s.meta, true, 2, &mut out, first, count).unwrap();
            assert!(chunk
                .iter()
                .all(|r| JobResult::from_bytes(&r.to_bytes()) == Some(*r)));
            results.extend(chunk);
            first += count;
        }
        let encoded =
            encode_finish(s.rows, &columns, s.meta.len(), true, &mut out, &results).unwrap();
        let file: Vec<u8> = encoded
            .pieces
            .iter()
            .flat_map(|(start, len)| out[*start..*start + *len].iter().copied())
            .collect();
        assert_eq!(file, encode(&s, true, 1));
    }

    #[test]
    fn a_job_range_past_the_end_is_refused() {
        let s = sample(100);
        let columns = sources(&s);
        let bound = encode_bound(s.rows, &columns, s.meta.len(), true).unwrap();
        let mut out = vec![0u8; bound];
        let jobs = job_count(s.rows, &columns).unwrap();
        let err = encode_jobs(s.rows, &columns, &s.meta, true, 1, &mut out, jobs, 1).unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidArgument);
    }
}
