/**
 * Builds a frozen volume from rows (stoolap `VolumeBuilder`, spec §5.7): `addRow` takes
 * plain JS values per the codec mapping (`toColumnValue`); `addBatch` appends typed
 * columns in bulk without touching rows one by one. `finish()` / `finishAsync()` compute
 * the metadata (zone maps, stats, sorted flags, bloom filters, row groups) from the
 * columns, exactly as stoolap would for the same rows.
 *
 * Preconditions stoolap relies on and we enforce (ERR_INVALID_ARGUMENT): row ids strictly
 * ascending; values of the column's type (stoolap stores a zero for a mismatch — we refuse
 * it); timestamps inside the i64-nanosecond range (stoolap wraps — we refuse, ERR_LIMIT).
 */
import { DataType, dataTypeName } from '../codec/data-type';
import { FloatBits, Timestamp, TypedNull, toColumnValue, type Value } from '../codec/values';
import { PermafrostError } from '../errors';
import { callNative } from '../native';
import type { ColumnData } from './column-data';
import { columnKinds, kindForDataType } from './column-kind';
import { Growable } from './growable';
import { summarizeVolume, summarizeVolumeAsync, type FrozenVolume } from './volume-summary';
import { extensionBytes, timestampNanos } from './volume-value';

/** The part of a table schema a volume needs (`TableSchema` from the codec fits). */
export interface VolumeSchema {
  readonly columns: readonly { readonly name: string; readonly dataType: DataType }[];
}

/** One column of a bulk batch. Plain arrays of values are converted one by one. */
export type ColumnInput =
  | { readonly values: BigInt64Array; readonly nulls?: Uint8Array | undefined }
  | { readonly values: Float64Array; readonly nulls?: Uint8Array | undefined }
  | { readonly values: Uint8Array; readonly nulls?: Uint8Array | undefined }
  | { readonly dictionary: readonly string[]; readonly ids: Uint32Array; readonly nulls?: Uint8Array | undefined }
  | readonly unknown[];

export interface ColumnBatch {
  /** Strictly ascending, and above every row id added before. */
  readonly rowIds: BigInt64Array;
  readonly columns: readonly ColumnInput[];
}

export interface AddBatchOptions {
  /**
   * Take the batch's typed arrays instead of copying them, when the builder is still
   * empty (later batches are copied): no copy and no fresh memory to fault in. The builder
   * may then change them in place — values of NULL rows zeroed, booleans made 0 / 1, text
   * ids re-numbered into first-appearance order — and the caller must not use or modify
   * them afterwards. @default false
   */
  readonly transfer?: boolean;
}

export interface VolumeBuilderOptions {
  /** Rows to allocate room for up front. @default 1024 */
  readonly capacityRows?: number;
}

const I64_MAX = (1n << 63n) - 1n;
const invalid = (what: string): PermafrostError => new PermafrostError('ERR_INVALID_ARGUMENT', what);

/** Storage for one column while rows arrive. */
class ColumnBuilder {
  readonly nulls: Growable<Uint8Array>;
  readonly kind: number;
  int?: Growable<BigInt64Array>;
  float?: Growable<Float64Array>;
  bool?: Growable<Uint8Array>;
  ids?: Growable<Uint32Array>;
  readonly dictionary: string[] = [];
  readonly dictionaryIds = new Map<string, number>();
  readonly payloads: Uint8Array[] = [];
  first: Value | undefined;

  constructor(readonly name: string, readonly dataType: DataType, capacity: number) {
    this.kind = kindForDataType(dataType);
    this.nulls = new Growable((n) => new Uint8Array(n), capacity);
    const k = columnKinds();
    if (this.kind === k.INT64 || this.kind === k.TIMESTAMP) this.int = new Growable((n) => new BigInt64Array(n), capacity);
    else if (this.kind === k.FLOAT64) this.float = new Growable((n) => new Float64Array(n), capacity);
    else if (this.kind === k.BOOLEAN) this.bool = new Growable((n) => new Uint8Array(n), capacity);
    else if (this.kind === k.DICTIONARY) this.ids = new Growable((n) => new Uint32Array(n), capacity);
  }

