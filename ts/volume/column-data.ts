/**
 * A column's rows in memory, as the builder produces them and the writer consumes them:
 * typed arrays per kind plus one null-flag byte per row (1 = NULL; NULL rows hold the
 * kind's zero value, as stoolap stores them).
 */
import type { DataType } from '../codec/data-type';
import type { Value } from '../codec/values';
import type { ColumnKind } from './column-kind';

interface Base {
  readonly kind: ColumnKind;
  /** One byte per row: 1 = NULL. */
  readonly nulls: Uint8Array;
}

export interface Int64ColumnData extends Base {
  readonly form: 'int64' | 'timestamp';
  /** Integers, or timestamps as i64 nanoseconds since the epoch. */
  readonly values: BigInt64Array;
}

export interface Float64ColumnData extends Base {
  readonly form: 'float64';
  readonly values: Float64Array;
}

export interface BooleanColumnData extends Base {
  readonly form: 'boolean';
  /** 0 or 1. */
  readonly values: Uint8Array;
}

export interface DictionaryColumnData extends Base {
  readonly form: 'dictionary';
  readonly ids: Uint32Array;
  /** Strings in order of first appearance; `ids` index it. */
  readonly dictionary: readonly string[];
}

export interface BytesColumnData extends Base {
  readonly form: 'bytes';
  /** The extension type of the column (its schema DataType). */
  readonly extType: DataType;
  /** Per row: the extension payload without its type byte (empty for NULL). */
  readonly payloads: readonly Uint8Array[];
  /** The first non-NULL value, which stoolap keeps as min and max. */
  readonly first: Value | undefined;
}

export type ColumnData = Int64ColumnData | Float64ColumnData | BooleanColumnData | DictionaryColumnData | BytesColumnData;

/** The bytes of a fixed-width column's values (a view, no copy). */
export function valueByteView(column: Int64ColumnData | Float64ColumnData | BooleanColumnData | DictionaryColumnData): Uint8Array {
  const values = column.form === 'dictionary' ? column.ids : column.values;
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}
