//! Maps `CoreError` to a napi error. napi-rs reports every error with the generic status, so
//! the stable code travels at the front of the message, `"ERR_CORRUPT: what went wrong"`;
//! `ts/native.ts` splits it off into `PermafrostError.code` (and `at offset N` into `offset`).

use permafrost_core::CoreError;

pub fn to_napi(error: CoreError) -> napi::Error {
    napi::Error::new(
        napi::Status::GenericFailure,
        format!("{}: {error}", error.code.as_str()),
    )
}
