//! The error type of the core. Each error carries one of the stable codes that the
//! TypeScript `PermafrostError` also uses, so a code means the same thing on both sides.

use std::fmt;

/// Stable error codes shared with TypeScript (`ts/errors.ts`). Never rename one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    /// The input ends before a field it declares is complete.
    Truncated,
    /// The input is structurally invalid (inconsistent lengths, bad LZ4 stream, ...).
    Corrupt,
    /// A declared size exceeds a hard limit or the caller's cap.
    Limit,
    /// The caller passed an argument the function cannot work with.
    InvalidArgument,
    /// A stored CRC32 does not match the bytes it covers.
    Checksum,
    /// The input declares a format version this build does not read.
    UnsupportedVersion,
}

impl ErrorCode {
    /// The code string as seen from JavaScript (`err.code`).
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Truncated => "ERR_TRUNCATED",
            Self::Corrupt => "ERR_CORRUPT",
            Self::Limit => "ERR_LIMIT",
            Self::InvalidArgument => "ERR_INVALID_ARGUMENT",
            Self::Checksum => "ERR_CHECKSUM",
            Self::UnsupportedVersion => "ERR_UNSUPPORTED_VERSION",
        }
    }
}

/// An error from the core: a code, a message that says what went wrong, and (when the
/// error is about a place in the input) the byte offset in the input that was given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoreError {
    pub code: ErrorCode,
    pub message: String,
    pub offset: Option<u64>,
}

impl CoreError {
    #[must_use]
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            offset: None,
        }
    }

    #[must_use]
    pub fn at(code: ErrorCode, offset: usize, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            offset: Some(offset as u64),
        }
    }
}

impl fmt::Display for CoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.offset {
            Some(offset) => write!(f, "{} at offset {offset}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for CoreError {}

pub type CoreResult<T> = Result<T, CoreError>;
