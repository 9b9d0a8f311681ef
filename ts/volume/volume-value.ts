/**
 * The "volume value" encoding of zone maps and stats (spec §5.4). Its tags mirror the
 * DataType codes — a third numbering, unlike the WAL's (§4.2).
 *
 * | tag | value     | bytes after the tag                                             |
 * |-----|-----------|-----------------------------------------------------------------|
 * | 0   | NULL      | u8 DataType hint                                                |
 * | 1   | Integer   | i64                                                             |
 * | 2   | Float     | f64                                                             |
 * | 3   | Text      | u32 len + UTF-8                                                 |
 * | 4   | Boolean   | u8 0/1                                                          |
 * | 5   | Timestamp | i64 nanoseconds since the epoch                                 |
 * | 6   | Extension | u32 len + extension bytes, the first being the DataType code    |
 *
 * Unknown tags and hints are errors (stoolap maps an unknown hint to Null).
 */
import { ByteReader } from '../codec/byte-reader';
import { ByteWriter, encodeUtf8 } from '../codec/byte-writer';
import { DataType, dataTypeFromByte } from '../codec/data-type';
import { Extension, FloatBits, Json, Timestamp, TypedNull, type Value } from '../codec/values';
import { PermafrostError } from '../errors';

const I64_MIN = -(1n << 63n);
const I64_MAX = (1n << 63n) - 1n;
const CANONICAL_NAN_BITS = 0x7ff8000000000000n;

/** Nanoseconds of a timestamp as an i64; volumes cannot hold anything outside ≈1677–2262. */
export function timestampNanos(value: Timestamp): bigint {
  const nanos = value.epochNanos;
  if (nanos < I64_MIN || nanos > I64_MAX) {
    throw new PermafrostError('ERR_LIMIT', `timestamp ${value.toISOString()} is outside the i64 nanosecond range a volume can store`);
  }
  return nanos;
}

/** The NULL placeholder with a DataType hint (hint 0 is plain `null`). */
export function nullOf(dataType: DataType): Value {
  return dataType === DataType.Null ? null : TypedNull.of(dataType);
}

/** The in-memory extension bytes of a value (type byte + payload), or undefined if not one. */
export function extensionBytes(value: Value): Uint8Array | undefined {
  if (value instanceof Json) return concatType(DataType.Json, encodeUtf8(value.text, 'JSON text'));
  if (value instanceof Float32Array) {
    return concatType(DataType.Vector, new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
  }
  if (value instanceof Extension) return concatType(value.dataType, value.bytes);
  return undefined;
}

function concatType(dataType: DataType, payload: Uint8Array): Uint8Array {
  const bytes = new Uint8Array(payload.length + 1);
  bytes[0] = dataType;
  bytes.set(payload, 1);
  return bytes;
}

/** The JS value of extension bytes (type byte + payload): Json, Float32Array or Extension. */
export function extensionValue(dataType: DataType, payload: Uint8Array): Value {
  if (dataType === DataType.Json) {
    try {
      return new Json(new TextDecoder('utf-8', { fatal: true }).decode(payload));
    } catch {
      return new Extension(dataType, Uint8Array.from(payload));
    }
  }
  if (dataType === DataType.Vector && payload.length % 4 === 0) {
    const copy = new Uint8Array(payload);
    return new Float32Array(copy.buffer, 0, copy.length / 4);
  }
  return new Extension(dataType, Uint8Array.from(payload));
}

export function writeVolumeValue(writer: ByteWriter, value: Value): void {
  if (value === null) {
    writer.u8(0).u8(DataType.Null);
  } else if (value instanceof TypedNull) {
    writer.u8(0).u8(value.dataType);
  } else if (typeof value === 'bigint') {
    writer.u8(1).i64(value, 'integer');
  } else if (typeof value === 'number') {
    writer.u8(2).f64(value);
  } else if (value instanceof FloatBits) {
    writer.u8(2).u64(value.bits, 'float bits');
  } else if (typeof value === 'string') {
    writer.u8(3).string32(value, 'text value');
  } else if (typeof value === 'boolean') {
    writer.u8(4).u8(value ? 1 : 0);
  } else if (value instanceof Timestamp) {
    writer.u8(5).i64(timestampNanos(value), 'timestamp');
  } else {
    const bytes = extensionBytes(value)!;
    writer.u8(6).u32(bytes.length, 'extension length').bytes(bytes);
  }
}

export function readVolumeValue(reader: ByteReader): Value {
  const at = reader.offset;
  const tag = reader.u8('value tag');
  switch (tag) {
    case 0:
      return nullOf(dataTypeFromByte(reader.u8('NULL type hint'), reader.offset - 1, 'NULL type hint'));
    case 1:
      return reader.i64('integer value');
    case 2: {
      const bitsAt = reader.offset;
      const bits = reader.u64('float value');
      const value = new DataView(reader.bytes.buffer, reader.bytes.byteOffset + bitsAt, 8).getFloat64(0, true);
      return Number.isNaN(value) && bits !== CANONICAL_NAN_BITS ? new FloatBits(bits) : value;
    }
    case 3:
      return reader.string32('text value');
    case 4:
      return reader.u8('boolean value') !== 0;
    case 5:
      return Timestamp.fromEpochNanos(reader.i64('timestamp value'));
    case 6: {
      const length = reader.u32('extension length');
      const bytes = reader.bytesView(length, 'extension bytes');
      if (length === 0) throw new PermafrostError('ERR_CORRUPT', 'extension value has no type byte', { offset: at });
      return extensionValue(dataTypeFromByte(bytes[0]!, at + 5, 'extension type'), bytes.subarray(1));
    }
    default:
      throw new PermafrostError('ERR_UNKNOWN_TAG', `unknown volume value tag ${tag} (known: 0-6)`, { offset: at });
  }
}
