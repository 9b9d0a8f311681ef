//! CRC32 (crc32fast) off the event loop. The synchronous `crc32` is a hand-written
//! callback in `raw.rs` (per-call cost).

use napi::bindgen_prelude::{AsyncTask, Uint8Array};
use napi::{Env, Task};
use napi_derive::napi;
use permafrost_core::checksum;

pub struct Crc32Task {
    data: Uint8Array,
    initial: u32,
}

#[napi]
impl Task for Crc32Task {
    type Output = u32;
    type JsValue = u32;

    fn compute(&mut self) -> napi::Result<u32> {
        Ok(checksum::crc32(&self.data, self.initial))
    }

    fn resolve(&mut self, _env: Env, output: u32) -> napi::Result<u32> {
        Ok(output)
    }
}

/// `crc32` on the libuv thread pool, for buffers large enough to stall the event loop.
#[napi(catch_unwind)]
#[must_use]
pub fn crc32_async(data: Uint8Array, initial: Option<u32>) -> AsyncTask<Crc32Task> {
    AsyncTask::new(Crc32Task {
        data,
        initial: initial.unwrap_or(0),
    })
}
