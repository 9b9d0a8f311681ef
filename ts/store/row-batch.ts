/**
 * A batch of inserted rows held as columns: what `Transaction.insertColumns` builds and what
 * the table keeps as hot rows after commit (hot-rows.ts), so a bulk insert never makes a JS
 * object per row. Rows are materialised (`values`) only when something reads one.
 *
 * Invariants: row ids are strictly ascending; every column has `length` rows; the arrays are
 * the batch's own copies (callers may reuse theirs at once). A row can be hidden (deleted, or
 * replaced by a newer version held elsewhere); hidden rows are never visible and are dropped
 * by `compact`. Nothing else ever changes.
 *
 * The WAL sees a batch through `walColumns()` (ts/wal/row-columns.ts): the same bytes the row
 * path would log for the same values, framed in one native call.
 */
import { DataType } from '../codec/data-type';
import type { TableSchema } from '../codec/schema';
import { encodeValueToBuffer } from '../codec/value-codec';
import { Json, Timestamp, TypedNull, type Value } from '../codec/values';
import { PermafrostError } from '../errors';
import { RowColumnKind, type RowColumns } from '../wal/row-columns';

/** One column of a batch: a typed array with optional NULL flags, or plain stored values. */
export type BatchColumn =
  | { readonly kind: 'int64'; readonly values: BigInt64Array; readonly nulls: Uint8Array | undefined }
  | { readonly kind: 'float64'; readonly values: Float64Array; readonly nulls: Uint8Array | undefined }
  /** Nanoseconds since the epoch. */
  | { readonly kind: 'timestamp'; readonly values: BigInt64Array; readonly nulls: Uint8Array | undefined }
  /** 0 = false, anything else = true. */
  | { readonly kind: 'boolean'; readonly values: Uint8Array; readonly nulls: Uint8Array | undefined }
  | { readonly kind: 'values'; readonly values: readonly Value[] };

const EMPTY = new Uint8Array(0);

function bytesOf(array: ArrayBufferView): Uint8Array {
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}

/** `values` of a TEXT or JSON column as UTF-8 + offsets, or undefined when some value is not of that shape. */
function textColumn(values: readonly Value[], dataType: DataType): { bytes: Uint8Array; offsets: Uint32Array; nulls: Uint8Array | undefined } | undefined {
  const rows = values.length;
  const parts = new Array<string>(rows);
  let nulls: Uint8Array | undefined;
  for (let row = 0; row < rows; row += 1) {
    const value = values[row];
    if (typeof value === 'string' && dataType === DataType.Text) parts[row] = value;
    else if (value instanceof Json && dataType === DataType.Json) parts[row] = value.text;
    else if (value instanceof TypedNull && value.dataType === dataType) {
      (nulls ??= new Uint8Array(rows))[row] = 1;
      parts[row] = '';
    } else return undefined;
  }
  const joined = parts.join('');
  const bytes = Buffer.from(joined, 'utf8');
  const offsets = new Uint32Array(rows + 1);
  // One byte per UTF-16 unit means pure ASCII: no surrogates, and lengths are byte lengths.
  const ascii = bytes.length === joined.length;
  let end = 0;
  for (let row = 0; row < rows; row += 1) {
    const part = parts[row]!;
    if (!ascii && !part.isWellFormed()) throw new PermafrostError('ERR_INVALID_ARGUMENT', `row ${row}: text contains a lone surrogate`);
    end += ascii ? part.length : Buffer.byteLength(part, 'utf8');
    offsets[row + 1] = end;
  }
  return { bytes, offsets, nulls };
}

/** Any values, each encoded as spec §4.2 says, back to back. */
function encodedColumn(values: readonly Value[]): { bytes: Uint8Array; offsets: Uint32Array } {
  const encoded = values.map((value) => encodeValueToBuffer(value));
  const offsets = new Uint32Array(values.length + 1);
  let end = 0;
  encoded.forEach((bytes, row) => {
    end += bytes.length;
    offsets[row + 1] = end;
  });
  return { bytes: Buffer.concat(encoded, end), offsets };
}

export class RowBatch {
  readonly rowIds: BigInt64Array;
  readonly columns: readonly BatchColumn[];
  readonly dataTypes: readonly DataType[];
  readonly firstId: bigint;
  readonly lastId: bigint;
  /** Row ids are consecutive: the position of an id is `id - firstId`. */
  readonly #dense: boolean;
  #hidden: Uint8Array | undefined;
  #hiddenCount = 0;
  #wal: RowColumns | undefined;

  /** `rowIds` must be strictly ascending and as long as every column (checked by the caller). */
  constructor(schema: TableSchema, rowIds: BigInt64Array, columns: readonly BatchColumn[]) {
    if (rowIds.length === 0) throw new PermafrostError('ERR_INTERNAL', 'a row batch needs at least one row');
    this.rowIds = rowIds;
    this.columns = columns;
    this.dataTypes = schema.columns.map((column) => column.dataType);
    this.firstId = rowIds[0]!;
    this.lastId = rowIds[rowIds.length - 1]!;
    this.#dense = this.lastId - this.firstId === BigInt(rowIds.length - 1);
  }

  get length(): number {
    return this.rowIds.length;
  }

