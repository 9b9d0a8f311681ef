//! Hand-written Node-API callbacks for the three hot synchronous calls: `crc32`,
//! `lz4CompressInto` and `lz4DecompressInto`. This module is the only hand-written `unsafe`
//! code of the workspace (`permafrost-core` forbids it).
//!
//! Why: the glue `#[napi]` generates for a function with arguments (napi-derive 3.7 /
//! napi 3.16) opens a native-borrow scope per call — an `Arc<Mutex<_>>` allocation and
//! thread-local pushes and pops — which costs about 85 ns on top of Node-API itself
//! (measured: `crc32` of an empty buffer 131 ns through `#[napi]`, 45 ns here). For a
//! 64 KiB CRC that is the difference between 0.87x and 0.95x of native Rust (see
//! docs/benchmarks.md). Async and rarely called functions keep using `#[napi]`.
//!
//! Safety argument, shared by every callback:
//! - slices come from `napi_get_typedarray_info` on `Uint8Array`s (Buffers included), so
//!   they point into live ArrayBuffer memory (the call externalises on-heap arrays first);
//!   the argument handles keep the arrays alive, no JavaScript runs while the slices exist,
//!   and they never outlive the callback;
//! - a detached or empty array gives an empty slice (no null pointers reach `from_raw_parts`);
//! - an output slice is refused if its memory overlaps the input's, so a `&mut [u8]` never
//!   aliases a `&[u8]`;
//! - the work runs inside `catch_unwind`, so a panic becomes a JS error, not an abort.
//!
//! Errors are thrown exactly like `codec_error::to_napi` formats them
//! (`"ERR_CODE: message[ at offset N]"`), which `ts/native.ts` parses; a bad argument is
//! `ERR_INVALID_ARGUMENT`, a panic carries no code (`ERR_INTERNAL` in TypeScript).
#![allow(unsafe_code)]

use std::ffi::{CStr, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr;

use napi::bindgen_prelude::{ToNapiValue, TypeName};
use napi::{sys, ValueType};
use permafrost_core::{checksum, lz4_block, CoreError};

type Callback = unsafe extern "C" fn(sys::napi_env, sys::napi_callback_info) -> sys::napi_value;

/// A native function exported as a `#[napi]` const (see `lib.rs`): creating the JS
/// function is all its conversion does.
pub struct RawFunction {
    name: &'static CStr,
    callback: Callback,
}

impl TypeName for RawFunction {
    fn type_name() -> &'static str {
        "Function"
    }

    fn value_type() -> ValueType {
        ValueType::Function
    }
}

impl ToNapiValue for RawFunction {
    unsafe fn to_napi_value(env: sys::napi_env, val: Self) -> napi::Result<sys::napi_value> {
        let mut function = ptr::null_mut();
        let name_length = isize::try_from(val.name.to_bytes().len()).unwrap_or(0);
        // SAFETY: `env` is the live env of module registration; the name holds
        // `name_length` bytes and `function` is a valid out pointer.
        let status = unsafe {
            sys::napi_create_function(
                env,
                val.name.as_ptr(),
                name_length,
                Some(val.callback),
                ptr::null_mut(),
                &mut function,
            )
        };
        if status == sys::Status::napi_ok {
            Ok(function)
        } else {
            Err(napi::Error::from_reason(format!(
                "cannot create native function {:?}",
                val.name
            )))
        }
    }
}

/// An error to throw: a stable code (or none, for a panic) and a message.
struct Thrown {
    code: Option<&'static str>,
    message: String,
}

impl Thrown {
    fn invalid(message: String) -> Self {
        Self {
            code: Some("ERR_INVALID_ARGUMENT"),
            message,
        }
    }
}

impl From<CoreError> for Thrown {
    fn from(error: CoreError) -> Self {
        Self {
            code: Some(error.code.as_str()),
            message: error.to_string(),
        }
    }
}

