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
    let invalid = |message: &str| to_napi(CoreError::new(ErrorCode::InvalidArgument, message));
    let field = |index: usize| -> napi::Result<[u8; 8]> {
        header
            .get(index * 8..index * 8 + 8)
            .and_then(|bytes| bytes.try_into().ok())
            .ok_or_else(|| invalid("the batch header needs four 64-bit fields"))
    };
    let header = RowBatchHeader {
        first_lsn: u64::from_le_bytes(field(0)?),
        previous_lsn: u64::from_le_bytes(field(1)?),
        txn_id: i64::from_le_bytes(field(2)?),
        table_name,
        operation: u8::try_from(operation).map_err(|_| invalid("operation must be a byte"))?,
        timestamp_nanos: i64::from_le_bytes(field(3)?),
    };
    if columns.len() != kinds.len() * 3 || null_types.len() != kinds.len() {
        return Err(invalid(
            "three column buffers (nulls, values, offsets) and one NULL type per column kind",
        ));
    }
    let sources: Vec<RowColumn<'_>> = kinds
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
        .collect();
    let start = if at.is_finite() && at >= 0.0 && at <= out.len() as f64 {
        at as usize
    } else {
        return Err(invalid("draft offset is outside the buffer"));
    };
    let target = out.get_mut(start..).unwrap_or_default();
    let rows = first_row as usize..end_row as usize;
    match draft_rows(target, &header, row_ids, &sources, rows).map_err(to_napi)? {
        DraftOutcome::Written(bytes) => Ok(bytes as f64),
        DraftOutcome::NeedsBytes(bytes) => Ok(-(bytes as f64)),
    }
}
