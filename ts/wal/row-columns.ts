/**
 * Columns of a batch of inserted rows, laid out for one `walDraftRows` call (the columnar
 * insert path; byte rules in crates/core/src/wal_rows.rs). The WAL only frames them: which
 * rows and values they hold is the caller's business (ts/store/row-batch.ts).
 *
 * | kind       | values buffer                      | offsets buffer       |
 * |------------|------------------------------------|----------------------|
 * | Int64      | i64 LE per row                     | empty                |
 * | Float64    | f64 LE per row                     | empty                |
 * | TimestampNanos | i64 LE ns since the epoch      | empty                |
 * | Boolean    | one byte per row (non-zero = true) | empty                |
 * | Text, Json | UTF-8 of every row, back to back   | u32 LE, rows + 1     |
 * | Encoded    | spec §4.2 values, back to back     | u32 LE, rows + 1     |
 *
 * The NULL-flag buffer of a column is empty (no NULLs) or one byte per row, non-zero = NULL.
 */
import { native } from '../native';

const n = native();

export const RowColumnKind = Object.freeze({
  Int64: n.ROW_COLUMN_INT64,
  Float64: n.ROW_COLUMN_FLOAT64,
  TimestampNanos: n.ROW_COLUMN_TIMESTAMP_NANOS,
  Boolean: n.ROW_COLUMN_BOOLEAN,
  Text: n.ROW_COLUMN_TEXT,
  Json: n.ROW_COLUMN_JSON,
  Encoded: n.ROW_COLUMN_ENCODED,
});

export interface RowColumns {
  /** A `RowColumnKind` per column, in schema order. */
  readonly kinds: Uint8Array;
  /** The DataType byte a NULL of each column is written with. */
  readonly nullTypes: Uint8Array;
  /** Three buffers per column: NULL flags, values, offsets. */
  readonly buffers: readonly Uint8Array[];
}
