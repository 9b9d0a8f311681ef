// tidy: long file — one flat list of #[napi] wrappers over permafrost_core::volume and
// their async tasks; split by function, the one boundary would be scattered.
//! Volume byte work (`permafrost_core::volume`) for Node. Bulk data crosses the boundary
//! only as caller-owned buffers: TypeScript allocates the output (the encoded file slab,
//! decoded typed arrays, bloom bits, summaries) and Rust writes into it, so no Rust `Vec`
//! ever becomes an external Buffer. One call per volume (write, full decode) or per block
//! (lazy reads), never per row. The `*Async` forms run on the libuv pool and split their
//! work over a few threads of their own (`permafrost_core::volume::parallel`); their
//! buffers must not be touched until the promise settles (`ts/volume/` guarantees it).

use std::cell::RefCell;

use napi::bindgen_prelude::{AsyncTask, Buffer, BufferSlice, Uint8Array};
use napi::{Env, Task};
use napi_derive::napi;
use permafrost_core::volume::{
    block, bloom, container, decode, encode, prepare, summary, ColumnKind,
};
use permafrost_core::{CoreError, ErrorCode};

use crate::codec_error::to_napi;

fn kind(tag: u32) -> napi::Result<ColumnKind> {
    ColumnKind::from_tag(tag).map_err(to_napi)
}

/// A JS number that must be a non-negative integer (a length or count).
fn whole(value: f64, what: &str) -> napi::Result<u64> {
    if value.is_finite() && value >= 0.0 && value.fract() == 0.0 && value <= 9_007_199_254_740_991.0
    {
        Ok(value as u64)
    } else {
        Err(to_napi(CoreError::new(
            ErrorCode::InvalidArgument,
            format!("{what} must be a non-negative safe integer, got {value}"),
        )))
    }
}

fn length(value: f64, what: &str) -> napi::Result<usize> {
    usize::try_from(whole(value, what)?).map_err(|_| {
        to_napi(CoreError::new(
            ErrorCode::Limit,
            format!("{what} {value} does not fit in memory"),
        ))
    })
}

thread_local! {
    /// Decompression scratch for one block, reused across calls on the JS thread.
    static SCRATCH: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

fn sources<'a>(
    kinds: &[u8],
    columns: &'a [Uint8Array],
) -> napi::Result<Vec<encode::ColumnSource<'a>>> {
    if columns.len() != kinds.len() * 2 {
        return Err(to_napi(CoreError::new(
            ErrorCode::InvalidArgument,
            format!(
                "{} column buffers for {} kinds (two per column: nulls, values)",
                columns.len(),
                kinds.len()
            ),
        )));
    }
    kinds
        .iter()
        .zip(columns.chunks_exact(2))
        .map(|(tag, pair)| {
            let kind = kind(u32::from(*tag))?;
            let (nulls, values) = match pair {
                [nulls, values] => (&nulls[..], &values[..]),
                _ => (&[][..], &[][..]),
            };
            Ok(if kind == ColumnKind::Bytes {
                encode::ColumnSource::Bytes { blocks: values }
            } else {
                encode::ColumnSource::Fixed {
                    kind,
                    nulls,
                    values,
                }
            })
        })
        .collect()
}

/// Writes the pieces of an encoded volume as (f64 start, f64 length) pairs; returns
/// the piece count.
fn put_pieces(encoded: &encode::EncodedVolume, pieces: &mut [u8]) -> napi::Result<u32> {
    let needed = encoded.pieces.len() * 16;
    let available = pieces.len();
    let slots = pieces.get_mut(..needed).ok_or_else(|| {
        to_napi(CoreError::new(
            ErrorCode::InvalidArgument,
            format!("pieces buffer has {available} bytes; {needed} needed"),
        ))
    })?;
    for (slot, (start, len)) in slots.chunks_exact_mut(16).zip(&encoded.pieces) {
        let (a, b) = slot.split_at_mut(8);
        a.copy_from_slice(&(*start as f64).to_le_bytes());
        b.copy_from_slice(&(*len as f64).to_le_bytes());
    }
    Ok(encoded.pieces.len() as u32)
}

