/**
 * How stoolap values look in JavaScript. The mapping round-trips exactly: decoding bytes and
 * encoding the result gives the bytes stoolap itself would write for that value.
 *
 * | stoolap value              | JS value                                  | notes |
 * |----------------------------|-------------------------------------------|-------|
 * | Null (untyped, hint 0)     | `null`                                    | |
 * | Null(DataType t), t ≠ 0    | `TypedNull.of(t)` (frozen singletons)     | with a schema, plain `null` is accepted and typed by the column |
 * | Boolean                    | `boolean`                                 | |
 * | Integer (i64)              | `bigint` in [-2^63, 2^63)                 | with a schema, a safe-integer `number` is accepted |
 * | Float (f64)                | `number` (−0 kept)                        | a NaN whose bit pattern is not the canonical quiet NaN decodes to `FloatBits` so its payload survives |
 * | Text                       | `string`                                  | UTF-8 on disk; lone surrogates are refused |
 * | Timestamp                  | `Timestamp` (seconds: bigint, nanos)      | nanosecond precision; `Date` accepted on input |
 * | Json                       | `Json` (the exact text)                   | with a schema, any JSON-serialisable value is accepted |
 * | Vector (f32 elements)      | `Float32Array`                            | bit-exact; with a schema, `number[]` is accepted |
 * | other extension (type, bytes) | `Extension`                            | |
 */
import { PermafrostError } from '../errors';
import { DataType, dataTypeName, isDataType } from './data-type';

const NANOS_PER_SECOND = 1_000_000_000n;
/** chrono's DateTime<Utc> range (years −262143 … 262142), which stoolap's reader enforces. */
export const TIMESTAMP_SECONDS_MIN = -8_334_632_851_200n;
export const TIMESTAMP_SECONDS_MAX = 8_210_298_412_799n;
/** The range a `Timestamp` can hold, in whole seconds since the epoch. */
export const TIMESTAMP_BOUNDS = Object.freeze({ secondsMin: TIMESTAMP_SECONDS_MIN, secondsMax: TIMESTAMP_SECONDS_MAX });

/** A typed SQL NULL: NULL that remembers the column type it belongs to. */
export class TypedNull {
  static readonly #instances: readonly TypedNull[] = Object.freeze(
    Array.from({ length: 8 }, (_, code) => Object.freeze(new TypedNull(code as DataType))),
  );

  private constructor(readonly dataType: DataType) {}

  /** The NULL of type `dataType` (the same frozen object every time). */
  static of(dataType: DataType): TypedNull {
    const found = TypedNull.#instances[dataType];
    if (found === undefined) throw new PermafrostError('ERR_INVALID_ARGUMENT', `no DataType ${String(dataType)}`);
    return found;
  }

  toString(): string {
    return `NULL(${dataTypeName(this.dataType)})`;
  }
}

/**
 * A point in time with nanosecond precision, as stoolap stores it in the WAL: whole seconds
 * since the Unix epoch (floor) and a sub-second part. `nanos` is below 1e9, except for a
 * leap second (chrono's representation: nanos in [1e9, 2e9) when seconds % 60 == 59).
 */
export class Timestamp {
  readonly seconds: bigint;
  readonly nanos: number;

  constructor(seconds: bigint, nanos = 0) {
    if (typeof seconds !== 'bigint' || !Number.isInteger(nanos) || nanos < 0 || nanos >= 2e9) {
      throw new PermafrostError('ERR_INVALID_ARGUMENT', `invalid timestamp parts (${String(seconds)}, ${nanos})`);
    }
    if (nanos >= 1e9 && ((seconds % 60n) + 60n) % 60n !== 59n) {
      throw new PermafrostError('ERR_INVALID_ARGUMENT', `timestamp nanos ${nanos} ≥ 1e9 outside a leap second`);
    }
    if (seconds < TIMESTAMP_SECONDS_MIN || seconds > TIMESTAMP_SECONDS_MAX) {
      throw new PermafrostError('ERR_INVALID_ARGUMENT', `timestamp seconds ${seconds} outside years -262143..262142`);
    }
    this.seconds = seconds;
    this.nanos = nanos;
    Object.freeze(this);
  }

