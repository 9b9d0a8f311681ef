//! WAL byte work for the TypeScript writer and reader: sealing a batch of entry drafts,
//! scanning a window of a WAL file into a compact index, and inflating a batch of payloads.
//! One call per batch, never per entry; every buffer is allocated by TypeScript.

use std::cell::RefCell;

use napi::bindgen_prelude::{AsyncTask, Buffer, BufferSlice, Uint8Array};
use napi::{Env, Task};
use napi_derive::napi;
use permafrost_core::wal_entry::Sealer;
use permafrost_core::wal_payload::decompress_payloads;
use permafrost_core::wal_rows::{draft_rows, DraftOutcome, RowBatchHeader, RowColumn};
use permafrost_core::wal_scan::scan;
use permafrost_core::{CoreError, ErrorCode};

use crate::codec_error::to_napi;

thread_local! {
    /// One sealer per JS thread (main or worker): its LZ4 table and scratch are reused.
    static SEALER: RefCell<Sealer> = RefCell::new(Sealer::default());
}

/// Seals the entry drafts in `buffer[..length]` in place (compression, CRC, header
/// checksum; see `permafrost_core::wal_entry`) and returns the sealed length (≤ `length`).
#[napi(catch_unwind)]
pub fn wal_seal_drafts(mut buffer: BufferSlice<'_>, length: u32) -> napi::Result<u32> {
    let sealed = SEALER
        .with(|sealer| {
            sealer
                .borrow_mut()
                .seal_drafts(&mut buffer, length as usize)
        })
        .map_err(to_napi)?;
    Ok(u32::try_from(sealed).unwrap_or(u32::MAX))
}

pub struct SealTask {
    buffer: Buffer,
    length: u32,
}

#[napi]
impl Task for SealTask {
    type Output = u32;
    type JsValue = u32;

    fn compute(&mut self) -> napi::Result<u32> {
        let length = self.length as usize;
        let buffer: &mut [u8] = &mut self.buffer;
        let sealed = SEALER
            .with(|sealer| sealer.borrow_mut().seal_drafts(buffer, length))
            .map_err(to_napi)?;
        Ok(u32::try_from(sealed).unwrap_or(u32::MAX))
    }

    fn resolve(&mut self, _env: Env, output: u32) -> napi::Result<u32> {
        Ok(output)
    }
}

/// `walSealDrafts` on the libuv pool: the writer hands a full staging buffer over and keeps
/// staging into another one while this one is compressed (the buffer belongs to the task).
#[napi(catch_unwind)]
#[must_use]
pub fn wal_seal_drafts_async(buffer: Buffer, length: u32) -> AsyncTask<SealTask> {
    AsyncTask::new(SealTask { buffer, length })
}

/// Where a `walScan` call stopped (see `permafrost_core::wal_scan::ScanOutcome`).
#[napi(object)]
pub struct WalScanOutcome {
    pub records: u32,
    pub stop: u32,
    pub resume: u32,
    pub needed_bytes: u32,
    pub in_damage: bool,
}

/// Scans `window` (first byte at file offset `baseOffset`) into `index`, a buffer of
/// `WAL_INDEX_RECORD_BYTES`-sized records.
#[napi(catch_unwind)]
pub fn wal_scan(
    window: &[u8],
    base_offset: f64,
    is_final: bool,
    in_damage: bool,
    mut index: BufferSlice<'_>,
) -> WalScanOutcome {
    let base = if base_offset.is_finite() && base_offset >= 0.0 {
        base_offset as u64
    } else {
        0
    };
    let outcome = scan(window, base, is_final, in_damage, &mut index);
    let narrow = |value: usize| u32::try_from(value).unwrap_or(u32::MAX);
    WalScanOutcome {
        records: narrow(outcome.records),
        stop: u32::from(outcome.stop),
        resume: narrow(outcome.resume),
        needed_bytes: narrow(outcome.needed_bytes),
        in_damage: outcome.in_damage,
    }
}

/// Inflates the LZ4+size payloads listed in `work` (u32 LE quadruples: source offset,
/// source length, slab offset, raw length) from `window` into `slab`.
#[napi(catch_unwind)]
pub fn wal_decompress_payloads(
    window: &[u8],
    work: &[u8],
    mut slab: BufferSlice<'_>,
) -> napi::Result<()> {
    decompress_payloads(window, work, &mut slab).map_err(to_napi)
}

fn invalid(message: &str) -> napi::Error {
    to_napi(CoreError::new(ErrorCode::InvalidArgument, message))
}

/// The four little-endian 64-bit fields of a batch header: first LSN, previous LSN, txn id,
/// timestamp.
fn header_fields(header: &[u8]) -> napi::Result<[u64; 4]> {
    let field = |index: usize| -> napi::Result<u64> {
        header
            .get(index * 8..index * 8 + 8)
            .and_then(|bytes| bytes.try_into().ok())
            .map(u64::from_le_bytes)
            .ok_or_else(|| invalid("the batch header needs four 64-bit fields"))
    };
    Ok([field(0)?, field(1)?, field(2)?, field(3)?])
}

