/**
 * Columns as users hand them to `Transaction.insertColumns`, turned into the batch's own
 * columns (row-batch.ts) in schema order. Typed arrays are copied once, so the caller may
 * reuse them at once; plain arrays go through the same per-value conversion as `insert`.
 *
 * | column type | typed form                                  | plain array of                   |
 * |-------------|---------------------------------------------|----------------------------------|
 * | INTEGER     | `BigInt64Array`                             | bigint, safe-integer number, null |
 * | FLOAT       | `Float64Array`                              | number, bigint, null             |
 * | TIMESTAMP   | `BigInt64Array` of nanoseconds since the epoch | Timestamp, Date, null         |
 * | BOOLEAN     | `Uint8Array` (0 = false, else true)         | boolean, null                    |
 * | any type    | —                                           | what `insert` accepts for it     |
 *
 * A typed form may carry NULLs as `{ values, nulls }` with `nulls` a `Uint8Array` of one byte
 * per row (non-zero = NULL). A column left out takes its default, else its typed NULL.
 */
import { DataType, dataTypeName } from '../codec/data-type';
import { columnIndex } from '../codec/row-shape';
import type { ColumnSchema, TableSchema } from '../codec/schema';
import { toColumnValue, TypedNull, type Value } from '../codec/values';
import { PermafrostError } from '../errors';
import type { BatchColumn } from './row-batch';

export type TypedColumn = BigInt64Array | Float64Array | Uint8Array;
export type ColumnInput = TypedColumn | readonly unknown[] | { readonly values: TypedColumn; readonly nulls?: Uint8Array };
/** Columns keyed by column name (exact, else case-insensitive), all of one length. */
export type ColumnsInput = Readonly<Record<string, ColumnInput>>;

function invalid(message: string): PermafrostError {
  return new PermafrostError('ERR_INVALID_ARGUMENT', message);
}

function isTyped(value: unknown): value is TypedColumn {
  return value instanceof BigInt64Array || value instanceof Float64Array || value instanceof Uint8Array;
}

/** The rows of `input`: the array itself, or the `values` of a `{ values, nulls }` column. */
function valuesOf(input: ColumnInput): TypedColumn | readonly unknown[] {
  return isTyped(input) || Array.isArray(input) ? input : (input as { values: TypedColumn }).values;
}

/**
 * Copies of a batch's typed columns, carved from one allocation: a backing store per batch
 * rather than per column (each is a calloc, page faults and an object the GC tracks).
 */
