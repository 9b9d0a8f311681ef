import test from 'ava';
import {
  DataType,
  decodeIndexMetadata,
  DistanceMetric,
  encodeIndexMetadata,
  IndexType,
  PermafrostError,
  type IndexMetadata,
} from '../../ts/index';
import { bytes, i32, str16, u16 } from '../helpers/bytes';

/** The CreateIndex payload observed in the stoolap fixture (spec §4.5). */
const fixtureBytes = bytes('0d00', '"idx_users_age"', '0500', '"users"', '0100', '0300', '"age"', '03000000', '0100', '01', '00', '00');
const fixtureIndex: IndexMetadata = {
  name: 'idx_users_age',
  tableName: 'users',
  columnNames: ['age'],
  columnIds: [3],
  dataTypes: [DataType.Integer],
  isUnique: false,
  indexType: IndexType.BTree,
  hnsw: undefined,
};

test('the fixture CreateIndex payload decodes as spec §4.5 describes', (t) => {
  t.deepEqual(decodeIndexMetadata(fixtureBytes), fixtureIndex);
});

test('the fixture index re-encodes to the same bytes', (t) => {
  t.deepEqual(encodeIndexMetadata(fixtureIndex), fixtureBytes);
});

for (const [name, indexType] of Object.entries(IndexType)) {
  test(`index type ${name} round-trips`, (t) => {
    const index = { ...fixtureIndex, indexType, isUnique: true, hnsw: indexType === IndexType.Hnsw ? { m: 8, efConstruction: 100, efSearch: 32, distanceMetric: DistanceMetric.Cosine } : undefined };
    t.deepEqual(decodeIndexMetadata(encodeIndexMetadata(index)), index);
  });
}

test('HNSW parameters follow the type byte: m, ef_construction, ef_search, metric', (t) => {
  const index = { ...fixtureIndex, indexType: IndexType.Hnsw, hnsw: { m: 16, efConstruction: 200, efSearch: 64, distanceMetric: DistanceMetric.InnerProduct } };
  t.deepEqual(encodeIndexMetadata(index).subarray(fixtureBytes.length - 1), bytes(5, u16(16), u16(200), u16(64), 2));
});

test("an HNSW index without parameters is written with stoolap's defaults 16/200/64/L2", (t) => {
  const encoded = encodeIndexMetadata({ ...fixtureIndex, indexType: IndexType.Hnsw, hnsw: undefined });
  t.deepEqual(encoded.subarray(fixtureBytes.length - 1), bytes(5, u16(16), u16(200), u16(64), 0));
});

test('an older HNSW record without parameters decodes with none', (t) => {
  const older = Buffer.concat([fixtureBytes.subarray(0, -1), Buffer.of(5)]);
  t.is(decodeIndexMetadata(older).hnsw, undefined);
});

test('the older forms without unique flag and type decode as non-unique BTree', (t) => {
  const oldest = fixtureBytes.subarray(0, -2);
  t.deepEqual(decodeIndexMetadata(oldest), fixtureIndex);
  t.deepEqual(decodeIndexMetadata(fixtureBytes.subarray(0, -1)), fixtureIndex);
});

test('a multi-column index keeps names, ids and types in order', (t) => {
  const index: IndexMetadata = {
    ...fixtureIndex,
    name: 'idx_multi',
    columnNames: ['a', 'b'],
    columnIds: [0, -1],
    dataTypes: [DataType.Text, DataType.Timestamp],
    indexType: IndexType.MultiColumn,
  };
  const encoded = encodeIndexMetadata(index);
  t.deepEqual(encoded, bytes(str16('idx_multi'), str16('users'), u16(2), str16('a'), str16('b'), i32(0), i32(-1), u16(2), 3, 5, 0, 3));
  t.deepEqual(decodeIndexMetadata(encoded), index);
});

test('an unknown index type is an unknown tag, not a silent BTree', (t) => {
  const error = t.throws<PermafrostError>(() => decodeIndexMetadata(Buffer.concat([fixtureBytes.subarray(0, -1), Buffer.of(4)])), { code: 'ERR_UNKNOWN_TAG' });
  t.is(error!.offset, fixtureBytes.length - 1);
});

test('an unknown data type byte is an unknown tag', (t) => {
  const bad = Buffer.from(fixtureBytes);
  bad[fixtureBytes.length - 3] = 8;
  t.throws<PermafrostError>(() => decodeIndexMetadata(bad), { code: 'ERR_UNKNOWN_TAG' });
});

test('an unknown HNSW distance metric is an unknown tag', (t) => {
  const bad = Buffer.concat([fixtureBytes.subarray(0, -1), bytes(5, u16(1), u16(1), u16(1), 3)]);
  t.throws<PermafrostError>(() => decodeIndexMetadata(bad), { code: 'ERR_UNKNOWN_TAG' });
});

test('partial HNSW parameters are truncated', (t) => {
  for (let extra = 1; extra < 7; extra += 1) {
    const bad = Buffer.concat([fixtureBytes.subarray(0, -1), Buffer.of(5), Buffer.alloc(extra)]);
    t.throws<PermafrostError>(() => decodeIndexMetadata(bad), { code: 'ERR_TRUNCATED' }, `${extra} bytes`);
  }
});

test('every cut before the optional unique flag is an error with a code', (t) => {
  for (let length = 0; length < fixtureBytes.length - 2; length += 1) {
    const error = t.throws<PermafrostError>(() => decodeIndexMetadata(fixtureBytes.subarray(0, length)), { instanceOf: PermafrostError });
    t.true(['ERR_TRUNCATED', 'ERR_LIMIT'].includes(error!.code), `length ${length}: ${error!.code}`);
  }
});

test('a column count that cannot fit is refused before allocating', (t) => {
  t.throws<PermafrostError>(() => decodeIndexMetadata(bytes(str16('i'), str16('t'), 'ffff')), { code: 'ERR_LIMIT' });
});

test('encoding refuses names and ids of different lengths', (t) => {
  t.throws<PermafrostError>(() => encodeIndexMetadata({ ...fixtureIndex, columnIds: [] }), { code: 'ERR_INVALID_ARGUMENT' });
});