/// The batch's columns: three buffers (NULL flags, values, offsets) and one NULL type per kind.
fn row_columns<'a>(
    kinds: &'a [u8],
    null_types: &'a [u8],
    columns: &'a [Uint8Array],
) -> napi::Result<Vec<RowColumn<'a>>> {
    if columns.len() != kinds.len() * 3 || null_types.len() != kinds.len() {
        return Err(invalid(
            "three column buffers (nulls, values, offsets) and one NULL type per column kind",
        ));
    }
    Ok(kinds
        .iter()
        .zip(null_types)
        .zip(columns.chunks_exact(3))
        .map(|((&kind, &null_type), buffers)| match buffers {
            [nulls, values, offsets] => RowColumn {
                kind,
                null_type,
                nulls,
                values,
                offsets,
            },
            _ => RowColumn {
                kind,
                null_type,
                nulls: &[],
                values: &[],
                offsets: &[],
            },
        })
        .collect())
}

/// A batch of rows to draft: everything `draft_rows` reads besides the output. `B` is a
/// borrowed slice for the synchronous call and a held JS array for the pool job.
struct RowsJob<B> {
    header: B,
    table_name: B,
    operation: u32,
    row_ids: B,
    kinds: B,
    null_types: B,
    columns: Vec<Uint8Array>,
    rows: std::ops::Range<usize>,
}

impl<B: std::ops::Deref<Target = [u8]>> RowsJob<B> {
    /// Drafts the rows at the start of `out`: the bytes written, or minus the bytes needed.
    fn draft(&self, out: &mut [u8]) -> napi::Result<f64> {
        let [first_lsn, previous_lsn, txn_id, timestamp] = header_fields(&self.header)?;
        let header = RowBatchHeader {
            first_lsn,
            previous_lsn,
            txn_id: txn_id as i64,
            table_name: &self.table_name,
            operation: u8::try_from(self.operation)
                .map_err(|_| invalid("operation must be a byte"))?,
            timestamp_nanos: timestamp as i64,
        };
        let sources = row_columns(&self.kinds, &self.null_types, &self.columns)?;
        match draft_rows(out, &header, &self.row_ids, &sources, self.rows.clone())
            .map_err(to_napi)?
        {
            DraftOutcome::Written(bytes) => Ok(bytes as f64),
            DraftOutcome::NeedsBytes(bytes) => Ok(-(bytes as f64)),
        }
    }
}

/// Lays out one entry draft per row of a columnar batch at `out[at..]` (see
/// `permafrost_core::wal_rows`). `header` holds four little-endian 64-bit fields: first LSN,
/// previous LSN, txn id, timestamp. `columns` holds three buffers per column (NULL flags,
/// values, offsets); rows `[firstRow, endRow)` are drafted. Returns the bytes written, or
/// minus the bytes needed when `out[at..]` is too small (nothing is written then).
#[napi(catch_unwind)]
#[allow(clippy::too_many_arguments)]
pub fn wal_draft_rows(
    mut out: BufferSlice<'_>,
    at: f64,
    header: &[u8],
    table_name: &[u8],
    operation: u32,
    row_ids: &[u8],
    kinds: &[u8],
    null_types: &[u8],
    columns: Vec<Uint8Array>,
    first_row: u32,
    end_row: u32,
) -> napi::Result<f64> {
    let start = if at.is_finite() && at >= 0.0 && at <= out.len() as f64 {
        at as usize
    } else {
        return Err(invalid("draft offset is outside the buffer"));
    };
    let job = RowsJob {
        header,
        table_name,
        operation,
        row_ids,
        kinds,
        null_types,
        columns,
        rows: first_row as usize..end_row as usize,
    };
    job.draft(out.get_mut(start..).unwrap_or_default())
}

pub struct DraftSealRowsTask {
    out: Buffer,
    job: RowsJob<Uint8Array>,
}

#[napi]
impl Task for DraftSealRowsTask {
    type Output = f64;
    type JsValue = f64;

    fn compute(&mut self) -> napi::Result<f64> {
        let out: &mut [u8] = &mut self.out;
        let drafted = self.job.draft(out)?;
        if drafted < 0.0 {
            return Ok(drafted);
        }
        let sealed = SEALER
            .with(|sealer| sealer.borrow_mut().seal_drafts(out, drafted as usize))
            .map_err(to_napi)?;
        Ok(sealed as f64)
    }

    fn resolve(&mut self, _env: Env, output: f64) -> napi::Result<f64> {
        Ok(output)
    }
}

/// `walDraftRows` into the start of `out` followed by `walSealDrafts`, on the libuv pool:
/// resolves to the sealed length, or to minus the draft bytes needed when `out` is too small
/// (nothing is sealed then). Every buffer must stay unchanged until the promise settles.
#[napi(catch_unwind)]
#[allow(clippy::too_many_arguments)]
#[must_use]
pub fn wal_draft_seal_rows_async(
    out: Buffer,
    header: Uint8Array,
    table_name: Uint8Array,
    operation: u32,
    row_ids: Uint8Array,
    kinds: Uint8Array,
    null_types: Uint8Array,
    columns: Vec<Uint8Array>,
    first_row: u32,
    end_row: u32,
) -> AsyncTask<DraftSealRowsTask> {
    let job = RowsJob {
        header,
        table_name,
        operation,
        row_ids,
        kinds,
        null_types,
        columns,
        rows: first_row as usize..end_row as usize,
    };
    AsyncTask::new(DraftSealRowsTask { out, job })
}
