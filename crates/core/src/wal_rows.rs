//! Entry drafts for a batch of inserted rows given as columns: the columnar fast path of the
//! WAL writer. One call lays out `n` Insert entry drafts (the draft layout of
//! [`crate::wal_entry`]: payload uncompressed, CRC and header checksum zero), each carrying a
//! v2 RowVersion (spec §4.3) whose values are encoded as spec §4.2 says. Sealing (LZ4, CRC,
//! header checksum) stays with [`crate::wal_entry::Sealer`], so a batch seals exactly like
//! entries staged one by one, and the bytes equal what the row path writes for the same
//! values.
//!
//! Entry `i` of the batch: LSN `first_lsn + i`, previous LSN `previous_lsn` for the first and
//! `first_lsn + i - 1` after, flags 0, the batch's txn id, table name, operation and
//! timestamp, row id `row_ids[i]`.
//!
//! RowVersion v2 payload of each row:
//!
//! | offset | size | field                                        |
//! |--------|------|----------------------------------------------|
//! | 0      | 8    | magic "RV2\0" + `00 00 00 80`                |
//! | 8      | 8    | txn id                                       |
//! | 16     | 8    | deleted-at txn id (0)                        |
//! | 24     | 8    | create time (0)                              |
//! | 32     | 4    | value count = column count                   |
//! | 36     | …    | per column: `u32` value length, value bytes  |
//!
//! Column sources (each column: a NULL-flag buffer that is empty or one byte per row, non-zero
//! = NULL; a values buffer; an offsets buffer for the variable-width kinds):
//!
//! | kind                | values                            | value written                    |
//! |---------------------|-----------------------------------|----------------------------------|
//! | `ROW_COLUMN_INT64`  | `i64` LE per row                  | tag 2, `i64`                     |
//! | `ROW_COLUMN_FLOAT64`| `f64` LE per row (bits kept)      | tag 3, `f64` bits                |
//! | `ROW_COLUMN_TIMESTAMP_NANOS` | `i64` ns since the epoch | tag 8, `i64` seconds (floor), `u32` nanos |
//! | `ROW_COLUMN_BOOLEAN`| one byte per row, non-zero = true | tag 1, 0 or 1                    |
//! | `ROW_COLUMN_TEXT`   | UTF-8, `u32` offsets (n + 1)      | tag 4, `u32` length, bytes       |
//! | `ROW_COLUMN_JSON`   | UTF-8, `u32` offsets (n + 1)      | tag 6, `u32` length, bytes       |
//! | `ROW_COLUMN_ENCODED`| encoded values, `u32` offsets     | the bytes as given (one value each) |
//!
//! A NULL row writes tag 0 and the column's DataType byte (a typed NULL, as the row path).
//! Every length, offset and count is checked before anything is written; a batch that does
//! not fit in `out` writes nothing and reports the size it needs.

use crate::constants::{
    ROW_VERSION_MAGIC_V2, WAL_DATA_FIXED_BYTES, WAL_ENTRY_DATA_BYTES_MAX, WAL_ENTRY_MAGIC,
    WAL_ENTRY_VERSION, WAL_HEADER_BYTES,
};
use crate::error::{CoreError, CoreResult, ErrorCode};
pub use crate::row_column::RowColumn;
use crate::row_column::{check_column, fixed_width, value_width, write_value};

const HEADER: usize = WAL_HEADER_BYTES as usize;
const FIXED: usize = WAL_DATA_FIXED_BYTES as usize;
/// RowVersion v2 bytes before the values: magic, txn id, deleted-at, create time, count.
const VERSION_FIXED: usize = 36;
/// Per value: its `u32` length slot.
const SLOT: usize = 4;

/// The fields every entry of the batch shares.
#[derive(Debug, Clone, Copy)]
pub struct RowBatchHeader<'a> {
    pub first_lsn: u64,
    pub previous_lsn: u64,
    pub txn_id: i64,
    pub table_name: &'a [u8],
    pub operation: u8,
    pub timestamp_nanos: i64,
}

/// What [`draft_rows`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DraftOutcome {
    /// The drafts were written: this many bytes.
    Written(usize),
    /// `out` is too small: nothing was written; this many bytes are needed.
    NeedsBytes(usize),
}

fn invalid(message: impl Into<String>) -> CoreError {
    CoreError::new(ErrorCode::InvalidArgument, message)
}

/// Payload (RowVersion) bytes per row: the part every row shares (fixed-width columns
/// without NULL flags) is summed once, so a row costs only its other columns.
struct PayloadSizer<'c, 'a> {
    shared: usize,
    varying: Vec<&'c RowColumn<'a>>,
}

