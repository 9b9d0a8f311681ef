//! WAL byte work for the TypeScript writer and reader: sealing a batch of entry drafts,
//! scanning a window of a WAL file into a compact index, and inflating a batch of payloads.
//! One call per batch, never per entry; every buffer is allocated by TypeScript.

use std::cell::RefCell;

use napi::bindgen_prelude::{AsyncTask, Buffer, BufferSlice};
use napi::{Env, Task};
use napi_derive::napi;
use permafrost_core::wal_entry::Sealer;
use permafrost_core::wal_payload::decompress_payloads;
use permafrost_core::wal_scan::scan;

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