  /** From nanoseconds since the epoch (as volumes store timestamps). */
  static fromEpochNanos(epochNanos: bigint): Timestamp {
    let seconds = epochNanos / NANOS_PER_SECOND;
    let nanos = epochNanos % NANOS_PER_SECOND;
    if (nanos < 0n) {
      seconds -= 1n;
      nanos += NANOS_PER_SECOND;
    }
    return new Timestamp(seconds, Number(nanos));
  }

  /** From milliseconds since the epoch. */
  static fromMillis(epochMillis: number): Timestamp {
    if (!Number.isFinite(epochMillis)) throw new PermafrostError('ERR_INVALID_ARGUMENT', `invalid time ${epochMillis}`);
    const whole = Math.floor(epochMillis);
    const subMillisNanos = Math.round((epochMillis - whole) * 1e6);
    return Timestamp.fromEpochNanos(BigInt(whole) * 1_000_000n + BigInt(subMillisNanos));
  }

  static fromDate(date: Date): Timestamp {
    return Timestamp.fromMillis(date.getTime());
  }

  /** Nanoseconds since the epoch (a leap second's extra second is included). */
  get epochNanos(): bigint {
    return this.seconds * NANOS_PER_SECOND + BigInt(this.nanos);
  }

  /** Milliseconds since the epoch, rounded down (loses sub-millisecond precision). */
  get epochMillis(): number {
    return Number(this.seconds * 1000n) + Math.floor(this.nanos / 1e6);
  }

  toDate(): Date {
    return new Date(this.epochMillis);
  }

  equals(other: Timestamp): boolean {
    return this.seconds === other.seconds && this.nanos === other.nanos;
  }

  /** RFC 3339 with nanoseconds, e.g. `2026-03-21T12:48:40.739000000Z` (years 0-9999). */
  toISOString(): string {
    const base = new Date(Number(this.seconds) * 1000).toISOString().slice(0, 19);
    return `${base}.${String(this.nanos % 1e9).padStart(9, '0')}Z`;
  }

  toString(): string {
    return this.toISOString();
  }
}

/** A JSON value, kept as the exact text stoolap stores. */
export class Json {
  constructor(readonly text: string) {
    if (typeof text !== 'string') throw new PermafrostError('ERR_INVALID_ARGUMENT', 'Json text must be a string');
    Object.freeze(this);
  }

  /** `JSON.stringify(value)` wrapped as a Json value. */
  static stringify(value: unknown): Json {
    const text = JSON.stringify(value);
    if (text === undefined) throw new PermafrostError('ERR_INVALID_ARGUMENT', 'value is not JSON-serialisable');
    return new Json(text);
  }

  parse(): unknown {
    return JSON.parse(this.text);
  }

  toString(): string {
    return this.text;
  }
}

/**
 * An extension value other than the canonical Json and Vector forms: the DataType byte and
 * the payload bytes stoolap keeps in memory (`Value::Extension`).
 */
export class Extension {
  readonly bytes: Uint8Array;

  constructor(readonly dataType: DataType, bytes: Uint8Array) {
    if (!isDataType(dataType)) throw new PermafrostError('ERR_INVALID_ARGUMENT', `no DataType ${String(dataType)}`);
    this.bytes = bytes;
    Object.freeze(this);
  }
}

/** A float whose exact 64-bit pattern must survive (non-canonical NaN payloads). */
export class FloatBits {
  constructor(readonly bits: bigint) {
    if (bits < 0n || bits >= 1n << 64n) throw new PermafrostError('ERR_INVALID_ARGUMENT', 'float bits must be a u64');
    Object.freeze(this);
  }

  get value(): number {
    const view = new DataView(new ArrayBuffer(8));
    view.setBigUint64(0, this.bits, true);
    return view.getFloat64(0, true);
  }
}

/** Any stoolap value, in its exact JS form. */
export type Value =
  | null
  | TypedNull
  | boolean
  | bigint
  | number
  | string
  | Timestamp
  | Json
  | Float32Array
  | Extension
  | FloatBits;