impl<'c, 'a> PayloadSizer<'c, 'a> {
    fn new(columns: &'c [RowColumn<'a>]) -> Self {
        let mut shared = VERSION_FIXED;
        let mut varying = Vec::new();
        for column in columns {
            match fixed_width(column.kind) {
                Some(width) if column.nulls.is_empty() => shared += SLOT + width,
                _ => varying.push(column),
            }
        }
        Self { shared, varying }
    }

    /// Payload bytes of row `row`.
    fn bytes(&self, row: usize) -> usize {
        self.shared
            + self
                .varying
                .iter()
                .map(|column| SLOT + value_width(column, row))
                .sum::<usize>()
    }
}

/// Lays out one Insert/Update draft per row of `rows` (a range of the batch's rows) at the
/// start of `out` (see the module documentation; the first row of the range gets
/// `first_lsn`), or reports the bytes needed when `out` is too small.
///
/// # Errors
/// `InvalidArgument` when the row ids or a column disagree with the row count, a column kind
/// is unknown, offsets are out of order or text is not UTF-8; `Limit` when an entry would
/// exceed the WAL's entry size limit or an LSN would overflow.
pub fn draft_rows(
    out: &mut [u8],
    header: &RowBatchHeader<'_>,
    row_ids: &[u8],
    columns: &[RowColumn<'_>],
    rows: std::ops::Range<usize>,
) -> CoreResult<DraftOutcome> {
    if row_ids.len() % 8 != 0 {
        return Err(invalid(format!(
            "row ids take {} bytes, not a multiple of 8",
            row_ids.len()
        )));
    }
    let batch_rows = row_ids.len() / 8;
    if rows.start > rows.end || rows.end > batch_rows {
        return Err(invalid(format!(
            "rows {}..{} are outside the batch of {batch_rows}",
            rows.start, rows.end
        )));
    }
    let name_len = header.table_name.len();
    if name_len > usize::from(u16::MAX) {
        return Err(CoreError::new(
            ErrorCode::Limit,
            format!("table name of {name_len} bytes exceeds 65535"),
        ));
    }
    let column_count = u32::try_from(columns.len())
        .map_err(|_| CoreError::new(ErrorCode::Limit, "too many columns"))?;
    if header.first_lsn == 0 || header.first_lsn.checked_add(rows.len() as u64).is_none() {
        return Err(CoreError::new(
            ErrorCode::Limit,
            "the batch would run past the last LSN",
        ));
    }
    for (index, column) in columns.iter().enumerate() {
        check_column(index, column, batch_rows)?;
    }
    let sizer = PayloadSizer::new(columns);
    let mut needed = 0usize;
    for row in rows.clone() {
        let data_bytes = FIXED + name_len + sizer.bytes(row);
        if data_bytes > WAL_ENTRY_DATA_BYTES_MAX as usize {
            return Err(CoreError::new(
                ErrorCode::Limit,
                format!("row {row}: WAL entry of {data_bytes} bytes exceeds the {WAL_ENTRY_DATA_BYTES_MAX}-byte limit"),
            ));
        }
        needed += HEADER + data_bytes + 4;
    }
    if needed > out.len() {
        return Ok(DraftOutcome::NeedsBytes(needed));
    }
    let mut at = 0usize;
    let mut previous_lsn = header.previous_lsn;
    for (number, row) in rows.enumerate() {
        let lsn = header.first_lsn + number as u64;
        let payload_len = sizer.bytes(row);
        let data_bytes = FIXED + name_len + payload_len;
        let row_id = row_ids.get(row * 8..row * 8 + 8).unwrap_or(&[0; 8]);
        let entry = out
            .get_mut(at..at + HEADER + data_bytes + 4)
            .ok_or_else(|| invalid("draft space miscounted"))?;
        write_entry(
            entry,
            header,
            lsn,
            previous_lsn,
            row_id,
            data_bytes,
            payload_len,
            column_count,
            columns,
            row,
        );
        previous_lsn = lsn;
        at += HEADER + data_bytes + 4;
    }
    Ok(DraftOutcome::Written(at))
}

#[allow(clippy::too_many_arguments)]
fn write_entry(
    entry: &mut [u8],
    header: &RowBatchHeader<'_>,
    lsn: u64,
    previous_lsn: u64,
    row_id: &[u8],
    data_bytes: usize,
    payload_len: usize,
    column_count: u32,
    columns: &[RowColumn<'_>],
    row: usize,
) {
    let name_len = header.table_name.len();
    let mut cursor = Cursor {
        bytes: entry,
        at: 0,
    };
    cursor.put(&WAL_ENTRY_MAGIC.to_le_bytes());
    cursor.put(&[WAL_ENTRY_VERSION, 0]);
    cursor.put(&(WAL_HEADER_BYTES as u16).to_le_bytes());
    cursor.put(&lsn.to_le_bytes());
    cursor.put(&previous_lsn.to_le_bytes());
    cursor.put(&(data_bytes as u32).to_le_bytes());
    cursor.put(&[0; 4]);
    cursor.put(&header.txn_id.to_le_bytes());
    cursor.put(&(name_len as u16).to_le_bytes());
    cursor.put(header.table_name);
    cursor.put(row_id);
    cursor.put(&[header.operation]);
    cursor.put(&header.timestamp_nanos.to_le_bytes());
    cursor.put(&(payload_len as u32).to_le_bytes());
    cursor.put(&ROW_VERSION_MAGIC_V2);
    cursor.put(&header.txn_id.to_le_bytes());
    cursor.put(&[0; 16]); // deleted-at txn id, create time
    cursor.put(&column_count.to_le_bytes());
    for column in columns {
        let slot = cursor.at;
        cursor.at += SLOT;
        let width = cursor
            .bytes
            .get_mut(cursor.at..)
            .map_or(0, |rest| write_value(rest, column, row));
        cursor.at = slot;
        cursor.put(&(width as u32).to_le_bytes());
        cursor.at += width;
    }
    cursor.put(&[0; 4]); // CRC, filled in when sealed
}

struct Cursor<'a> {
    bytes: &'a mut [u8],
    at: usize,
}

impl Cursor<'_> {
    fn put(&mut self, value: &[u8]) {
        if let Some(field) = self.bytes.get_mut(self.at..self.at + value.len()) {
            field.copy_from_slice(value);
        }
        self.at += value.len();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::constants::{
        ROW_COLUMN_BOOLEAN, ROW_COLUMN_FLOAT64, ROW_COLUMN_INT64, ROW_COLUMN_TEXT,
        ROW_COLUMN_TIMESTAMP_NANOS, VALUE_TAG_NULL, VALUE_TAG_TEXT, VALUE_TAG_TIMESTAMP,
    };
    use crate::wal_entry::Sealer;

    fn header(name: &[u8]) -> RowBatchHeader<'_> {
        RowBatchHeader {
            first_lsn: 10,
            previous_lsn: 9,
            txn_id: 7,
            table_name: name,
            operation: 1,
            timestamp_nanos: 1_700_000_000_000_000_000,
        }
    }

    fn le64(values: &[i64]) -> Vec<u8> {
        values.iter().flat_map(|v| v.to_le_bytes()).collect()
    }

    fn le32(values: &[u32]) -> Vec<u8> {
        values.iter().flat_map(|v| v.to_le_bytes()).collect()
    }

    fn column<'a>(kind: u8, nulls: &'a [u8], values: &'a [u8], offsets: &'a [u8]) -> RowColumn<'a> {
        RowColumn {
            kind,
            null_type: 1,
            nulls,
            values,
            offsets,
        }
    }

    fn written(outcome: CoreResult<DraftOutcome>) -> usize {
        match outcome.expect("valid batch") {
            DraftOutcome::Written(n) => n,
            DraftOutcome::NeedsBytes(n) => panic!("needs {n} bytes"),
        }
    }

    fn i64_at(bytes: &[u8], at: usize) -> i64 {
        i64::from_le_bytes(
            bytes
                .get(at..at + 8)
                .expect("i64")
                .try_into()
                .expect("8 bytes"),
        )
    }

    #[test]
    fn drafts_two_rows_with_every_fixed_kind_and_seal_cleanly() {
        let ids = le64(&[1, 2]);
        let ints = le64(&[5, -6]);
        let floats: Vec<u8> = [1.5f64, -0.0]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        let times = le64(&[-1, 1_500_000_000]);
        let columns = [
            column(ROW_COLUMN_INT64, &[], &ints, &[]),
            column(ROW_COLUMN_FLOAT64, &[0, 1], &floats, &[]),
            column(ROW_COLUMN_TIMESTAMP_NANOS, &[], &times, &[]),
            column(ROW_COLUMN_BOOLEAN, &[], &[1, 0], &[]),
        ];
        let mut out = vec![0u8; 4096];
        let length = written(draft_rows(&mut out, &header(b"t"), &ids, &columns, 0..2));
        // Row 0: 36 + 4 slots + 9 + 9 + 13 + 2 = 85 payload bytes; row 1 has a NULL float (2).
        let row0 = 32 + 31 + 1 + 85 + 4;
        let row1 = 32 + 31 + 1 + 78 + 4;
        assert_eq!(length, row0 + row1);
        let payload = out.get(32 + 31 + 1..32 + 31 + 1 + 85).expect("payload");
        assert_eq!(payload.get(..8), Some(ROW_VERSION_MAGIC_V2.as_slice()));
        // Timestamp −1 ns: seconds −1, nanos 999_999_999.
        let ts_at = 36 + 4 + 9 + 4 + 9 + 4;
        assert_eq!(payload.get(ts_at), Some(&VALUE_TAG_TIMESTAMP));
        assert_eq!(i64_at(payload, ts_at + 1), -1);
        assert_eq!(
            payload.get(ts_at + 9..ts_at + 13),
            Some(999_999_999u32.to_le_bytes().as_slice())
        );
        // The second entry chains its previous LSN to the first.
        assert_eq!(i64_at(&out, row0 + 8), 11);
        assert_eq!(i64_at(&out, row0 + 16), 10);
        let null_at = row0 + 32 + 31 + 1 + 36 + 4 + 9 + 4;
        assert_eq!(
            out.get(null_at..null_at + 2),
            Some([VALUE_TAG_NULL, 1].as_slice())
        );
        let sealed = Sealer::default()
            .seal_drafts(&mut out, length)
            .expect("drafts seal");
        assert!(sealed <= length);
    }

    #[test]
    fn text_columns_carry_their_lengths() {
        let ids = le64(&[1, 2]);
        let offsets = le32(&[0, 1, 4]);
        let columns = [column(ROW_COLUMN_TEXT, &[], b"abcd", &offsets)];
        let mut out = vec![0u8; 1024];
        written(draft_rows(&mut out, &header(b""), &ids, &columns, 0..2));
        let value_at = 32 + 31 + 36 + 4;
        assert_eq!(
            out.get(value_at..value_at + 6),
            Some([VALUE_TAG_TEXT, 1, 0, 0, 0, b'a'].as_slice())
        );
    }

    #[test]
    fn a_small_buffer_gets_the_size_and_no_bytes() {
        let ids = le64(&[1]);
        let columns = [column(ROW_COLUMN_INT64, &[], &ids, &[])];
        let mut out = vec![0xAAu8; 16];
        let outcome =
            draft_rows(&mut out, &header(b"t"), &ids, &columns, 0..1).expect("valid batch");
        assert_eq!(
            outcome,
            DraftOutcome::NeedsBytes(32 + 31 + 1 + 36 + 4 + 9 + 4)
        );
        assert!(out.iter().all(|&b| b == 0xAA));
    }

    #[test]
    fn a_row_range_drafts_those_rows_from_first_lsn() {
        let ids = le64(&[1, 2, 3]);
        let columns = [column(ROW_COLUMN_INT64, &[], &ids, &[])];
        let mut out = vec![0u8; 4096];
        let length = written(draft_rows(&mut out, &header(b"t"), &ids, &columns, 1..3));
        assert_eq!(length, 2 * (32 + 31 + 1 + 36 + 4 + 9 + 4));
        assert_eq!(i64_at(&out, 8), 10); // LSN of the first drafted row
        assert_eq!(i64_at(&out, 32 + 8 + 2 + 1), 2); // its row id
        let beyond = draft_rows(&mut out, &header(b"t"), &ids, &columns, 2..4);
        assert_eq!(
            beyond.expect_err("refused").code,
            ErrorCode::InvalidArgument
        );
    }

    #[test]
    fn hostile_columns_are_refused() {
        let ids = le64(&[1, 2]);
        let short = le64(&[1]);
        let backwards = le32(&[0, 3, 2]);
        let good = le32(&[0, 1, 2]);
        let cases = [
            column(ROW_COLUMN_INT64, &[], &short, &[]),
            column(ROW_COLUMN_INT64, &[0], &ids, &[]),
            column(99, &[], &ids, &[]),
            column(ROW_COLUMN_TEXT, &[], b"abc", &backwards),
            column(ROW_COLUMN_TEXT, &[], b"abc", &[]),
            column(ROW_COLUMN_TEXT, &[], &[0xff, 0xfe], &good),
        ];
        for case in cases {
            let mut out = vec![0u8; 4096];
            let error =
                draft_rows(&mut out, &header(b"t"), &ids, &[case], 0..2).expect_err("refused");
            assert_eq!(error.code, ErrorCode::InvalidArgument, "{error}");
        }
        let mut out = vec![0u8; 4096];
        let odd = draft_rows(
            &mut out,
            &header(b"t"),
            ids.get(..7).expect("7 bytes"),
            &[],
            0..0,
        );
        assert_eq!(odd.expect_err("refused").code, ErrorCode::InvalidArgument);
        let mut at_end = header(b"t");
        at_end.first_lsn = u64::MAX;
        let overflow = draft_rows(&mut out, &at_end, &ids, &[], 0..2);
        assert_eq!(overflow.expect_err("refused").code, ErrorCode::Limit);
    }
}