/// Output slab bytes `volumeEncode` needs. `columns` holds two buffers per column (null
/// flags, values; for BYTES an empty buffer, then the serialized blocks back to back).
#[napi(catch_unwind)]
pub fn volume_encode_bound(
    row_count: f64,
    kinds: &[u8],
    columns: Vec<Uint8Array>,
    metadata_length: f64,
    compress: bool,
) -> napi::Result<f64> {
    let sources = sources(kinds, &columns)?;
    let bound = encode::encode_bound(
        length(row_count, "rowCount")?,
        &sources,
        length(metadata_length, "metadataLength")?,
        compress,
    )
    .map_err(to_napi)?;
    Ok(bound as f64)
}

/// Encodes a whole volume (metadata, every block, index, header, CRC) into `out` on the
/// calling thread; writes the file's pieces into `pieces` and returns their count.
#[napi(catch_unwind)]
pub fn volume_encode(
    row_count: f64,
    kinds: &[u8],
    columns: Vec<Uint8Array>,
    metadata: &[u8],
    compress: bool,
    mut out: BufferSlice<'_>,
    mut pieces: BufferSlice<'_>,
) -> napi::Result<u32> {
    let sources = sources(kinds, &columns)?;
    let encoded = encode::encode_volume(
        length(row_count, "rowCount")?,
        &sources,
        metadata,
        compress,
        1,
        &mut out,
    )
    .map_err(to_napi)?;
    put_pieces(&encoded, &mut pieces)
}

pub struct EncodeTask {
    row_count: usize,
    kinds: Vec<u8>,
    columns: Vec<Uint8Array>,
    metadata: Uint8Array,
    compress: bool,
    threads: usize,
    out: Buffer,
    pieces: Buffer,
}

#[napi]
impl Task for EncodeTask {
    type Output = u32;
    type JsValue = u32;

    fn compute(&mut self) -> napi::Result<u32> {
        let sources = sources(&self.kinds, &self.columns)?;
        let encoded = encode::encode_volume(
            self.row_count,
            &sources,
            &self.metadata,
            self.compress,
            self.threads,
            &mut self.out,
        )
        .map_err(to_napi)?;
        put_pieces(&encoded, &mut self.pieces)
    }

    fn resolve(&mut self, _env: Env, output: u32) -> napi::Result<u32> {
        Ok(output)
    }
}

/// `volumeEncode` on the libuv pool, compressing on up to `threads` threads.
#[napi(catch_unwind)]
#[allow(clippy::too_many_arguments)]
pub fn volume_encode_async(
    row_count: f64,
    kinds: &[u8],
    columns: Vec<Uint8Array>,
    metadata: Uint8Array,
    compress: bool,
    threads: u32,
    out: Buffer,
    pieces: Buffer,
) -> napi::Result<AsyncTask<EncodeTask>> {
    Ok(AsyncTask::new(EncodeTask {
        row_count: length(row_count, "rowCount")?,
        kinds: kinds.to_vec(),
        columns,
        metadata,
        compress,
        threads: threads as usize,
        out,
        pieces,
    }))
}

/// The fixed-width columns to decode: per target its column index, kind tag and
/// dictionary size, and two output buffers (null flags, values).
struct Targets {
    columns: Vec<u32>,
    kinds: Vec<ColumnKind>,
    dict_sizes: Vec<u32>,
}

impl Targets {
    fn new(
        columns: Vec<u32>,
        kind_tags: &[u8],
        dict_sizes: Vec<u32>,
        outputs: usize,
    ) -> napi::Result<Self> {
        if kind_tags.len() != columns.len()
            || dict_sizes.len() != columns.len()
            || outputs != columns.len() * 2
        {
            return Err(to_napi(CoreError::new(
                ErrorCode::InvalidArgument,
                format!(
                    "{} columns, {} kinds, {} dictionary sizes and {outputs} outputs do not match",
                    columns.len(),
                    kind_tags.len(),
                    dict_sizes.len()
                ),
            )));
        }
        let kinds = kind_tags
            .iter()
            .map(|tag| kind(u32::from(*tag)))
            .collect::<napi::Result<Vec<_>>>()?;
        Ok(Self {
            columns,
            kinds,
            dict_sizes,
        })
    }