/** True for SQL NULL in either form (`null` or a `TypedNull`). */
export function isNull(value: Value): value is null | TypedNull {
  return value === null || value instanceof TypedNull;
}

/** The DataType a value carries (Null for untyped NULL). */
export function dataTypeOf(value: Value): DataType {
  if (value === null) return DataType.Null;
  switch (typeof value) {
    case 'boolean':
      return DataType.Boolean;
    case 'bigint':
      return DataType.Integer;
    case 'number':
      return DataType.Float;
    case 'string':
      return DataType.Text;
    default:
      break;
  }
  if (value instanceof TypedNull) return value.dataType;
  if (value instanceof Timestamp) return DataType.Timestamp;
  if (value instanceof Json) return DataType.Json;
  if (value instanceof Float32Array) return DataType.Vector;
  if (value instanceof Extension) return value.dataType;
  return DataType.Float;
}

const I64_MIN = -(1n << 63n);
const I64_MAX = (1n << 63n) - 1n;

function invalid(what: string): PermafrostError {
  return new PermafrostError('ERR_INVALID_ARGUMENT', what);
}

function describe(input: unknown): string {
  if (input === undefined) return 'undefined';
  if (typeof input === 'bigint') return `${input}n`;
  if (typeof input === 'object' && input !== null) return input.constructor?.name ?? 'object';
  return `${typeof input} ${String(input)}`;
}

/** Checks that `input` is already an exact `Value` (no schema to say what it means). */
export function toValue(input: unknown): Value {
  if (input === null || typeof input === 'boolean' || typeof input === 'number' || typeof input === 'string') {
    return input;
  }
  if (typeof input === 'bigint') {
    if (input < I64_MIN || input > I64_MAX) throw invalid(`integer ${input} does not fit in i64`);
    return input;
  }
  if (input instanceof Date) return Timestamp.fromDate(input);
  if (
    input instanceof TypedNull ||
    input instanceof Timestamp ||
    input instanceof Json ||
    input instanceof Float32Array ||
    input instanceof Extension ||
    input instanceof FloatBits
  ) {
    return input;
  }
  throw invalid(`${describe(input)} is not a stoolap value; wrap it (Json, Timestamp, ...) or give the column type`);
}

/** Not a closure inside `toColumnValue`: that would allocate on every call of a hot path. */
function mismatch(input: unknown, dataType: DataType): PermafrostError {
  return invalid(`${describe(input)} cannot be stored in a ${dataTypeName(dataType)} column`);
}

/**
 * Converts a plain JS value to the value stoolap stores in a column of type `dataType`.
 * `null` and `undefined` become that type's NULL; numbers become integers in Integer columns;
 * Dates become timestamps; objects become Json in Json columns; number arrays become vectors.
 */
export function toColumnValue(input: unknown, dataType: DataType): Value {
  if (input === null || input === undefined) return dataType === DataType.Null ? null : TypedNull.of(dataType);
  if (input instanceof TypedNull || input instanceof Extension || input instanceof FloatBits) return input;
  switch (dataType) {
    case DataType.Integer:
      if (typeof input === 'bigint') return toValue(input);
      if (typeof input === 'number' && Number.isSafeInteger(input)) return BigInt(input);
      throw mismatch(input, dataType);
    case DataType.Float:
      if (typeof input === 'number') return input;
      if (typeof input === 'bigint') return Number(input);
      throw mismatch(input, dataType);
    case DataType.Text:
      if (typeof input === 'string') return input;
      throw mismatch(input, dataType);
    case DataType.Boolean:
      if (typeof input === 'boolean') return input;
      throw mismatch(input, dataType);
    case DataType.Timestamp:
      if (input instanceof Timestamp) return input;
      if (input instanceof Date) return Timestamp.fromDate(input);
      throw mismatch(input, dataType);
    case DataType.Json:
      if (input instanceof Json) return input;
      return Json.stringify(input);
    case DataType.Vector:
      if (input instanceof Float32Array) return input;
      if (Array.isArray(input) && input.every((item) => typeof item === 'number')) return Float32Array.from(input);
      throw mismatch(input, dataType);
    default:
      return toValue(input);
  }
}