/// Runs `body` and turns its outcome (or a panic) into a return value or a thrown error.
fn run(
    env: sys::napi_env,
    body: impl FnOnce() -> Result<sys::napi_value, Thrown>,
) -> sys::napi_value {
    let thrown = match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(value)) => return value,
        Ok(Err(thrown)) => thrown,
        Err(panic) => Thrown {
            code: None,
            message: format!(
                "permafrost native code panicked: {}",
                panic
                    .downcast_ref::<&str>()
                    .copied()
                    .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
                    .unwrap_or("(no message)")
            ),
        },
    };
    let text = match thrown.code {
        Some(code) => format!("{code}: {}", thrown.message),
        None => thrown.message,
    };
    let message = CString::new(text.replace('\0', " ")).unwrap_or_default();
    // SAFETY: `env` is the callback's env; `message` is NUL-terminated and outlives the call.
    unsafe { sys::napi_throw_error(env, ptr::null(), message.as_ptr()) };
    ptr::null_mut()
}

/// The first `N` arguments (missing ones are `undefined`).
unsafe fn arguments<const N: usize>(
    env: sys::napi_env,
    info: sys::napi_callback_info,
) -> Result<[sys::napi_value; N], Thrown> {
    let mut argc = N;
    let mut argv = [ptr::null_mut(); N];
    // SAFETY: `argv` holds `argc` slots; `this` and `data` are not requested.
    let status = unsafe {
        sys::napi_get_cb_info(
            env,
            info,
            &mut argc,
            argv.as_mut_ptr(),
            ptr::null_mut(),
            ptr::null_mut(),
        )
    };
    if status == sys::Status::napi_ok {
        Ok(argv)
    } else {
        Err(Thrown::invalid(
            "cannot read the call's arguments".to_owned(),
        ))
    }
}

/// Pointer and length of a `Uint8Array` argument.
unsafe fn uint8_array(
    env: sys::napi_env,
    value: sys::napi_value,
    what: &str,
) -> Result<(*mut u8, usize), Thrown> {
    let mut kind = -1;
    let mut length = 0usize;
    let mut data = ptr::null_mut();
    // SAFETY: every out pointer is valid; the arraybuffer and offset outputs are not requested.
    let status = unsafe {
        sys::napi_get_typedarray_info(
            env,
            value,
            &mut kind,
            &mut length,
            &mut data,
            ptr::null_mut(),
            ptr::null_mut(),
        )
    };
    if status != sys::Status::napi_ok || kind != sys::TypedarrayType::uint8_array {
        return Err(Thrown::invalid(format!(
            "{what} must be a Uint8Array or Buffer"
        )));
    }
    if data.is_null() || length == 0 {
        return Ok((ptr::NonNull::<u8>::dangling().as_ptr(), 0));
    }
    Ok((data.cast::<u8>(), length))
}

/// A `Uint8Array` argument as a shared slice (see the module's safety argument).
unsafe fn bytes<'a>(
    env: sys::napi_env,
    value: sys::napi_value,
    what: &str,
) -> Result<&'a [u8], Thrown> {
    let (data, length) = unsafe { uint8_array(env, value, what)? };
    // SAFETY: `data` points at `length` live bytes for the duration of the callback.
    Ok(unsafe { std::slice::from_raw_parts(data, length) })
}

/// A `Uint8Array` output argument as an exclusive slice that must not overlap `input`.
unsafe fn bytes_mut<'a>(
    env: sys::napi_env,
    value: sys::napi_value,
    what: &str,
    input: &[u8],
) -> Result<&'a mut [u8], Thrown> {
    let (data, length) = unsafe { uint8_array(env, value, what)? };
    let (start, end) = (data as usize, (data as usize).saturating_add(length));
    let (in_start, in_end) = (
        input.as_ptr() as usize,
        (input.as_ptr() as usize).saturating_add(input.len()),
    );
    if length > 0 && !input.is_empty() && start < in_end && in_start < end {
        return Err(Thrown::invalid(format!(
            "{what} must not share memory with the input"
        )));
    }
    // SAFETY: `data` points at `length` live bytes that no other slice of this call covers.
    Ok(unsafe { std::slice::from_raw_parts_mut(data, length) })
}

