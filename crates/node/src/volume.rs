// tidy: long file — one flat list of #[napi] wrappers over permafrost_core::volume and
// their async tasks; split by function, the one boundary would be scattered.
//! Volume byte work (`permafrost_core::volume`) for Node. Bulk data crosses the boundary
//! only as caller-owned buffers: TypeScript allocates the output (compressed blocks, block
//! index entries, decoded typed arrays, bloom bits, summaries) once and Rust writes into
//! it, so no Rust `Vec` ever becomes an external Buffer. One call per column (write) or
//! per block (read), never per row. The `*Async` forms run on the libuv pool so a
//! volume's columns compress on both cores; their buffers must not be touched until the
//! promise settles (`ts/volume/` guarantees it).

use std::cell::RefCell;

use napi::bindgen_prelude::{AsyncTask, Buffer, BufferSlice, Uint8Array};
use napi::{Env, Task};
use napi_derive::napi;
use permafrost_core::volume::{block, bloom, container, summary, ColumnKind};
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

/// Output bytes a block of `rawLength` bytes may need (the LZ4 bound when compressing).
#[napi(catch_unwind)]
pub fn volume_output_bound(raw_length: f64, compress: bool) -> napi::Result<f64> {
    Ok(block::output_bound(length(raw_length, "rawLength")?, compress) as f64)
}

/// Serializes and stores every row group of a fixed-width column into `out`, writing one
/// block index entry per group into `index`. Returns the bytes written to `out`.
#[napi(catch_unwind)]
pub fn volume_encode_fixed_column(
    kind_tag: u32,
    nulls: &[u8],
    values: &[u8],
    compress: bool,
    mut out: BufferSlice<'_>,
    mut index: BufferSlice<'_>,
) -> napi::Result<f64> {
    let written = block::encode_fixed_column(
        kind(kind_tag)?,
        nulls,
        values,
        compress,
        &mut out,
        &mut index,
    )
    .map_err(to_napi)?;
    Ok(written as f64)
}

pub struct EncodeFixedTask {
    kind: ColumnKind,
    nulls: Uint8Array,
    values: Uint8Array,
    compress: bool,
    out: Buffer,
    index: Buffer,
}

#[napi]
impl Task for EncodeFixedTask {
    type Output = f64;
    type JsValue = f64;

    fn compute(&mut self) -> napi::Result<f64> {
        let written = block::encode_fixed_column(
            self.kind,
            &self.nulls,
            &self.values,
            self.compress,
            &mut self.out,
            &mut self.index,
        )
        .map_err(to_napi)?;
        Ok(written as f64)
    }

    fn resolve(&mut self, _env: Env, output: f64) -> napi::Result<f64> {
        Ok(output)
    }
}

/// `volumeEncodeFixedColumn` on the libuv pool.
#[napi(catch_unwind)]
pub fn volume_encode_fixed_column_async(
    kind_tag: u32,
    nulls: Uint8Array,
    values: Uint8Array,
    compress: bool,
    out: Buffer,
    index: Buffer,
) -> napi::Result<AsyncTask<EncodeFixedTask>> {
    Ok(AsyncTask::new(EncodeFixedTask {
        kind: kind(kind_tag)?,
        nulls,
        values,
        compress,
        out,
        index,
    }))
}

/// Stores already serialized blocks (`raw`, back to back; each block's raw length is in
/// bytes 8..16 of its index entry). Returns the bytes written to `out`.
#[napi(catch_unwind)]
pub fn volume_compress_blocks(
    raw: &[u8],
    compress: bool,
    mut out: BufferSlice<'_>,
    mut index: BufferSlice<'_>,
) -> napi::Result<f64> {
    let written =
        block::compress_raw_blocks(raw, compress, &mut out, &mut index).map_err(to_napi)?;
    Ok(written as f64)
}

pub struct CompressBlocksTask {
    raw: Uint8Array,
    compress: bool,
    out: Buffer,
    index: Buffer,
}

#[napi]
impl Task for CompressBlocksTask {
    type Output = f64;
    type JsValue = f64;

    fn compute(&mut self) -> napi::Result<f64> {
        let written =
            block::compress_raw_blocks(&self.raw, self.compress, &mut self.out, &mut self.index)
                .map_err(to_napi)?;
        Ok(written as f64)
    }

    fn resolve(&mut self, _env: Env, output: f64) -> napi::Result<f64> {
        Ok(output)
    }
}

/// `volumeCompressBlocks` on the libuv pool.
#[napi(catch_unwind)]
#[must_use]
pub fn volume_compress_blocks_async(
    raw: Uint8Array,
    compress: bool,
    out: Buffer,
    index: Buffer,
) -> AsyncTask<CompressBlocksTask> {
    AsyncTask::new(CompressBlocksTask {
        raw,
        compress,
        out,
        index,
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