  #mismatch(value: unknown): PermafrostError {
    const shown = typeof value === 'object' && value !== null ? value.constructor.name : typeof value;
    return invalid(`column '${this.name}' cannot store a ${shown} value`);
  }

  dictionaryId(text: string): number {
    let id = this.dictionaryIds.get(text);
    if (id === undefined) {
      id = this.dictionary.length;
      this.dictionary.push(text);
      this.dictionaryIds.set(text, id);
    }
    return id;
  }

  /** Appends one converted value (NULL rows hold the kind's zero value). */
  push(value: Value): void {
    const at = this.nulls.reserve(1);
    const isNull = value === null || value instanceof TypedNull;
    this.nulls.array[at] = isNull ? 1 : 0;
    if (this.int) {
      const slot = this.int.reserve(1);
      if (isNull) return;
      if (this.dataType === DataType.Timestamp && value instanceof Timestamp) this.int.array[slot] = timestampNanos(value);
      else if (this.dataType === DataType.Integer && typeof value === 'bigint') this.int.array[slot] = value;
      else throw this.#mismatch(value);
    } else if (this.float) {
      const slot = this.float.reserve(1);
      if (isNull) return;
      if (typeof value === 'number') this.float.array[slot] = value;
      else if (value instanceof FloatBits) new BigUint64Array(this.float.array.buffer, slot * 8, 1)[0] = value.bits;
      else throw this.#mismatch(value);
    } else if (this.bool) {
      const slot = this.bool.reserve(1);
      if (isNull) return;
      if (typeof value !== 'boolean') throw this.#mismatch(value);
      this.bool.array[slot] = value ? 1 : 0;
    } else if (this.ids) {
      const slot = this.ids.reserve(1);
      if (isNull) return;
      if (typeof value !== 'string') throw this.#mismatch(value);
      this.ids.array[slot] = this.dictionaryId(value);
    } else {
      const bytes = isNull ? undefined : extensionBytes(value);
      if (!isNull && bytes === undefined) throw this.#mismatch(value);
      this.payloads.push(bytes === undefined ? new Uint8Array(0) : bytes.subarray(1));
      if (bytes !== undefined) this.first ??= value;
    }
  }

  /**
   * Appends a typed batch column of `rows` rows (copied, or taken over with `transfer` into
   * an empty column; the per-row passes are native and work in place on what is kept).
   */
  append(input: ColumnInput, rows: number, transfer: boolean): void {
    if (Array.isArray(input)) {
      if (input.length !== rows) throw invalid(`column '${this.name}' has ${input.length} values for ${rows} rows`);
      for (const item of input) this.push(toColumnValue(item, this.dataType));
      return;
    }
    const typed = input as Exclude<ColumnInput, readonly unknown[]>;
    const nulls = typed.nulls;
    if (nulls !== undefined && nulls.length !== rows) throw invalid(`column '${this.name}' has ${nulls.length} null flags for ${rows} rows`);
    const expect = (ok: boolean, what: string): void => {
      if (!ok) throw invalid(`column '${this.name}' (${dataTypeName(this.dataType)}) needs ${what} of ${rows} rows`);
    };
    let target: BigInt64Array | Float64Array | Uint8Array | undefined;
    let base = 0;
    const take = transfer && this.nulls.length === 0;
    const bytes = (a: ArrayBufferView): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
    if ('dictionary' in typed) {
      expect(this.ids !== undefined && typed.ids.length === rows, '{ dictionary, ids }');
      this.#appendDictionary(typed.dictionary, typed.ids, nulls ?? new Uint8Array(rows), take);
    } else if (this.int) {
      expect(typed.values instanceof BigInt64Array && typed.values.length === rows, 'a BigInt64Array');
      base = this.int.length;
      if (take) this.int.adopt(typed.values as BigInt64Array);
      else this.int.append(typed.values as BigInt64Array);
      target = this.int.array;
    } else if (this.float) {
      expect(typed.values instanceof Float64Array && typed.values.length === rows, 'a Float64Array');
      base = this.float.length;
      if (take) this.float.adopt(typed.values as Float64Array);
      else this.float.append(typed.values as Float64Array);
      target = this.float.array;
    } else if (this.bool) {
      expect(typed.values instanceof Uint8Array && typed.values.length === rows, 'a Uint8Array of 0/1');
      const values = typed.values as Uint8Array;
      if (take) {
        this.bool.adopt(values);
        callNative((b) => b.volumeNormalizeBooleansInPlace(bytes(values)));
      } else {
        base = this.bool.reserve(rows);
        const array = this.bool.array;
        callNative((b) => b.volumeNormalizeBooleans(values, Buffer.from(array.buffer, array.byteOffset + base, rows)));
      }
      target = this.bool.array;
    } else {
      expect(false, 'an array of values');
    }
    if (nulls === undefined) {
      this.nulls.reserve(rows); // reserved elements are zero: not NULL
      return;
    }
    if (take) this.nulls.adopt(nulls);
    else this.nulls.append(nulls);
    if (target !== undefined) {
      // stoolap stores the kind's zero value in NULL rows; bulk inputs may hold anything there.
      const width = target.BYTES_PER_ELEMENT;
      callNative((b) => b.volumeZeroNullRows(nulls, Buffer.from(target.buffer, target.byteOffset + base * width, rows * width), width));
    }
  }

  /** Re-numbers a batch dictionary into this column's first-appearance order (in place when taken). */
  #appendDictionary(dictionary: readonly string[], ids: Uint32Array, nulls: Uint8Array, take: boolean): void {
    let at: number;
    if (take) {
      this.ids!.adopt(ids);
      at = 0;
    } else {
      at = this.ids!.reserve(ids.length);
    }
    const out = this.ids!.array;
    // Known strings keep their id; the native pass numbers the others in order of first
    // appearance (a batch dictionary that repeats a string takes the row-by-row path).
    const remap = new Int32Array(dictionary.length);
    const seen = new Set<string>();
    for (let id = 0; id < dictionary.length; id += 1) {
      const text = dictionary[id]!;
      seen.add(text);
      remap[id] = this.dictionaryIds.get(text) ?? -1;
    }
    if (seen.size !== dictionary.length) {
      this.#appendDictionaryByRow(dictionary, take ? ids.slice() : ids, nulls, at);
      return;
    }
    const newIds = new Uint32Array(dictionary.length);
    const bytes = (a: Int32Array | Uint32Array, offset = 0, length = a.length): Buffer => Buffer.from(a.buffer, a.byteOffset + offset * 4, length * 4);
    const added = take
      ? callNative((b) => b.volumeRemapDictionaryIdsInPlace(bytes(out), nulls, bytes(remap), this.dictionary.length, bytes(newIds)))
      : callNative((b) => b.volumeRemapDictionaryIds(bytes(ids), nulls, bytes(remap), this.dictionary.length, bytes(out, at, ids.length), bytes(newIds)));
    if (added < 0) {
      const row = -added - 1;
      throw invalid(`column '${this.name}': id ${ids[row]} at row ${row} is outside the batch dictionary`);
    }
    for (let k = 0; k < added; k += 1) this.dictionaryId(dictionary[newIds[k]!]!);
  }

  #appendDictionaryByRow(dictionary: readonly string[], ids: Uint32Array, nulls: Uint8Array, at: number): void {
    const remap = new Int32Array(dictionary.length).fill(-1);
    const out = this.ids!.array;
    for (let i = 0; i < ids.length; i += 1) {
      if (nulls[i] !== 0) {
        out[at + i] = 0; // a taken ids array holds the batch's own id there
        continue;
      }
      const id = ids[i]!;
      if (id >= dictionary.length) throw invalid(`column '${this.name}': id ${id} at row ${i} is outside the batch dictionary`);
      let mapped = remap[id]!;
      if (mapped < 0) mapped = remap[id] = this.dictionaryId(dictionary[id]!);
      out[at + i] = mapped;
    }
  }

  finish(): ColumnData {
    const nulls = this.nulls.view();
    if (this.int) return { form: this.dataType === DataType.Timestamp ? 'timestamp' : 'int64', kind: this.kind, nulls, values: this.int.view() };
    if (this.float) return { form: 'float64', kind: this.kind, nulls, values: this.float.view() };
    if (this.bool) return { form: 'boolean', kind: this.kind, nulls, values: this.bool.view() };
    if (this.ids) return { form: 'dictionary', kind: this.kind, nulls, ids: this.ids.view(), dictionary: this.dictionary };
    return { form: 'bytes', kind: this.kind, nulls, extType: this.dataType, payloads: this.payloads, first: this.first };
  }
}