    /// The decode targets over `outputs` (two buffers per column: null flags, values).
    fn borrow<'o>(&self, outputs: &'o mut [Buffer]) -> Vec<decode::ColumnTarget<'o>> {
        outputs
            .chunks_exact_mut(2)
            .zip(self.columns.iter().zip(&self.kinds).zip(&self.dict_sizes))
            .map(|(pair, ((column, kind), dict_size))| {
                let (nulls, values) = pair.split_at_mut(1);
                decode::ColumnTarget {
                    column: *column as usize,
                    kind: *kind,
                    dict_size: *dict_size,
                    nulls: nulls.first_mut().map(|b| &mut b[..]).unwrap_or_default(),
                    values: values.first_mut().map(|b| &mut b[..]).unwrap_or_default(),
                }
            })
            .collect()
    }
}

pub struct DecodeColumnsTask {
    blocks: Uint8Array,
    base: usize,
    index: Uint8Array,
    row_count: usize,
    groups: usize,
    targets: Targets,
    outputs: Vec<Buffer>,
    threads: usize,
}

#[napi]
impl Task for DecodeColumnsTask {
    type Output = ();
    type JsValue = ();

    fn compute(&mut self) -> napi::Result<()> {
        let targets = self.targets.borrow(&mut self.outputs);
        decode::decode_columns(
            &self.blocks,
            self.base,
            &self.index,
            self.row_count,
            self.groups,
            targets,
            self.threads,
        )
        .map_err(to_napi)
    }

    fn resolve(&mut self, _env: Env, (): ()) -> napi::Result<()> {
        Ok(())
    }
}

/// Decodes every group of the given fixed-width columns into caller-owned arrays, on the
/// libuv pool with up to `threads` threads. `index` describes the volume's whole block
/// region; `blocks` holds it from byte `base` on. `outputs` holds two buffers per column:
/// null flags, values.
#[napi(catch_unwind)]
#[allow(clippy::too_many_arguments)]
pub fn volume_decode_columns_async(
    blocks: Uint8Array,
    base: f64,
    index: Uint8Array,
    row_count: f64,
    groups: f64,
    columns: Vec<u32>,
    kinds: &[u8],
    dict_sizes: Vec<u32>,
    outputs: Vec<Buffer>,
    threads: u32,
) -> napi::Result<AsyncTask<DecodeColumnsTask>> {
    let targets = Targets::new(columns, kinds, dict_sizes, outputs.len())?;
    Ok(AsyncTask::new(DecodeColumnsTask {
        blocks,
        base: length(base, "base")?,
        index,
        row_count: length(row_count, "rowCount")?,
        groups: length(groups, "groups")?,
        targets,
        outputs,
        threads: threads as usize,
    }))
}

pub struct OpenTask {
    covered: Uint8Array,
    wrapped: Uint8Array,
    meta_out: Buffer,
    threads: usize,
}

#[napi]
impl Task for OpenTask {
    type Output = u32;
    type JsValue = u32;

    fn compute(&mut self) -> napi::Result<u32> {
        decode::crc_and_metadata(
            &self.covered,
            &self.wrapped,
            &mut self.meta_out,
            self.threads,
        )
        .map_err(to_napi)
    }

    fn resolve(&mut self, _env: Env, output: u32) -> napi::Result<u32> {
        Ok(output)
    }
}

