/**
 * The value encoding of WAL rows, snapshot rows and schema defaults (spec §4.2,
 * `serialize_value_into` / `deserialize_value` in stoolap's persistence.rs). These tags are
 * NOT DataType codes; volumes use yet another numbering (§5.4).
 *
 * | tag | value                          | bytes after the tag                                   |
 * |-----|--------------------------------|-------------------------------------------------------|
 * | 0   | NULL                           | u8 DataType hint (absent ⇒ untyped NULL)              |
 * | 1   | Boolean                        | u8 (non-zero = true; written as 0/1)                  |
 * | 2   | Integer                        | i64                                                   |
 * | 3   | Float                          | f64 bit pattern                                       |
 * | 4   | Text                           | u32 len + UTF-8                                       |
 * | 5   | Timestamp (legacy, read only)  | u32 len + RFC 3339 text                               |
 * | 6   | Json                           | u32 len + UTF-8                                       |
 * | 8   | Timestamp                      | i64 seconds (floor) + u32 sub-second nanos            |
 * | 9   | Vector (legacy, read only)     | u32 dim + dim × f32                                   |
 * | 10  | Vector                         | u32 dim + dim × f32 LE                                |
 * | 11  | other extension                | u8 DataType + u32 len + payload                       |
 *
 * Tag 7 and tags ≥ 12 are errors. Bytes after a complete value inside its length-delimited
 * slot are ignored, as stoolap ignores them. The encoder writes what stoolap writes for the
 * same in-memory value (`Extension` with type Json → tag 6, Vector → tag 10, else tag 11).
 */
import { PermafrostError } from '../errors';
import { ByteReader } from './byte-reader';
import { ByteWriter } from './byte-writer';
import { DataType, dataTypeFromByte } from './data-type';
import { native } from '../native';
import { parseRfc3339 } from './rfc3339';
import { Extension, FloatBits, Json, Timestamp, TypedNull, type Value } from './values';

const n = native();

/** Value tags (defined once in crates/core/src/constants.rs). */
export const ValueTag = Object.freeze({
  Null: n.VALUE_TAG_NULL,
  Boolean: n.VALUE_TAG_BOOLEAN,
  Integer: n.VALUE_TAG_INTEGER,
  Float: n.VALUE_TAG_FLOAT,
  Text: n.VALUE_TAG_TEXT,
  LegacyTimestamp: n.VALUE_TAG_LEGACY_TIMESTAMP,
  Json: n.VALUE_TAG_JSON,
  Timestamp: n.VALUE_TAG_TIMESTAMP,
  LegacyVector: n.VALUE_TAG_LEGACY_VECTOR,
  Vector: n.VALUE_TAG_VECTOR,
  Extension: n.VALUE_TAG_EXTENSION,
});

/** Raw bytes of a Float32Array; every platform we build for is little-endian. */
function float32Bytes(vector: Float32Array): Uint8Array {
  return new Uint8Array(vector.buffer, vector.byteOffset, vector.byteLength);
}

const CANONICAL_NAN_BITS = 0x7ff8_0000_0000_0000n;

/** Appends the encoding of `value` to `writer`. */
export function encodeValue(value: Value, writer: ByteWriter): void {
  if (value === null) {
    writer.u8(ValueTag.Null).u8(DataType.Null);
    return;
  }
  switch (typeof value) {
    case 'boolean':
      writer.u8(ValueTag.Boolean).u8(value ? 1 : 0);
      return;
    case 'bigint':
      writer.u8(ValueTag.Integer).i64(value, 'integer value');
      return;
    case 'number':
      writer.u8(ValueTag.Float).f64(value);
      return;
    case 'string':
      writer.u8(ValueTag.Text).string32(value, 'text value');
      return;
    default:
      break;
  }
  if (value instanceof TypedNull) {
    writer.u8(ValueTag.Null).u8(value.dataType);
  } else if (value instanceof Timestamp) {
    writer.u8(ValueTag.Timestamp).i64(value.seconds, 'timestamp seconds').u32(value.nanos, 'timestamp nanos');
  } else if (value instanceof Json) {
    writer.u8(ValueTag.Json).string32(value.text, 'json value');
  } else if (value instanceof Float32Array) {
    writer.u8(ValueTag.Vector).u32(value.length, 'vector dimension').bytes(float32Bytes(value));
  } else if (value instanceof FloatBits) {
    writer.u8(ValueTag.Float).u64(value.bits, 'float bits');
  } else if (value instanceof Extension) {
    encodeExtension(value, writer);
  } else {
    throw new PermafrostError('ERR_INVALID_ARGUMENT', `not a stoolap value: ${String(value)}`);
  }
}

/** Mirrors stoolap's dispatch on the extension's type byte (including its Vector quirk:
 * dim = floor(len / 4), then the whole payload). */
