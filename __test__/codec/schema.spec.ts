import test from 'ava';
import {
  column,
  DataType,
  decodeSchema,
  decodeSnapshotSchema,
  encodeSchema,
  encodeSnapshotSchema,
  ForeignKeyAction,
  PermafrostError,
  TypedNull,
  type TableSchema,
} from '../../ts/index';
import { bytes, i64, str16, u16 } from '../helpers/bytes';


const schema: TableSchema = {
  tableName: 'Orders',
  columns: [
    column('id', DataType.Integer, { nullable: false, primaryKey: true, autoIncrement: true }),
    column('embedding', DataType.Vector, { vectorDimensions: 3 }),
    column('status', DataType.Text, { defaultExpression: "'new'", checkExpression: "status <> ''", defaultValue: 'new' }),
    column('note', DataType.Text, { defaultValue: TypedNull.of(DataType.Text) }),
  ],
  foreignKeys: [
    {
      columnIndex: 0,
      columnName: 'id',
      referencedTable: 'customers',
      referencedColumn: 'id',
      onDelete: ForeignKeyAction.Cascade,
      onUpdate: ForeignKeyAction.NoAction,
    },
  ],
};

/** Written out by hand from spec §4.4. */
const encoded = bytes(
  str16('Orders'),
  u16(4),
  str16('id'), 1, 0, 1, 1, str16(''), str16(''),
  str16('embedding'), 7, u16(3), 1, 0, 0, str16(''), str16(''),
  str16('status'), 3, 1, 0, 0, str16("'new'"), str16("status <> ''"),
  str16('note'), 3, 1, 0, 0, str16(''), str16(''),
  u16(1),
  u16(0), str16('id'), str16('customers'), str16('id'), 1, 3,
  u16(4),
  u16(0),
  u16(0),
  u16(8), 4, '03000000', '"new"',
  u16(2), 0, 3,
);

test('a schema encodes to the CreateTable bytes of spec §4.4', (t) => {
  t.deepEqual(encodeSchema(schema), encoded);
});

test('a schema decodes from the CreateTable bytes of spec §4.4', (t) => {
  t.deepEqual(decodeSchema(encoded), schema);
});

test('the vector dimension field exists only for Vector columns', (t) => {
  const plain = encodeSchema({ tableName: 't', columns: [column('a', DataType.Integer)], foreignKeys: [] });
  t.deepEqual(plain, bytes(str16('t'), u16(1), str16('a'), 1, 1, 0, 0, str16(''), str16(''), u16(0), u16(1), u16(0)));
});

test('the oldest form (no optional fields, no sections) still decodes', (t) => {
  const old = bytes(str16('t'), u16(1), str16('a'), 1, 0, 1);
  t.deepEqual(decodeSchema(old), {
    tableName: 't',
    columns: [column('a', DataType.Integer, { nullable: false, primaryKey: true })],
    foreignKeys: [],
  });
});

test('a schema without the default section has no defaults', (t) => {
  const noDefaults = bytes(str16('t'), u16(1), str16('a'), 3, 1, 0, 0, str16(''), str16(''), u16(0));
  t.is(decodeSchema(noDefaults).columns[0]!.defaultValue, undefined);
});

test('a schema may end only where an optional part may be absent; any other cut is an error', (t) => {
  const noteAt = encoded.indexOf(Buffer.from('note'));
  const afterFlags = noteAt + 4 + 3; // name, type, nullable, primary key of the last column
  const afterColumns = afterFlags + 1 + 2 + 2; // auto-increment, two empty expressions
  const afterForeignKeys = afterColumns + 2 + 2 + 4 + 11 + 4 + 2;
  const valid = [afterFlags, afterFlags + 1, afterFlags + 3, afterColumns, afterForeignKeys];
  for (let length = 0; length < encoded.length; length += 1) {
    const prefix = encoded.subarray(0, length);
    if (valid.includes(length)) {
      t.notThrows(() => decodeSchema(prefix), `length ${length} is an older complete form`);
      continue;
    }
    const error = t.throws<PermafrostError>(() => decodeSchema(prefix), { instanceOf: PermafrostError }, `length ${length}`);
    t.true(['ERR_TRUNCATED', 'ERR_LIMIT', 'ERR_CORRUPT'].includes(error!.code), `length ${length}: ${error!.code}`);
  }
});

test('an unknown column type is an unknown tag at its offset', (t) => {
  const bad = bytes(str16('t'), u16(1), str16('a'), 9, 1, 0);
  const error = t.throws<PermafrostError>(() => decodeSchema(bad), { code: 'ERR_UNKNOWN_TAG' });
  t.is(error!.offset, 8);
});

test('an unknown foreign-key action is an unknown tag', (t) => {
  const bad = bytes(str16('t'), u16(1), str16('a'), 1, 1, 0, 0, str16(''), str16(''), u16(1), u16(0), str16('a'), str16('u'), str16('id'), 4, 0);
  t.throws<PermafrostError>(() => decodeSchema(bad), { code: 'ERR_UNKNOWN_TAG' });
});

test('more default values than columns is corrupt', (t) => {
  const bad = bytes(str16('t'), u16(1), str16('a'), 1, 1, 0, 0, str16(''), str16(''), u16(0), u16(2), u16(0), u16(0));
  t.throws<PermafrostError>(() => decodeSchema(bad), { code: 'ERR_CORRUPT' });
});

test('a column count that cannot fit is refused before decoding columns', (t) => {
  t.throws<PermafrostError>(() => decodeSchema(bytes(str16('t'), u16(0xffff))), { code: 'ERR_LIMIT' });
});

test('an invalid UTF-8 column name is corrupt', (t) => {
  t.throws<PermafrostError>(() => decodeSchema(bytes(str16('t'), u16(1), u16(1), 'ff', 1, 1, 0)), { code: 'ERR_CORRUPT' });
});

test('a snapshot schema carries created/updated times between columns and FKs (spec §3.4)', (t) => {
  const snapshot = { ...schema, createdAtNanos: 11n, updatedAtNanos: 22n };
  const raw = encodeSnapshotSchema(snapshot);
  t.deepEqual(decodeSnapshotSchema(raw), snapshot);
  t.true(raw.includes(Buffer.concat([i64(11n), i64(22n)])));
});

test('snapshot schemas require the per-column optional fields', (t) => {
  const old = bytes(str16('t'), u16(1), str16('a'), 1, 0, 1, i64(0n), i64(0n));
  t.throws<PermafrostError>(() => decodeSnapshotSchema(old), { instanceOf: PermafrostError });
});
