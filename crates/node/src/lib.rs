//! The Node-API surface of permafrost-core. Thin and mechanical: argument conversion,
//! error-code mapping and async wrappers only; every byte rule lives in `permafrost-core`.
//!
//! Conventions:
//! - Every function is `catch_unwind`: a Rust panic becomes a JS error (`ERR_INTERNAL` after
//!   `ts/native.ts` wraps it), never an abort of the Node process.
//! - Sync functions borrow their buffers for the duration of the call (zero copy).
//! - `*Async` functions run on the libuv pool and keep a reference to their buffers; the
//!   caller must not touch those buffers until the promise settles (`ts/` wrappers guarantee it).
//! - Errors carry a stable code (`err.code`, e.g. `ERR_CORRUPT`) and, where the error is
//!   about a place in the input, end with `at offset N` (parsed by `ts/native.ts`).

pub mod codec_error;
pub mod constants;
pub mod crc;
pub mod file_lock;
pub mod lz4;
pub mod raw;
pub mod volume;
pub mod wal;

// The three hot synchronous calls, as hand-written callbacks (see raw.rs for why). A
// `#[napi]` const is exported under its Rust name, hence the lower-case names.
#[allow(non_upper_case_globals)]
#[napi_derive::napi]
pub const crc32: raw::RawFunction = raw::CRC32;
#[allow(non_upper_case_globals)]
#[napi_derive::napi]
pub const lz4CompressInto: raw::RawFunction = raw::LZ4_COMPRESS_INTO;
#[allow(non_upper_case_globals)]
#[napi_derive::napi]
pub const lz4DecompressInto: raw::RawFunction = raw::LZ4_DECOMPRESS_INTO;

/// Version of the binary interface between this addon and `ts/native.ts`. Bump it whenever
/// a function changes shape; the loader refuses a binary whose number differs.
pub const NATIVE_ABI_VERSION: u32 = 6;

#[napi_derive::napi(catch_unwind)]
#[must_use]
pub fn abi_version() -> u32 {
    NATIVE_ABI_VERSION
}