/// Open-time work of an in-memory volume on the libuv pool, on up to two threads side by
/// side: resolves to the CRC32 of `covered` after decompressing the metadata's LZ4 block
/// (`wrapped`, without its size prefix) into `metaOut`, whose length the caller checked.
#[napi(catch_unwind)]
#[must_use]
pub fn volume_crc_and_metadata_async(
    covered: Uint8Array,
    wrapped: Uint8Array,
    meta_out: Buffer,
    threads: u32,
) -> AsyncTask<OpenTask> {
    AsyncTask::new(OpenTask {
        covered,
        wrapped,
        meta_out,
        threads: threads as usize,
    })
}

/// Decodes one stored block of a fixed-width column into `nullsDst` and `valuesDst`.
#[napi(catch_unwind)]
pub fn volume_decode_fixed_block(
    kind_tag: u32,
    src: &[u8],
    raw_length: f64,
    dict_size: u32,
    mut nulls_dst: BufferSlice<'_>,
    mut values_dst: BufferSlice<'_>,
) -> napi::Result<()> {
    let kind = kind(kind_tag)?;
    let raw_len = length(raw_length, "rawLength")?;
    SCRATCH
        .with(|scratch| {
            let mut scratch = scratch.borrow_mut();
            block::decode_fixed_block(
                kind,
                src,
                raw_len,
                dict_size,
                &mut scratch,
                &mut nulls_dst,
                &mut values_dst,
            )
        })
        .map_err(to_napi)
}

fn summarize(
    kind: ColumnKind,
    nulls: &[u8],
    values: &[u8],
    bits: &mut [u8],
    num_bits: u64,
    out: &mut [u8],
) -> napi::Result<()> {
    let mut bloom = bloom::BloomBits::new(bits, num_bits).map_err(to_napi)?;
    summary::summarize_column(kind, nulls, values, &mut bloom, out).map_err(to_napi)
}

/// Zone maps, stats, sorted flag and bloom bits of a fixed-width column in one pass
/// (layout in crates/core/src/volume/summary.rs).
#[napi(catch_unwind)]
pub fn volume_summarize_column(
    kind_tag: u32,
    nulls: &[u8],
    values: &[u8],
    mut bloom_bits: BufferSlice<'_>,
    bloom_num_bits: f64,
    mut out: BufferSlice<'_>,
) -> napi::Result<()> {
    summarize(
        kind(kind_tag)?,
        nulls,
        values,
        &mut bloom_bits,
        whole(bloom_num_bits, "bloomNumBits")?,
        &mut out,
    )
}

pub struct SummarizeTask {
    kind: ColumnKind,
    nulls: Uint8Array,
    values: Uint8Array,
    bits: Buffer,
    num_bits: u64,
    out: Buffer,
}

#[napi]
impl Task for SummarizeTask {
    type Output = ();
    type JsValue = ();

    fn compute(&mut self) -> napi::Result<()> {
        summarize(
            self.kind,
            &self.nulls,
            &self.values,
            &mut self.bits,
            self.num_bits,
            &mut self.out,
        )
    }

    fn resolve(&mut self, _env: Env, (): ()) -> napi::Result<()> {
        Ok(())
    }
}

/// `volumeSummarizeColumn` on the libuv pool.
#[napi(catch_unwind)]
pub fn volume_summarize_column_async(
    kind_tag: u32,
    nulls: Uint8Array,
    values: Uint8Array,
    bloom_bits: Buffer,
    bloom_num_bits: f64,
    out: Buffer,
) -> napi::Result<AsyncTask<SummarizeTask>> {
    Ok(AsyncTask::new(SummarizeTask {
        kind: kind(kind_tag)?,
        nulls,
        values,
        bits: bloom_bits,
        num_bits: whole(bloom_num_bits, "bloomNumBits")?,
        out,
    }))
}

