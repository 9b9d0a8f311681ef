import test from 'ava';
import { decodeRowVersion, encodeRowVersion, Json, PermafrostError, Timestamp, TypedNull, DataType, type RowVersion } from '../../ts/index';
import { bytes, f64, i64, str32, u32 } from '../helpers/bytes';

const MAGIC = '5256320000000080';

const version: RowVersion = {
  txnId: 123n,
  deletedAtTxnId: 0n,
  createTime: 0n,
  values: [100n, 'test', true],
};

/** Written out by hand from spec §4.3: magic, txn, deleted-at, create time, count, slots. */
const encoded = bytes(
  MAGIC,
  i64(123n),
  i64(0n),
  i64(0n),
  u32(3),
  u32(9), 2, i64(100n),
  u32(9), 4, str32('test'),
  u32(2), 1, 1,
);

test('a v2 RowVersion encodes to the bytes of spec §4.3', (t) => {
  t.deepEqual(encodeRowVersion(version), encoded);
});

test('a v2 RowVersion decodes from the bytes of spec §4.3', (t) => {
  t.deepEqual(decodeRowVersion(encoded), version);
});

test('the v2 magic is "RV2\\0" followed by 00 00 00 80', (t) => {
  t.deepEqual(encodeRowVersion(version).subarray(0, 8), bytes(MAGIC));
});

test('a v1 RowVersion (txn, deleted-at, row id, create time) decodes, ignoring its row id', (t) => {
  const v1 = bytes(i64(7n), i64(9n), i64(555n), i64(42n), u32(1), u32(9), 3, f64(1.5));
  t.deepEqual(decodeRowVersion(v1), { txnId: 7n, deletedAtTxnId: 9n, createTime: 42n, values: [1.5] });
});

test('a deleted version keeps its deleted-at txn', (t) => {
  const deleted = { ...version, deletedAtTxnId: 123n };
  t.is(decodeRowVersion(encodeRowVersion(deleted)).deletedAtTxnId, 123n);
});

test('every value kind round-trips inside a RowVersion', (t) => {
  const rich: RowVersion = {
    txnId: -1n,
    deletedAtTxnId: 0n,
    createTime: 1_774_097_320_739_000_000n,
    values: [null, TypedNull.of(DataType.Float), -0, 'x', new Json('{}'), new Timestamp(-5n, 1), Float32Array.of(0.5)],
  };
  const decoded = decodeRowVersion(encodeRowVersion(rich));
  t.deepEqual(decoded, rich);
  t.true(Object.is(decoded.values[2], -0));
});

test('an empty row round-trips', (t) => {
  const empty = { txnId: 1n, deletedAtTxnId: 0n, createTime: 0n, values: [] };
  t.deepEqual(decodeRowVersion(encodeRowVersion(empty)), empty);
});

test('fewer than 32 bytes is truncated', (t) => {
  t.throws<PermafrostError>(() => decodeRowVersion(new Uint8Array(31)), { code: 'ERR_TRUNCATED' });
});

test('every truncation of a RowVersion is an error with a code', (t) => {
  for (let length = 0; length < encoded.length; length += 1) {
    const error = t.throws<PermafrostError>(() => decodeRowVersion(encoded.subarray(0, length)), { instanceOf: PermafrostError });
    t.true(['ERR_TRUNCATED', 'ERR_LIMIT'].includes(error!.code), `length ${length}: ${error!.code}`);
  }
});

test('a value count that cannot fit in the remaining bytes is refused before allocating', (t) => {
  const bomb = bytes(MAGIC, i64(1n), i64(0n), i64(0n), 'ffffffff');
  const error = t.throws<PermafrostError>(() => decodeRowVersion(bomb), { code: 'ERR_LIMIT' });
  t.is(error!.offset, 32);
});

test('a value slot longer than the input is truncated at that slot', (t) => {
  const bad = bytes(MAGIC, i64(1n), i64(0n), i64(0n), u32(1), u32(100), 2, i64(1n));
  const error = t.throws<PermafrostError>(() => decodeRowVersion(bad), { code: 'ERR_TRUNCATED' });
  t.is(error!.offset, 40);
});

test('an error inside a value slot reports the offset within the row', (t) => {
  const bad = bytes(MAGIC, i64(1n), i64(0n), i64(0n), u32(1), u32(2), 99, 0);
  const error = t.throws<PermafrostError>(() => decodeRowVersion(bad), { code: 'ERR_UNKNOWN_TAG' });
  t.is(error!.offset, 40);
});

test('an empty value slot is truncated', (t) => {
  const bad = bytes(MAGIC, i64(1n), i64(0n), i64(0n), u32(1), u32(0));
  t.throws<PermafrostError>(() => decodeRowVersion(bad), { code: 'ERR_TRUNCATED' });
});