  /** Rows not hidden. */
  get liveCount(): number {
    return this.rowIds.length - this.#hiddenCount;
  }

  /** Position of `rowId` whether hidden or not, or −1. */
  #position(rowId: bigint): number {
    if (rowId < this.firstId || rowId > this.lastId) return -1;
    if (this.#dense) return Number(rowId - this.firstId);
    let low = 0;
    let high = this.rowIds.length - 1;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      const at = this.rowIds[middle]!;
      if (at === rowId) return middle;
      if (at < rowId) low = middle + 1;
      else high = middle - 1;
    }
    return -1;
  }

  /** Position of `rowId`, or −1 when the batch does not hold it (or it is hidden). */
  indexOf(rowId: bigint): number {
    const index = this.#position(rowId);
    return index >= 0 && this.#hidden !== undefined && this.#hidden[index] !== 0 ? -1 : index;
  }

  /** True when the batch holds `rowId`, hidden or not. */
  contains(rowId: bigint): boolean {
    return this.#position(rowId) >= 0;
  }

  isHidden(index: number): boolean {
    return this.#hidden !== undefined && this.#hidden[index] !== 0;
  }

  /** Hides the row at `index` (deleted, or superseded by a version kept elsewhere). */
  hide(index: number): void {
    this.#hidden ??= new Uint8Array(this.rowIds.length);
    if (this.#hidden[index] !== 0) return;
    this.#hidden[index] = 1;
    this.#hiddenCount += 1;
  }

  /** The stored values of the row at `index`, in schema order (a new array). */
  values(index: number): Value[] {
    const row = new Array<Value>(this.columns.length);
    for (let column = 0; column < this.columns.length; column += 1) row[column] = this.value(column, index);
    return row;
  }

  /** The stored value of one cell. */
  value(column: number, index: number): Value {
    const source = this.columns[column]!;
    if (source.kind === 'values') return source.values[index]!;
    if (source.nulls !== undefined && source.nulls[index] !== 0) return TypedNull.of(this.dataTypes[column]!);
    switch (source.kind) {
      case 'int64':
        return source.values[index]!;
      case 'float64':
        return source.values[index]!;
      case 'timestamp':
        return Timestamp.fromEpochNanos(source.values[index]!);
      case 'boolean':
        return source.values[index] !== 0;
    }
  }

  /** Visible rows as [row id, values], ascending. */
  *entries(): Generator<[bigint, Value[]]> {
    for (let index = 0; index < this.rowIds.length; index += 1) {
      if (!this.isHidden(index)) yield [this.rowIds[index]!, this.values(index)];
    }
  }

  /** This batch without its hidden rows (itself when none is hidden; undefined when all are). */
  compact(schema: TableSchema): RowBatch | undefined {
    if (this.#hiddenCount === 0) return this;
    if (this.liveCount === 0) return undefined;
    const keep: number[] = [];
    for (let index = 0; index < this.rowIds.length; index += 1) if (!this.isHidden(index)) keep.push(index);
    const pick = <T extends BigInt64Array | Float64Array | Uint8Array>(array: T): T => {
      const out = new (array.constructor as new (length: number) => T)(keep.length);
      keep.forEach((from, to) => (out[to] = array[from]!));
      return out;
    };
    const columns = this.columns.map(
      (column): BatchColumn =>
        column.kind === 'values'
          ? { kind: 'values', values: keep.map((index) => column.values[index]!) }
          : ({ kind: column.kind, values: pick(column.values), nulls: column.nulls && pick(column.nulls) } as BatchColumn),
    );
    return new RowBatch(schema, pick(this.rowIds), columns);
  }

  /** Row ids as i64 LE bytes. */
  get rowIdBytes(): Uint8Array {
    return bytesOf(this.rowIds);
  }

  /** The columns laid out for the WAL (computed once). Hidden rows are included: compact first. */
  walColumns(): RowColumns {
    if (this.#wal !== undefined) return this.#wal;
    const count = this.columns.length;
    const kinds = new Uint8Array(count);
    const nullTypes = new Uint8Array(count);
    const buffers: Uint8Array[] = [];
    this.columns.forEach((column, index) => {
      const dataType = this.dataTypes[index]!;
      nullTypes[index] = dataType;
      if (column.kind !== 'values') {
        kinds[index] = { int64: RowColumnKind.Int64, float64: RowColumnKind.Float64, timestamp: RowColumnKind.TimestampNanos, boolean: RowColumnKind.Boolean }[column.kind];
        buffers.push(column.nulls ?? EMPTY, bytesOf(column.values), EMPTY);
        return;
      }
      const text = dataType === DataType.Text || dataType === DataType.Json ? textColumn(column.values, dataType) : undefined;
      if (text !== undefined) {
        kinds[index] = dataType === DataType.Text ? RowColumnKind.Text : RowColumnKind.Json;
        buffers.push(text.nulls ?? EMPTY, text.bytes, bytesOf(text.offsets));
        return;
      }
      const encoded = encodedColumn(column.values);
      kinds[index] = RowColumnKind.Encoded;
      buffers.push(EMPTY, encoded.bytes, bytesOf(encoded.offsets));
    });
    this.#wal = { kinds, nullTypes, buffers };
    return this.#wal;
  }
}