/// Inserts one hash per payload into a bloom filter: payload `k` is
/// `blob[ends[k-1]..ends[k]]` (`ends` as u32 LE), hashed after `tag` (3 text, 0 extension).
#[napi(catch_unwind)]
pub fn volume_bloom_add(
    tag: u32,
    blob: &[u8],
    ends: &[u8],
    mut bloom_bits: BufferSlice<'_>,
    bloom_num_bits: f64,
) -> napi::Result<()> {
    let tag = u8::try_from(tag).map_err(|_| {
        to_napi(CoreError::new(
            ErrorCode::InvalidArgument,
            format!("bloom tag {tag}"),
        ))
    })?;
    let mut bloom = bloom::BloomBits::new(&mut bloom_bits, whole(bloom_num_bits, "bloomNumBits")?)
        .map_err(to_napi)?;
    let mut start = 0usize;
    for end in ends.chunks_exact(4) {
        let end = u32::from_le_bytes([
            end.first().copied().unwrap_or(0),
            end.get(1).copied().unwrap_or(0),
            end.get(2).copied().unwrap_or(0),
            end.get(3).copied().unwrap_or(0),
        ]) as usize;
        let payload = blob.get(start..end).ok_or_else(|| {
            to_napi(CoreError::new(
                ErrorCode::InvalidArgument,
                format!(
                    "payload {start}..{end} is outside the {}-byte blob",
                    blob.len()
                ),
            ))
        })?;
        bloom.insert_hash(bloom::hash(tag, payload));
        start = end;
    }
    Ok(())
}

/// stoolap's `might_contain` for a value given as its bloom tag and payload bytes.
#[napi(catch_unwind)]
pub fn volume_bloom_might_contain(
    bloom_bits: &[u8],
    bloom_num_bits: f64,
    tag: u32,
    payload: &[u8],
) -> napi::Result<bool> {
    let tag = u8::try_from(tag).map_err(|_| {
        to_napi(CoreError::new(
            ErrorCode::InvalidArgument,
            format!("bloom tag {tag}"),
        ))
    })?;
    Ok(bloom::might_contain(
        bloom_bits,
        whole(bloom_num_bits, "bloomNumBits")?,
        bloom::hash(tag, payload),
    ))
}

/// Index of the first i64 (LE) that is not greater than (`strict`) or not at least its
/// predecessor; -1 when the values are ascending.
#[napi(catch_unwind)]
#[must_use]
pub fn volume_first_unordered_i64(values: &[u8], strict: bool) -> f64 {
    let mut previous: Option<i64> = None;
    for (i, bytes) in values.chunks_exact(8).enumerate() {
        let mut le = [0u8; 8];
        le.copy_from_slice(bytes);
        let v = i64::from_le_bytes(le);
        if previous.is_some_and(|p| if strict { v <= p } else { v < p }) {
            return i as f64;
        }
        previous = Some(v);
    }
    -1.0
}

/// Checks a block index (see `container::check_block_index`); returns the stored total.
#[napi(catch_unwind)]
pub fn volume_check_block_index(
    index: &[u8],
    kind_tags: &[u8],
    row_count: f64,
    available: f64,
) -> napi::Result<f64> {
    let kinds = kind_tags
        .iter()
        .map(|tag| kind(u32::from(*tag)))
        .collect::<napi::Result<Vec<_>>>()?;
    let total = container::check_block_index(
        index,
        &kinds,
        whole(row_count, "rowCount")?,
        whole(available, "available")?,
    )
    .map_err(to_napi)?;
    Ok(total as f64)
}

pub struct CheckContainerTask {
    file: Uint8Array,
}

#[napi]
impl Task for CheckContainerTask {
    type Output = f64;
    type JsValue = f64;

    fn compute(&mut self) -> napi::Result<f64> {
        let layout = container::check_container(&self.file).map_err(to_napi)?;
        Ok(layout.row_count as f64)
    }

    fn resolve(&mut self, _env: Env, output: f64) -> napi::Result<f64> {
        Ok(output)
    }
}

/// Structural check of a whole volume file in memory, off the event loop; resolves to
/// its row count.
#[napi(catch_unwind)]
#[must_use]
pub fn volume_check_container_async(file: Uint8Array) -> AsyncTask<CheckContainerTask> {
    AsyncTask::new(CheckContainerTask { file })
}

