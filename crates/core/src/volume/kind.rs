//! Column kinds (spec §5.5). Every block of `n` rows starts with `n` null-flag bytes
//! (1 = NULL); fixed-width kinds then hold `n` values of `value_bytes` each. BYTES blocks
//! are variable (u64 count, n × (u64 offset, u64 len), u64 blob_len, blob).

use crate::constants::{
    VOLUME_KIND_BOOLEAN, VOLUME_KIND_BYTES, VOLUME_KIND_DICTIONARY, VOLUME_KIND_FLOAT64,
    VOLUME_KIND_INT64, VOLUME_KIND_TIMESTAMP,
};
use crate::error::{CoreError, CoreResult, ErrorCode};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    Int64,
    Float64,
    Timestamp,
    Boolean,
    Dictionary,
    Bytes,
}

impl ColumnKind {
    /// The kind for a directory tag; unknown tags are an error (stoolap would misread them).
    ///
    /// # Errors
    /// `Corrupt` for a tag outside 1..=6.
    pub fn from_tag(tag: u32) -> CoreResult<Self> {
        match tag {
            VOLUME_KIND_INT64 => Ok(Self::Int64),
            VOLUME_KIND_FLOAT64 => Ok(Self::Float64),
            VOLUME_KIND_TIMESTAMP => Ok(Self::Timestamp),
            VOLUME_KIND_BOOLEAN => Ok(Self::Boolean),
            VOLUME_KIND_DICTIONARY => Ok(Self::Dictionary),
            VOLUME_KIND_BYTES => Ok(Self::Bytes),
            other => Err(CoreError::new(
                ErrorCode::Corrupt,
                format!("unknown volume column kind {other} (known: 1-6)"),
            )),
        }
    }

    #[must_use]
    pub const fn tag(self) -> u32 {
        match self {
            Self::Int64 => VOLUME_KIND_INT64,
            Self::Float64 => VOLUME_KIND_FLOAT64,
            Self::Timestamp => VOLUME_KIND_TIMESTAMP,
            Self::Boolean => VOLUME_KIND_BOOLEAN,
            Self::Dictionary => VOLUME_KIND_DICTIONARY,
            Self::Bytes => VOLUME_KIND_BYTES,
        }
    }

    /// Bytes per value after the null flags, or `None` for the variable BYTES kind.
    #[must_use]
    pub const fn value_bytes(self) -> Option<usize> {
        match self {
            Self::Int64 | Self::Float64 | Self::Timestamp => Some(8),
            Self::Boolean => Some(1),
            Self::Dictionary => Some(4),
            Self::Bytes => None,
        }
    }

    /// Exact decompressed size of a fixed-width block of `rows` rows, or for BYTES the
    /// smallest possible one (`rows` nulls, count, offsets, blob length, empty blob).
    ///
    /// # Errors
    /// `Limit` when the size overflows.
    pub fn block_bytes(self, rows: usize) -> CoreResult<usize> {
        let overflow = || {
            CoreError::new(
                ErrorCode::Limit,
                format!("{rows} rows overflow a block size"),
            )
        };
        match self.value_bytes() {
            Some(width) => rows.checked_mul(width + 1).ok_or_else(overflow),
            None => rows
                .checked_mul(17)
                .and_then(|b| b.checked_add(16))
                .ok_or_else(overflow),
        }
    }
}

/// Rows of row group `group` in a volume of `row_count` rows.
#[must_use]
pub fn group_rows(row_count: u64, group: u64) -> u64 {
    let size = u64::from(crate::constants::VOLUME_ROW_GROUP_ROWS);
    let start = group.saturating_mul(size);
    row_count.saturating_sub(start).min(size)
}

/// Number of row groups for `row_count` rows: ceil(R / 65536), 0 for an empty volume.
#[must_use]
pub fn group_count(row_count: u64) -> u64 {
    row_count.div_ceil(u64::from(crate::constants::VOLUME_ROW_GROUP_ROWS))
}
