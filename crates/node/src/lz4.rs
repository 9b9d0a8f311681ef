//! LZ4 block compression into caller-owned buffers. Returning fresh `Buffer`s from Rust
//! costs an external-buffer finalizer (13-28 us on Node 20), so the binding only ever writes
//! into buffers the TypeScript side allocated; `ts/lz4.ts` builds the convenient forms on top.
//! The synchronous `lz4CompressInto` / `lz4DecompressInto` are hand-written callbacks in
//! `raw.rs` (per-call cost).

use napi::bindgen_prelude::{AsyncTask, Buffer, Uint8Array};
use napi::{Env, Task};
use napi_derive::napi;
use permafrost_core::lz4_block;

use crate::codec_error::to_napi;

/// Largest compressed size of `rawLength` bytes: the `dst` size `lz4CompressInto` needs.
#[napi(catch_unwind)]
#[must_use]
pub fn lz4_compress_bound(raw_length: u32) -> u32 {
    u32::try_from(lz4_block::compress_bound(raw_length as usize)).unwrap_or(u32::MAX)
}

/// The decompressed size declared by an "LZ4+size" buffer, checked against `cap` and
/// against what the rest of the buffer can expand to (so it is safe to allocate).
#[napi(catch_unwind)]
pub fn lz4_size_prepended_length(src: &[u8], cap: u32) -> napi::Result<u32> {
    let len = lz4_block::size_prepended_len(src, u64::from(cap)).map_err(to_napi)?;
    Ok(u32::try_from(len).unwrap_or(u32::MAX))
}

pub struct CompressTask {
    src: Uint8Array,
    dst: Buffer,
}

#[napi]
impl Task for CompressTask {
    type Output = u32;
    type JsValue = u32;

    fn compute(&mut self) -> napi::Result<u32> {
        let written = lz4_block::compress_into(&self.src, &mut self.dst).map_err(to_napi)?;
        Ok(u32::try_from(written).unwrap_or(u32::MAX))
    }

    fn resolve(&mut self, _env: Env, output: u32) -> napi::Result<u32> {
        Ok(output)
    }
}

/// `lz4CompressInto` on the libuv thread pool.
#[napi(catch_unwind)]
#[must_use]
pub fn lz4_compress_into_async(src: Uint8Array, dst: Buffer) -> AsyncTask<CompressTask> {
    AsyncTask::new(CompressTask { src, dst })
}

pub struct DecompressTask {
    src: Uint8Array,
    dst: Buffer,
}

#[napi]
impl Task for DecompressTask {
    type Output = ();
    type JsValue = ();

    fn compute(&mut self) -> napi::Result<()> {
        lz4_block::decompress_into(&self.src, &mut self.dst).map_err(to_napi)
    }

    fn resolve(&mut self, _env: Env, (): ()) -> napi::Result<()> {
        Ok(())
    }
}

/// `lz4DecompressInto` on the libuv thread pool.
#[napi(catch_unwind)]
#[must_use]
pub fn lz4_decompress_into_async(src: Uint8Array, dst: Buffer) -> AsyncTask<DecompressTask> {
    AsyncTask::new(DecompressTask { src, dst })
}