/// Zeroes the `width`-byte values of every NULL row, in place.
#[napi(catch_unwind)]
pub fn volume_zero_null_rows(
    nulls: &[u8],
    mut values: BufferSlice<'_>,
    width: u32,
) -> napi::Result<()> {
    prepare::zero_null_rows(nulls, &mut values, width as usize).map_err(to_napi)
}

/// Copies booleans into `dst` as 0 / 1.
#[napi(catch_unwind)]
pub fn volume_normalize_booleans(src: &[u8], mut dst: BufferSlice<'_>) -> napi::Result<()> {
    prepare::normalize_booleans(src, &mut dst).map_err(to_napi)
}

/// Re-numbers a batch's dictionary ids into the builder's (see
/// `prepare::remap_dictionary_ids`). Returns the count of newly numbered batch ids
/// (listed in `newIds`), or −(row + 1) for the first row whose id is out of range.
#[napi(catch_unwind)]
pub fn volume_remap_dictionary_ids(
    ids: &[u8],
    nulls: &[u8],
    mut remap: BufferSlice<'_>,
    next_id: u32,
    mut out: BufferSlice<'_>,
    mut new_ids: BufferSlice<'_>,
) -> napi::Result<f64> {
    let result =
        prepare::remap_dictionary_ids(ids, nulls, &mut remap, next_id, &mut out, &mut new_ids)
            .map_err(to_napi)?;
    Ok(match result {
        Ok(added) => added as f64,
        Err(row) => -(row as f64) - 1.0,
    })
}

/// The DICTIONARY column summary (null counts, min / max rank per group) in the layout
/// of `volumeSummarizeColumn`.
#[napi(catch_unwind)]
pub fn volume_summarize_dictionary(
    nulls: &[u8],
    ids: &[u8],
    rank: &[u8],
    mut out: BufferSlice<'_>,
) -> napi::Result<()> {
    prepare::summarize_dictionary(nulls, ids, rank, &mut out).map_err(to_napi)
}

/// Number of encode jobs of a volume: the metadata, then one per block in file order.
#[napi(catch_unwind)]
pub fn volume_encode_job_count(
    row_count: f64,
    kinds: &[u8],
    columns: Vec<Uint8Array>,
) -> napi::Result<u32> {
    let sources = sources(kinds, &columns)?;
    let count = encode::job_count(length(row_count, "rowCount")?, &sources).map_err(to_napi)?;
    u32::try_from(count)
        .map_err(|_| to_napi(CoreError::new(ErrorCode::Limit, format!("{count} jobs"))))
}

fn put_results(results: &[encode::JobResult], first: usize, out: &mut [u8]) -> napi::Result<()> {
    let size = encode::JOB_RESULT_BYTES;
    for (k, result) in results.iter().enumerate() {
        let at = (first + k) * size;
        out.get_mut(at..at + size)
            .ok_or_else(|| {
                to_napi(CoreError::new(
                    ErrorCode::InvalidArgument,
                    format!("results buffer has no room for job {}", first + k),
                ))
            })?
            .copy_from_slice(&result.to_bytes());
    }
    Ok(())
}

pub struct EncodeJobsTask {
    row_count: usize,
    kinds: Vec<u8>,
    columns: Vec<Uint8Array>,
    metadata: Uint8Array,
    compress: bool,
    threads: usize,
    out: Buffer,
    first: usize,
    count: usize,
    results: Buffer,
}

#[napi]
impl Task for EncodeJobsTask {
    type Output = ();
    type JsValue = ();

    fn compute(&mut self) -> napi::Result<()> {
        let sources = sources(&self.kinds, &self.columns)?;
        let results = encode::encode_jobs(
            self.row_count,
            &sources,
            &self.metadata,
            self.compress,
            self.threads,
            &mut self.out,
            self.first,
            self.count,
        )
        .map_err(to_napi)?;
        put_results(&results, self.first, &mut self.results)
    }

