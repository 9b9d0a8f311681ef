import test from 'ava';
import {
  DataType,
  decodeValue,
  encodeValueToBuffer,
  Extension,
  FloatBits,
  Json,
  PermafrostError,
  Timestamp,
  TypedNull,
  type Value,
} from '../../ts/index';
import { bytes, f64, i64, str32, u32 } from '../helpers/bytes';

/** Each current-form value with the exact bytes stoolap's `serialize_value_into` writes. */
const VECTORS: Array<[string, Value, Buffer]> = [
  ['untyped NULL', null, bytes('00 00')],
  ['typed NULL (Integer)', TypedNull.of(DataType.Integer), bytes('00 01')],
  ['typed NULL (Vector)', TypedNull.of(DataType.Vector), bytes('00 07')],
  ['true', true, bytes('01 01')],
  ['false', false, bytes('01 00')],
  ['integer 42', 42n, bytes(2, i64(42n))],
  ['integer i64 min', -(1n << 63n), bytes(2, '0000000000000080')],
  ['integer i64 max', (1n << 63n) - 1n, bytes(2, 'ffffffffffffff7f')],
  ['float 3.5', 3.5, bytes(3, f64(3.5))],
  ['float -0', -0, bytes(3, '0000000000000080')],
  ['float infinity', Infinity, bytes(3, '000000000000f07f')],
  ['canonical NaN', NaN, bytes(3, '000000000000f87f')],
  ['text', 'héllo', bytes(4, str32('héllo'))],
  ['empty text', '', bytes(4, u32(0))],
  ['text beyond the BMP', '𝄞 clef', bytes(4, str32('𝄞 clef'))],
  ['timestamp with nanos', new Timestamp(1_774_097_320n, 739_000_123), bytes(8, i64(1_774_097_320n), u32(739_000_123))],
  ['timestamp before 1970', Timestamp.fromEpochNanos(-1n), bytes(8, i64(-1n), u32(999_999_999))],
  ['json', new Json('{"key": "value"}'), bytes(6, str32('{"key": "value"}'))],
  ['vector', Float32Array.of(1, -2.5), bytes(10, u32(2), '0000803f', '000020c0')],
  ['empty vector', new Float32Array(0), bytes(10, u32(0))],
  ['extension (Integer payload)', new Extension(DataType.Integer, Uint8Array.of(1, 2, 3)), bytes(11, 1, u32(3), '010203')],
  ['non-canonical NaN bits', new FloatBits(0x7ff0_0000_0000_0001n), bytes(3, '010000000000f07f')],
];

for (const [name, value, encoded] of VECTORS) {
  test(`${name} encodes to stoolap's bytes`, (t) => {
    t.deepEqual(encodeValueToBuffer(value), encoded);
  });

  test(`${name} decodes from stoolap's bytes and re-encodes identically`, (t) => {
    const decoded = decodeValue(encoded);
    t.deepEqual(encodeValueToBuffer(decoded), encoded);
    if (typeof value === 'number' && Number.isNaN(value)) t.true(Number.isNaN(decoded as number));
    else t.deepEqual(decoded, value);
  });

  test(`every truncation of ${name} is an error with a code, never a wrong value`, (t) => {
    for (let length = 0; length < encoded.length; length += 1) {
      const prefix = encoded.subarray(0, length);
      if (length === 1 && encoded[0] === 0) {
        t.is(decodeValue(prefix), null, 'a NULL tag without its hint byte is an untyped NULL (spec §4.2)');
        continue;
      }
      const error = t.throws<PermafrostError>(() => decodeValue(prefix), { instanceOf: PermafrostError }, `length ${length}`);
      t.true(['ERR_TRUNCATED', 'ERR_CORRUPT'].includes(error!.code), `length ${length}: ${error!.code}`);
    }
  });
}

test('a typed NULL decodes to the same frozen singleton', (t) => {
  t.is(decodeValue(bytes('00 03')), TypedNull.of(DataType.Text));
  t.true(Object.isFrozen(TypedNull.of(DataType.Text)));
});

test('a NULL tag without its hint byte is an untyped NULL', (t) => {
  t.is(decodeValue(bytes('00')), null);
});

test('any non-zero boolean byte reads as true', (t) => {
  t.is(decodeValue(bytes('01 7f')), true);
});

test('legacy RFC 3339 timestamps (tag 5) decode with nanoseconds and offsets', (t) => {
  const decoded = decodeValue(bytes(5, str32('2026-03-21T13:48:40.123456789+01:00')));
  t.deepEqual(decoded, new Timestamp(1_774_097_320n, 123_456_789));
});

test('legacy timestamps re-encode in the binary form (tag 8)', (t) => {
  const decoded = decodeValue(bytes(5, str32('1970-01-01T00:00:01Z')));
  t.deepEqual(encodeValueToBuffer(decoded), bytes(8, i64(1n), u32(0)));
});

test('an unparseable legacy timestamp is corrupt', (t) => {
  t.throws<PermafrostError>(() => decodeValue(bytes(5, str32('yesterday'))), { code: 'ERR_CORRUPT' });
});