function encodeExtension(value: Extension, writer: ByteWriter): void {
  const payload = value.bytes;
  if (value.dataType === DataType.Json) {
    writer.u8(ValueTag.Json).u32(payload.length, 'json length').bytes(payload);
  } else if (value.dataType === DataType.Vector) {
    writer.u8(ValueTag.Vector).u32(Math.floor(payload.length / 4), 'vector dimension').bytes(payload);
  } else {
    writer.u8(ValueTag.Extension).u8(value.dataType).u32(payload.length, 'extension length').bytes(payload);
  }
}

/** The encoding of one value as a new Buffer. */
export function encodeValueToBuffer(value: Value): Buffer {
  const writer = new ByteWriter(16);
  encodeValue(value, writer);
  return writer.toBuffer();
}

function decodeFloat(reader: ByteReader): number | FloatBits {
  const at = reader.offset;
  const value = reader.f64('float value');
  if (!Number.isNaN(value)) return value; // the common case needs no BigInt work
  // A NaN other than the canonical one keeps its exact bits (JS would canonicalise them).
  const bits = new DataView(reader.bytes.buffer, reader.bytes.byteOffset + at, 8).getBigUint64(0, true);
  return bits === CANONICAL_NAN_BITS ? value : new FloatBits(bits);
}

/**
 * Copies f32 bytes into a fresh, exactly sized ArrayBuffer: Float32Array needs 4-byte
 * alignment, and the input (often a pooled Buffer, whose `slice` is only a view) must not
 * be kept alive or shared.
 */
function vectorFromBytes(view: Uint8Array): Float32Array {
  return new Float32Array(new Uint8Array(view).buffer);
}

function decodeVector(reader: ByteReader, what: string): Float32Array {
  const at = reader.offset;
  const dimension = reader.u32(`${what} dimension`);
  if (dimension * 4 > reader.remaining) {
    throw new PermafrostError(
      'ERR_TRUNCATED',
      `${what} of dimension ${dimension} needs ${dimension * 4} bytes but only ${reader.remaining} remain`,
      { offset: at },
    );
  }
  return vectorFromBytes(reader.bytesView(dimension * 4, what));
}

function decodeTimestamp(reader: ByteReader): Timestamp {
  const at = reader.offset;
  const seconds = reader.i64('timestamp seconds');
  const nanos = reader.u32('timestamp nanos');
  try {
    return new Timestamp(seconds, nanos);
  } catch (error) {
    throw new PermafrostError('ERR_CORRUPT', `invalid timestamp (${seconds} s, ${nanos} ns)`, { offset: at, cause: error });
  }
}

function decodeExtension(reader: ByteReader): Value {
  const typeAt = reader.offset;
  const dataType = dataTypeFromByte(reader.u8('extension type'), typeAt, 'extension type');
  const length = reader.u32('extension length');
  const payload = reader.bytesView(length, 'extension payload');
  if (dataType === DataType.Json) {
    return new Json(new ByteReader(payload).utf8(length, 'json extension payload'));
  }
  if (dataType === DataType.Vector && length % 4 === 0) {
    return vectorFromBytes(payload);
  }
  return new Extension(dataType, new Uint8Array(payload));
}

/** Decodes the value at the reader's position (one tag and its payload). */
export function readValue(reader: ByteReader): Value {
  const tagAt = reader.offset;
  const tag = reader.u8('value tag');
  switch (tag) {
    case ValueTag.Null: {
      if (reader.remaining === 0) return null;
      const hintAt = reader.offset;
      const hint = dataTypeFromByte(reader.u8('null type hint'), hintAt, 'NULL type hint');
      return hint === DataType.Null ? null : TypedNull.of(hint);
    }
    case ValueTag.Boolean:
      return reader.u8('boolean value') !== 0;
    case ValueTag.Integer:
      return reader.i64('integer value');
    case ValueTag.Float:
      return decodeFloat(reader);
    case ValueTag.Text:
      return reader.string32('text value');
    case ValueTag.LegacyTimestamp: {
      const textAt = reader.offset + 4;
      const text = reader.string32('legacy timestamp');
      const parsed = parseRfc3339(text);
      if (parsed === undefined) {
        throw new PermafrostError('ERR_CORRUPT', `invalid RFC 3339 timestamp '${text}'`, { offset: textAt });
      }
      return parsed;
    }
    case ValueTag.Json:
      return new Json(reader.string32('json value'));
    case ValueTag.Timestamp:
      return decodeTimestamp(reader);
    case ValueTag.LegacyVector:
      return decodeVector(reader, 'legacy vector');
    case ValueTag.Vector:
      return decodeVector(reader, 'vector');
    case ValueTag.Extension:
      return decodeExtension(reader);
    default:
      throw new PermafrostError('ERR_UNKNOWN_TAG', `unknown value tag ${tag}`, { offset: tagAt });
  }
}

/** Decodes one value slot (trailing bytes after the value are ignored, as in stoolap). */
export function decodeValue(bytes: Uint8Array): Value {
  if (bytes.length === 0) throw new PermafrostError('ERR_TRUNCATED', 'empty value', { offset: 0 });
  return readValue(new ByteReader(bytes));
}