    fn resolve(&mut self, _env: Env, (): ()) -> napi::Result<()> {
        Ok(())
    }
}

/// Runs encode jobs `first..first + count` (0 = the metadata, then the blocks in file
/// order) into their regions of `out` on the libuv pool, on up to `threads` threads; the
/// result record of job `k` (u64 region start, u64 stored, u64 written, u32 CRC, u32 0)
/// goes to `results[k × 32..]`.
#[napi(catch_unwind)]
#[allow(clippy::too_many_arguments)]
pub fn volume_encode_jobs_async(
    row_count: f64,
    kinds: &[u8],
    columns: Vec<Uint8Array>,
    metadata: Uint8Array,
    compress: bool,
    threads: u32,
    out: Buffer,
    first: u32,
    count: u32,
    results: Buffer,
) -> napi::Result<AsyncTask<EncodeJobsTask>> {
    Ok(AsyncTask::new(EncodeJobsTask {
        row_count: length(row_count, "rowCount")?,
        kinds: kinds.to_vec(),
        columns,
        metadata,
        compress,
        threads: threads as usize,
        out,
        first: first as usize,
        count: count as usize,
        results,
    }))
}

/// Header, block index and CRC once every job has run (`results` of all jobs); writes the
/// file's pieces into `pieces` and returns their count.
#[napi(catch_unwind)]
#[allow(clippy::too_many_arguments)]
pub fn volume_encode_finish(
    row_count: f64,
    kinds: &[u8],
    columns: Vec<Uint8Array>,
    metadata_length: f64,
    compress: bool,
    mut out: BufferSlice<'_>,
    results: &[u8],
    mut pieces: BufferSlice<'_>,
) -> napi::Result<u32> {
    let sources = sources(kinds, &columns)?;
    let results = results
        .chunks_exact(encode::JOB_RESULT_BYTES)
        .map(|record| {
            encode::JobResult::from_bytes(record).ok_or_else(|| {
                to_napi(CoreError::new(
                    ErrorCode::InvalidArgument,
                    "a job result record does not fit in memory",
                ))
            })
        })
        .collect::<napi::Result<Vec<_>>>()?;
    let encoded = encode::encode_finish(
        length(row_count, "rowCount")?,
        &sources,
        length(metadata_length, "metadataLength")?,
        compress,
        &mut out,
        &results,
    )
    .map_err(to_napi)?;
    put_pieces(&encoded, &mut pieces)
}

/// Rewrites booleans as 0 / 1 in place.
#[napi(catch_unwind)]
pub fn volume_normalize_booleans_in_place(mut values: BufferSlice<'_>) {
    prepare::normalize_booleans_in_place(&mut values);
}

/// `volumeRemapDictionaryIds` re-numbering `ids` in place (NULL rows become 0).
#[napi(catch_unwind)]
pub fn volume_remap_dictionary_ids_in_place(
    mut ids: BufferSlice<'_>,
    nulls: &[u8],
    mut remap: BufferSlice<'_>,
    next_id: u32,
    mut new_ids: BufferSlice<'_>,
) -> napi::Result<f64> {
    let result =
        prepare::remap_dictionary_ids_in_place(&mut ids, nulls, &mut remap, next_id, &mut new_ids)
            .map_err(to_napi)?;
    Ok(match result {
        Ok(added) => added as f64,
        Err(row) => -(row as f64) - 1.0,
    })
}

/// The first `out.length` bytes of the raw LZ4 block `src` (fewer when it holds fewer);
/// returns how many were written. Lets a reader learn the metadata's column directory
/// before the whole metadata block is inflated.
#[napi(catch_unwind)]
pub fn volume_lz4_prefix(src: &[u8], mut out: BufferSlice<'_>) -> napi::Result<u32> {
    let written = decode::lz4_prefix(src, &mut out).map_err(to_napi)?;
    u32::try_from(written).map_err(|_| {
        to_napi(CoreError::new(
            ErrorCode::Limit,
            format!("{written} prefix bytes"),
        ))
    })
}
