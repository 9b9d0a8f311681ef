import test from 'ava';
import { ByteWriter, DataType, dataTypeOf, FloatBits, isNull, Json, PermafrostError, Timestamp, toColumnValue, toValue, TypedNull } from '../../ts/index';

test('null in a typed column becomes that type\'s NULL', (t) => {
  t.is(toColumnValue(null, DataType.Integer), TypedNull.of(DataType.Integer));
  t.is(toColumnValue(undefined, DataType.Text), TypedNull.of(DataType.Text));
});

test('a safe-integer number in an Integer column becomes a bigint', (t) => {
  t.is(toColumnValue(42, DataType.Integer), 42n);
});

test('a fractional or unsafe number is refused for an Integer column', (t) => {
  t.throws<PermafrostError>(() => toColumnValue(1.5, DataType.Integer), { code: 'ERR_INVALID_ARGUMENT' });
  t.throws<PermafrostError>(() => toColumnValue(2 ** 53, DataType.Integer), { code: 'ERR_INVALID_ARGUMENT' });
});

test('a Date in a Timestamp column keeps its milliseconds', (t) => {
  t.deepEqual(toColumnValue(new Date(1_500), DataType.Timestamp), new Timestamp(1n, 500_000_000));
});

test('any JSON-serialisable value in a Json column becomes its JSON text', (t) => {
  t.deepEqual(toColumnValue({ a: [1, 'b'] }, DataType.Json), new Json('{"a":[1,"b"]}'));
});

test('a number array in a Vector column becomes a Float32Array', (t) => {
  t.deepEqual(toColumnValue([1, 2], DataType.Vector), Float32Array.of(1, 2));
});

test('a value of the wrong kind for its column is refused with the column type named', (t) => {
  const error = t.throws<PermafrostError>(() => toColumnValue('x', DataType.Boolean), { code: 'ERR_INVALID_ARGUMENT' });
  t.regex(error!.message, /Boolean column/);
});

test('without a schema, a plain object is ambiguous and refused', (t) => {
  t.throws<PermafrostError>(() => toValue({ a: 1 }), { code: 'ERR_INVALID_ARGUMENT' });
});

test('without a schema, an integer outside i64 is refused', (t) => {
  t.throws<PermafrostError>(() => toValue(1n << 64n), { code: 'ERR_INVALID_ARGUMENT' });
});

test('dataTypeOf names the type each JS value maps to', (t) => {
  t.is(dataTypeOf(1n), DataType.Integer);
  t.is(dataTypeOf(1), DataType.Float);
  t.is(dataTypeOf('s'), DataType.Text);
  t.is(dataTypeOf(null), DataType.Null);
  t.is(dataTypeOf(TypedNull.of(DataType.Json)), DataType.Json);
  t.is(dataTypeOf(new FloatBits(0x7ff0_0000_0000_0001n)), DataType.Float);
  t.is(dataTypeOf(Float32Array.of(1)), DataType.Vector);
});

test('isNull covers both NULL forms', (t) => {
  t.true(isNull(null));
  t.true(isNull(TypedNull.of(DataType.Float)));
  t.false(isNull(0));
});

test('Timestamp.fromEpochNanos floors negative times like chrono', (t) => {
  t.deepEqual(Timestamp.fromEpochNanos(-1_500_000_000n), new Timestamp(-2n, 500_000_000));
});

test('Timestamp epochNanos round-trips', (t) => {
  t.is(Timestamp.fromEpochNanos(1_774_097_320_739_000_001n).epochNanos, 1_774_097_320_739_000_001n);
});

test('Timestamp prints RFC 3339 with nanoseconds', (t) => {
  t.is(new Timestamp(1_774_097_320n, 739_000_001).toISOString(), '2026-03-21T12:48:40.739000001Z');
});

test('Timestamp refuses nanos outside a second (except a leap second)', (t) => {
  t.throws<PermafrostError>(() => new Timestamp(0n, 1_000_000_000), { code: 'ERR_INVALID_ARGUMENT' });
  t.notThrows(() => new Timestamp(59n, 1_000_000_000));
});

test('FloatBits keeps the value of its bit pattern', (t) => {
  t.is(new FloatBits(0x3ff0_0000_0000_0000n).value, 1);
});

test('ByteWriter refuses a length that does not fit its field instead of truncating it', (t) => {
  t.throws<PermafrostError>(() => new ByteWriter().u16(65_536, 'name length'), { code: 'ERR_LIMIT' });
  t.throws<PermafrostError>(() => new ByteWriter().string16('x'.repeat(65_536), 'name'), { code: 'ERR_LIMIT' });
});

test('ByteWriter grows across many writes without losing bytes', (t) => {
  const writer = new ByteWriter(16);
  for (let index = 0; index < 1000; index += 1) writer.u32(index);
  const view = writer.view();
  t.is(view.length, 4000);
  t.is(view.readUInt32LE(3996), 999);
  t.is(view.readUInt32LE(0), 0);
});
