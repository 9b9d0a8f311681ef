//! One column of a columnar row batch (`wal_rows`): the checks of its buffers against the
//! row count, and the encoding of one of its values as spec §4.2 writes it (see the table in
//! `wal_rows`). Every offset is checked before a value is read; no input can panic.

use crate::constants::{
    ROW_COLUMN_BOOLEAN, ROW_COLUMN_ENCODED, ROW_COLUMN_FLOAT64, ROW_COLUMN_INT64, ROW_COLUMN_JSON,
    ROW_COLUMN_TEXT, ROW_COLUMN_TIMESTAMP_NANOS, VALUE_TAG_BOOLEAN, VALUE_TAG_FLOAT,
    VALUE_TAG_INTEGER, VALUE_TAG_JSON, VALUE_TAG_NULL, VALUE_TAG_TEXT, VALUE_TAG_TIMESTAMP,
};
use crate::error::{CoreError, CoreResult, ErrorCode};

const NANOS_PER_SECOND: i64 = 1_000_000_000;

fn invalid(message: impl Into<String>) -> CoreError {
    CoreError::new(ErrorCode::InvalidArgument, message)
}

/// One column of the batch, as the caller laid it out.
#[derive(Debug, Clone, Copy)]
pub struct RowColumn<'a> {
    pub kind: u8,
    /// DataType byte written after tag 0 for a NULL of this column.
    pub null_type: u8,
    /// Empty (no NULLs) or one byte per row; non-zero = NULL.
    pub nulls: &'a [u8],
    pub values: &'a [u8],
    /// `u32` LE offsets, `rows + 1` of them, for TEXT, JSON and ENCODED; empty otherwise.
    pub offsets: &'a [u8],
}

fn u32_le(bytes: &[u8], index: usize) -> Option<usize> {
    let at = index.checked_mul(4)?;
    let field = bytes.get(at..at + 4)?;
    Some(u32::from_le_bytes(field.try_into().ok()?) as usize)
}

fn i64_le(bytes: &[u8], index: usize) -> Option<i64> {
    let at = index.checked_mul(8)?;
    let field = bytes.get(at..at + 8)?;
    Some(i64::from_le_bytes(field.try_into().ok()?))
}

/// Fixed value width (tag included) of a non-NULL value of a fixed-width kind.
pub(crate) fn fixed_width(kind: u8) -> Option<usize> {
    match kind {
        ROW_COLUMN_INT64 | ROW_COLUMN_FLOAT64 => Some(9),
        ROW_COLUMN_TIMESTAMP_NANOS => Some(13),
        ROW_COLUMN_BOOLEAN => Some(2),
        _ => None,
    }
}

/// Checks one column against the row count; returns nothing, or a message naming it.
pub(crate) fn check_column(index: usize, column: &RowColumn<'_>, rows: usize) -> CoreResult<()> {
    if !column.nulls.is_empty() && column.nulls.len() != rows {
        return Err(invalid(format!(
            "column {index}: {} NULL flags for {rows} rows",
            column.nulls.len()
        )));
    }
    if let Some(width) = fixed_width(column.kind) {
        let per_row = if width == 2 { 1 } else { 8 }; // booleans: one byte; the rest: 8
        if Some(column.values.len()) != rows.checked_mul(per_row) {
            return Err(invalid(format!(
                "column {index}: {} value bytes for {rows} rows of {per_row} bytes",
                column.values.len()
            )));
        }
        return Ok(());
    }
    if !matches!(
        column.kind,
        ROW_COLUMN_TEXT | ROW_COLUMN_JSON | ROW_COLUMN_ENCODED
    ) {
        return Err(invalid(format!(
            "column {index}: unknown row column kind {}",
            column.kind
        )));
    }
    if Some(column.offsets.len()) != rows.checked_add(1).and_then(|n| n.checked_mul(4)) {
        return Err(invalid(format!(
            "column {index}: {} offset bytes for {rows} rows",
            column.offsets.len()
        )));
    }
    let mut previous = 0usize;
    for row in 0..=rows {
        let offset = u32_le(column.offsets, row).unwrap_or(usize::MAX);
        if offset < previous || offset > column.values.len() || (row == 0 && offset != 0) {
            return Err(invalid(format!(
                "column {index}: offset {row} ({offset}) is out of order or past the {} value bytes",
                column.values.len()
            )));
        }
        previous = offset;
    }
    if column.kind != ROW_COLUMN_ENCODED && std::str::from_utf8(column.values).is_err() {
        return Err(invalid(format!("column {index}: text is not valid UTF-8")));
    }
    Ok(())
}

/// Encoded width (tag included) of row `row` of `column`; the column has been checked.
pub(crate) fn value_width(column: &RowColumn<'_>, row: usize) -> usize {
    if column.nulls.get(row).is_some_and(|&flag| flag != 0) {
        return 2;
    }
    if let Some(width) = fixed_width(column.kind) {
        return width;
    }
    let length =
        u32_le(column.offsets, row + 1).unwrap_or(0) - u32_le(column.offsets, row).unwrap_or(0);
    if column.kind == ROW_COLUMN_ENCODED {
        length
    } else {
        5 + length
    }
}

/// Writes the value of row `row` of `column` at the start of `out`; returns its width.
pub(crate) fn write_value(out: &mut [u8], column: &RowColumn<'_>, row: usize) -> usize {
    let mut put = |bytes: &[u8], at: usize| {
        if let Some(field) = out.get_mut(at..at + bytes.len()) {
            field.copy_from_slice(bytes);
        }
    };
    if column.nulls.get(row).is_some_and(|&flag| flag != 0) {
        put(&[VALUE_TAG_NULL, column.null_type], 0);
        return 2;
    }
    match column.kind {
        ROW_COLUMN_INT64 | ROW_COLUMN_FLOAT64 => {
            let tag = if column.kind == ROW_COLUMN_INT64 {
                VALUE_TAG_INTEGER
            } else {
                VALUE_TAG_FLOAT
            };
            put(&[tag], 0);
            put(
                column.values.get(row * 8..row * 8 + 8).unwrap_or(&[0; 8]),
                1,
            );
            9
        }
        ROW_COLUMN_TIMESTAMP_NANOS => {
            let nanos = i64_le(column.values, row).unwrap_or(0);
            put(&[VALUE_TAG_TIMESTAMP], 0);
            put(&nanos.div_euclid(NANOS_PER_SECOND).to_le_bytes(), 1);
            // rem_euclid is in [0, 1e9): it fits a u32.
            put(
                &(nanos.rem_euclid(NANOS_PER_SECOND) as u32).to_le_bytes(),
                9,
            );
            13
        }
        ROW_COLUMN_BOOLEAN => {
            let flag = column.values.get(row).is_some_and(|&b| b != 0);
            put(&[VALUE_TAG_BOOLEAN, u8::from(flag)], 0);
            2
        }
        _ => {
            let start = u32_le(column.offsets, row).unwrap_or(0);
            let end = u32_le(column.offsets, row + 1).unwrap_or(start);
            let bytes = column.values.get(start..end).unwrap_or_default();
            if column.kind == ROW_COLUMN_ENCODED {
                put(bytes, 0);
                return bytes.len();
            }
            let tag = if column.kind == ROW_COLUMN_TEXT {
                VALUE_TAG_TEXT
            } else {
                VALUE_TAG_JSON
            };
            put(&[tag], 0);
            put(&(bytes.len() as u32).to_le_bytes(), 1);
            put(bytes, 5);
            5 + bytes.len()
        }
    }
}