test('legacy vectors (tag 9) decode to Float32Array and re-encode as tag 10', (t) => {
  const decoded = decodeValue(bytes(9, u32(1), '0000803f'));
  t.deepEqual(decoded, Float32Array.of(1));
  t.deepEqual(encodeValueToBuffer(decoded), bytes(10, u32(1), '0000803f'));
});

test('vector elements keep their exact bit patterns (signalling NaN payload)', (t) => {
  const decoded = decodeValue(bytes(10, u32(1), '0100807f')) as Float32Array;
  t.deepEqual(Buffer.from(decoded.buffer), bytes('0100807f'));
});

test('a generic JSON extension (tag 11, type 6) is the same value as tag 6', (t) => {
  const decoded = decodeValue(bytes(11, 6, str32('[1,2]')));
  t.deepEqual(decoded, new Json('[1,2]'));
  t.deepEqual(encodeValueToBuffer(decoded), bytes(6, str32('[1,2]')));
});

test('a generic vector extension (tag 11, type 7) is a Float32Array', (t) => {
  t.deepEqual(decodeValue(bytes(11, 7, u32(4), '0000803f')), Float32Array.of(1));
});

test("a vector extension of odd length keeps stoolap's dim = floor(len/4) quirk on encode", (t) => {
  const decoded = decodeValue(bytes(11, 7, u32(5), '0000803f09'));
  t.deepEqual(decoded, new Extension(DataType.Vector, Uint8Array.from(bytes('0000803f09'))));
  t.deepEqual(encodeValueToBuffer(decoded), bytes(10, u32(1), '0000803f09'));
});

test('a JSON extension with invalid UTF-8 is corrupt', (t) => {
  t.throws<PermafrostError>(() => decodeValue(bytes(11, 6, u32(1), 'ff')), { code: 'ERR_CORRUPT' });
});

test('text with invalid UTF-8 is corrupt and names the offset of the text', (t) => {
  const error = t.throws<PermafrostError>(() => decodeValue(bytes(4, u32(2), 'c328')), { code: 'ERR_CORRUPT' });
  t.is(error!.offset, 5);
});

test('json with invalid UTF-8 is corrupt', (t) => {
  t.throws<PermafrostError>(() => decodeValue(bytes(6, u32(1), '80')), { code: 'ERR_CORRUPT' });
});

for (const tag of [7, 12, 13, 0x80, 0xff]) {
  test(`value tag ${tag} is unknown`, (t) => {
    const error = t.throws<PermafrostError>(() => decodeValue(bytes(tag, '0000000000000000')), { code: 'ERR_UNKNOWN_TAG' });
    t.is(error!.offset, 0);
  });
}

test('an unknown NULL type hint is an unknown tag, not a silent Null', (t) => {
  t.throws<PermafrostError>(() => decodeValue(bytes('00 08')), { code: 'ERR_UNKNOWN_TAG' });
});

test('an unknown extension type is an unknown tag', (t) => {
  t.throws<PermafrostError>(() => decodeValue(bytes(11, 9, u32(0))), { code: 'ERR_UNKNOWN_TAG' });
});

test('a text length beyond the input is truncated, not an allocation', (t) => {
  const error = t.throws<PermafrostError>(() => decodeValue(bytes(4, 'ffffffff', '"abc"')), { code: 'ERR_TRUNCATED' });
  t.regex(error!.message, /4294967295 bytes but only 3 remain/);
});

test('a vector dimension beyond the input is truncated', (t) => {
  t.throws<PermafrostError>(() => decodeValue(bytes(10, 'ffffffff')), { code: 'ERR_TRUNCATED' });
});

test('timestamp nanos of 2e9 or more are corrupt', (t) => {
  t.throws<PermafrostError>(() => decodeValue(bytes(8, i64(0n), u32(2_000_000_000))), { code: 'ERR_CORRUPT' });
});

test('timestamp nanos in [1e9, 2e9) are a leap second only at second 59', (t) => {
  t.deepEqual(decodeValue(bytes(8, i64(59n), u32(1_500_000_000))), new Timestamp(59n, 1_500_000_000));
  t.throws<PermafrostError>(() => decodeValue(bytes(8, i64(58n), u32(1_500_000_000))), { code: 'ERR_CORRUPT' });
});

test('timestamp seconds outside chrono range are corrupt', (t) => {
  t.throws<PermafrostError>(() => decodeValue(bytes(8, i64(1n << 62n), u32(0))), { code: 'ERR_CORRUPT' });
});

test('bytes after a complete value inside its slot are ignored, as stoolap does', (t) => {
  t.is(decodeValue(bytes(2, i64(7n), 'deadbeef')), 7n);
});

test('an empty slot is truncated', (t) => {
  t.throws<PermafrostError>(() => decodeValue(new Uint8Array(0)), { code: 'ERR_TRUNCATED' });
});

test('encoding refuses an integer outside i64', (t) => {
  t.throws<PermafrostError>(() => encodeValueToBuffer(1n << 63n), { code: 'ERR_LIMIT' });
});

test('encoding refuses text with a lone surrogate', (t) => {
  t.throws<PermafrostError>(() => encodeValueToBuffer('\ud800'), { code: 'ERR_INVALID_ARGUMENT' });
});