/// An optional unsigned 32-bit argument (`undefined`/`null` give `default`).
unsafe fn optional_u32(
    env: sys::napi_env,
    value: sys::napi_value,
    what: &str,
    default: u32,
) -> Result<u32, Thrown> {
    let mut kind = -1;
    // SAFETY: `kind` is a valid out pointer.
    unsafe { sys::napi_typeof(env, value, &mut kind) };
    if kind == sys::ValueType::napi_undefined || kind == sys::ValueType::napi_null {
        return Ok(default);
    }
    let mut number = 0u32;
    // SAFETY: `number` is a valid out pointer.
    let status = unsafe { sys::napi_get_value_uint32(env, value, &mut number) };
    if status == sys::Status::napi_ok {
        Ok(number)
    } else {
        Err(Thrown::invalid(format!("{what} must be a number")))
    }
}

unsafe fn create_u32(env: sys::napi_env, value: u32) -> Result<sys::napi_value, Thrown> {
    let mut result = ptr::null_mut();
    // SAFETY: `result` is a valid out pointer.
    unsafe { sys::napi_create_uint32(env, value, &mut result) };
    Ok(result)
}

unsafe fn undefined(env: sys::napi_env) -> Result<sys::napi_value, Thrown> {
    let mut result = ptr::null_mut();
    // SAFETY: `result` is a valid out pointer.
    unsafe { sys::napi_get_undefined(env, &mut result) };
    Ok(result)
}

fn length_u32(length: usize) -> u32 {
    u32::try_from(length).unwrap_or(u32::MAX)
}

/// `crc32(data: Uint8Array, initial?: number): number`
unsafe extern "C" fn crc32(env: sys::napi_env, info: sys::napi_callback_info) -> sys::napi_value {
    run(env, || unsafe {
        let [data, initial] = arguments::<2>(env, info)?;
        let data = bytes(env, data, "crc32: data")?;
        let initial = optional_u32(env, initial, "crc32: initial", 0)?;
        create_u32(env, checksum::crc32(data, initial))
    })
}

/// `lz4CompressInto(src: Uint8Array, dst: Buffer): number`
unsafe extern "C" fn lz4_compress_into(
    env: sys::napi_env,
    info: sys::napi_callback_info,
) -> sys::napi_value {
    run(env, || unsafe {
        let [src, dst] = arguments::<2>(env, info)?;
        let src = bytes(env, src, "lz4CompressInto: src")?;
        let dst = bytes_mut(env, dst, "lz4CompressInto: dst", src)?;
        let written = lz4_block::compress_into(src, dst)?;
        create_u32(env, length_u32(written))
    })
}

/// `lz4DecompressInto(src: Uint8Array, dst: Buffer): void`
unsafe extern "C" fn lz4_decompress_into(
    env: sys::napi_env,
    info: sys::napi_callback_info,
) -> sys::napi_value {
    run(env, || unsafe {
        let [src, dst] = arguments::<2>(env, info)?;
        let src = bytes(env, src, "lz4DecompressInto: src")?;
        let dst = bytes_mut(env, dst, "lz4DecompressInto: dst", src)?;
        lz4_block::decompress_into(src, dst)?;
        undefined(env)
    })
}

pub const CRC32: RawFunction = RawFunction {
    name: c"crc32",
    callback: crc32,
};
pub const LZ4_COMPRESS_INTO: RawFunction = RawFunction {
    name: c"lz4CompressInto",
    callback: lz4_compress_into,
};
pub const LZ4_DECOMPRESS_INTO: RawFunction = RawFunction {
    name: c"lz4DecompressInto",
    callback: lz4_decompress_into,
};