class CopySlab {
  readonly #buffer: ArrayBuffer;
  #at = 0;
  constructor(bytes: number) {
    this.#buffer = new ArrayBuffer(bytes);
  }
  /** Bytes a copy of `array` takes in a slab (8-byte aligned, so any typed array may follow). */
  static bytesFor(array: TypedColumn): number {
    return (array.byteLength + 7) & ~7;
  }
  copy<T extends TypedColumn>(array: T): T {
    const Kind = array.constructor as new (buffer: ArrayBuffer, byteOffset: number, length: number) => T;
    const copy = new Kind(this.#buffer, this.#at, array.length);
    copy.set(array as never);
    this.#at += CopySlab.bytesFor(array);
    return copy;
  }
}

/** A typed column of `column`, copied into `slab`; refuses a typed array of the wrong kind. */
function typedColumn(column: ColumnSchema, values: TypedColumn, nulls: Uint8Array | undefined, rows: number, slab: CopySlab): BatchColumn {
  if (nulls !== undefined && (!(nulls instanceof Uint8Array) || nulls.length !== rows)) {
    throw invalid(`column '${column.name}': nulls must be a Uint8Array of ${rows} flags`);
  }
  const ownNulls = nulls === undefined || nulls.every((flag) => flag === 0) ? undefined : nulls.slice();
  switch (column.dataType) {
    case DataType.Integer:
      if (values instanceof BigInt64Array) return { kind: 'int64', values: slab.copy(values), nulls: ownNulls };
      break;
    case DataType.Float:
      if (values instanceof Float64Array) return { kind: 'float64', values: slab.copy(values), nulls: ownNulls };
      break;
    case DataType.Timestamp:
      if (values instanceof BigInt64Array) return { kind: 'timestamp', values: slab.copy(values), nulls: ownNulls };
      break;
    case DataType.Boolean:
      if (values instanceof Uint8Array) return { kind: 'boolean', values: slab.copy(values), nulls: ownNulls };
      break;
    default:
      break;
  }
  throw invalid(`column '${column.name}' (${dataTypeName(column.dataType)}) cannot take a ${values.constructor.name}; pass a plain array`);
}

/** A plain array of `column` through `toColumnValue`, packed into a typed column where the type allows. */
function arrayColumn(column: ColumnSchema, input: readonly unknown[]): BatchColumn {
  const rows = input.length;
  // TEXT given as strings (the usual case) needs no conversion.
  if (column.dataType === DataType.Text && input.every((value) => typeof value === 'string')) return { kind: 'values', values: input.slice() as string[] };
  const values = new Array<Value>(rows);
  for (let row = 0; row < rows; row += 1) values[row] = toColumnValue(input[row], column.dataType);
  const nullOfType = TypedNull.of(column.dataType);
  const flags = Uint8Array.from(values, (value) => (value === nullOfType ? 1 : 0));
  const nulls = flags.includes(1) ? flags : undefined;
  const every = (test: (value: Value) => boolean): boolean => values.every((value, row) => flags[row] === 1 || test(value));
  switch (column.dataType) {
    case DataType.Integer:
      if (every((value) => typeof value === 'bigint')) return { kind: 'int64', values: BigInt64Array.from(values, (value) => (typeof value === 'bigint' ? value : 0n)), nulls };
      break;
    case DataType.Float:
      if (every((value) => typeof value === 'number')) return { kind: 'float64', values: Float64Array.from(values, (value) => (typeof value === 'number' ? value : 0)), nulls };
      break;
    case DataType.Boolean:
      if (every((value) => typeof value === 'boolean')) return { kind: 'boolean', values: Uint8Array.from(values, (value) => (value === true ? 1 : 0)), nulls };
      break;
    default:
      break;
  }
  return { kind: 'values', values };
}

/** The batch columns of `input` in schema order, and the row count. */
export function toBatchColumns(schema: TableSchema, input: ColumnsInput): { columns: BatchColumn[]; rows: number } {
  if (input === null || typeof input !== 'object') throw invalid('columns must be an object keyed by column name');
  const given = new Array<ColumnInput | undefined>(schema.columns.length).fill(undefined);
  let rows: number | undefined;
  for (const [key, column] of Object.entries(input)) {
    const index = columnIndex(schema, key);
    if (index < 0) throw invalid(`table '${schema.tableName}' has no column '${key}'`);
    if (given[index] !== undefined) throw invalid(`column '${key}' is given twice`);
    if (!isTyped(column) && !Array.isArray(column) && !(column !== null && typeof column === 'object' && isTyped((column as { values?: unknown }).values))) {
      throw invalid(`column '${key}' must be a typed array, an array, or { values, nulls }`);
    }
    const length = valuesOf(column).length;
    if (rows !== undefined && length !== rows) throw invalid(`column '${key}' has ${length} rows; the others have ${rows}`);
    rows = length;
    given[index] = column;
  }
  if (rows === undefined) throw invalid('insertColumns needs at least one column');
  const count = rows;
  let slabBytes = 0;
  for (const source of given) {
    const values = source === undefined ? undefined : valuesOf(source);
    if (values !== undefined && !Array.isArray(values)) slabBytes += CopySlab.bytesFor(values as TypedColumn);
  }
  const slab = new CopySlab(slabBytes);
  const columns = schema.columns.map((column, index): BatchColumn => {
    const source = given[index];
    if (source === undefined) {
      const fill: Value = column.defaultValue ?? toColumnValue(null, column.dataType);
      return { kind: 'values', values: new Array<Value>(count).fill(fill) };
    }
    if (isTyped(source)) return typedColumn(column, source, undefined, count, slab);
    if (Array.isArray(source)) return arrayColumn(column, source);
    const { values, nulls } = source as { values: TypedColumn; nulls?: Uint8Array };
    return typedColumn(column, values, nulls, count, slab);
  });
  return { columns, rows: count };
}