export class VolumeBuilder {
  readonly #schema: readonly { readonly name: string; readonly dataType: DataType }[];
  readonly #columns: ColumnBuilder[];
  readonly #rowIds: Growable<BigInt64Array>;
  #finished = false;

  constructor(schema: VolumeSchema, options: VolumeBuilderOptions = {}) {
    const capacity = options.capacityRows ?? 1024;
    this.#schema = schema.columns.map(({ name, dataType }) => ({ name, dataType }));
    this.#columns = this.#schema.map((c) => new ColumnBuilder(c.name, c.dataType, capacity));
    this.#rowIds = new Growable((n) => new BigInt64Array(n), capacity);
  }

  get rowCount(): number {
    return this.#rowIds.length;
  }

  #checkOpen(): void {
    if (this.#finished) throw new PermafrostError('ERR_CLOSED', 'the volume builder has already finished');
  }

  #lastRowId(): bigint | undefined {
    return this.#rowIds.length === 0 ? undefined : this.#rowIds.array[this.#rowIds.length - 1];
  }

  /** Adds one row; missing trailing values are NULL. Values are converted per column type. */
  addRow(rowId: bigint | number, row: readonly unknown[]): this {
    this.#checkOpen();
    const id = typeof rowId === 'bigint' ? rowId : Number.isSafeInteger(rowId) ? BigInt(rowId) : undefined;
    if (id === undefined || id < -I64_MAX - 1n || id > I64_MAX) throw invalid(`row id ${String(rowId)} is not an i64`);
    const last = this.#lastRowId();
    if (last !== undefined && id <= last) throw invalid(`row id ${id} does not follow ${last}: row ids must be strictly ascending`);
    if (row.length > this.#columns.length) throw invalid(`row has ${row.length} values for ${this.#columns.length} columns`);
    const values = this.#columns.map((column, c) => toColumnValue(row[c], column.dataType));
    try {
      this.#columns.forEach((column, c) => column.push(values[c]!));
    } catch (error) {
      this.#poison();
      throw error;
    }
    this.#rowIds.array[this.#rowIds.reserve(1)] = id;
    return this;
  }

  /** A failed append may leave columns of different lengths: the builder cannot go on. */
  #poison(): void {
    this.#finished = true;
  }

  /**
   * Appends typed columns in bulk (no per-row JS objects for typed inputs). With
   * `{ transfer: true }` the first batch's typed arrays are taken instead of copied (see
   * `AddBatchOptions`).
   */
  addBatch(batch: ColumnBatch, options: AddBatchOptions = {}): this {
    this.#checkOpen();
    const rows = batch.rowIds.length;
    if (batch.columns.length !== this.#columns.length) throw invalid(`batch has ${batch.columns.length} columns; the schema has ${this.#columns.length}`);
    const bytes = new Uint8Array(batch.rowIds.buffer, batch.rowIds.byteOffset, batch.rowIds.byteLength);
    const unordered = callNative((b) => b.volumeFirstUnorderedI64(bytes, true));
    if (unordered >= 0) throw invalid(`batch row id at index ${unordered} is not above the one before it`);
    const last = this.#lastRowId();
    if (rows > 0 && last !== undefined && batch.rowIds[0]! <= last) throw invalid(`batch starts at row id ${batch.rowIds[0]}, not above ${last}`);
    try {
      this.#columns.forEach((column, c) => column.append(batch.columns[c]!, rows, options.transfer === true));
    } catch (error) {
      this.#poison();
      throw error;
    }
    if (options.transfer === true && this.#rowIds.length === 0) this.#rowIds.adopt(batch.rowIds);
    else this.#rowIds.append(batch.rowIds);
    return this;
  }

  #take(): { rowIds: BigInt64Array; columns: ColumnData[] } {
    this.#checkOpen();
    this.#finished = true;
    if (this.#rowIds.length >= 2 ** 32) throw new PermafrostError('ERR_LIMIT', `${this.#rowIds.length} rows exceed a volume's u32 row counts`);
    return { rowIds: this.#rowIds.view(), columns: this.#columns.map((c) => c.finish()) };
  }

  /** Freezes the rows into a volume, computing its metadata on the calling thread. */
  finish(): FrozenVolume {
    const { rowIds, columns } = this.#take();
    return summarizeVolume(this.#schema, rowIds, columns);
  }

  /** `finish()` with the per-column passes running in parallel on the libuv pool. */
  finishAsync(): Promise<FrozenVolume> {
    const { rowIds, columns } = this.#take();
    return summarizeVolumeAsync(this.#schema, rowIds, columns);
  }
}

export type { FrozenVolume };
