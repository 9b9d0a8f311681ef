import test from 'ava';
import { DataType, decodeAlterTable, decodeViewDefinition, encodeAlterTable, encodeViewDefinition, PermafrostError, type AlterTable } from '../../ts/index';
import { bytes, str16, str32, u16 } from '../helpers/bytes';

test('a view definition is u16 name then u32 query (spec §4.6)', (t) => {
  const view = { name: 'ActiveUsers', query: 'SELECT * FROM users WHERE active' };
  const encoded = bytes(str16('ActiveUsers'), str32('SELECT * FROM users WHERE active'));
  t.deepEqual(encodeViewDefinition(view), encoded);
  t.deepEqual(decodeViewDefinition(encoded), view);
});

test('every truncation of a view definition is truncated', (t) => {
  const encoded = encodeViewDefinition({ name: 'v', query: 'SELECT 1' });
  for (let length = 0; length < encoded.length; length += 1) {
    t.throws<PermafrostError>(() => decodeViewDefinition(encoded.subarray(0, length)), { code: 'ERR_TRUNCATED' });
  }
});

const ALTERS: Array<[AlterTable, Buffer]> = [
  [
    { operation: 'addColumn', tableName: 't', columnName: 'v', dataType: DataType.Vector, vectorDimensions: 4, nullable: true, defaultExpression: '' },
    bytes(1, str16('t'), str16('v'), 7, u16(4), 1, str16('')),
  ],
  [
    { operation: 'addColumn', tableName: 't', columnName: 'n', dataType: DataType.Integer, vectorDimensions: undefined, nullable: false, defaultExpression: '0' },
    bytes(1, str16('t'), str16('n'), 1, 0, str16('0')),
  ],
  [{ operation: 'dropColumn', tableName: 't', columnName: 'n' }, bytes(2, str16('t'), str16('n'))],
  [{ operation: 'renameColumn', tableName: 't', oldName: 'a', newName: 'b' }, bytes(3, str16('t'), str16('a'), str16('b'))],
  [
    { operation: 'modifyColumn', tableName: 't', columnName: 'a', dataType: DataType.Float, vectorDimensions: undefined, nullable: true },
    bytes(4, str16('t'), str16('a'), 2, 1),
  ],
  [{ operation: 'renameTable', tableName: 'old', newName: 'new' }, bytes(5, str16('old'), str16('new'))],
];

for (const [alter, encoded] of ALTERS) {
  test(`ALTER ${alter.operation} ${JSON.stringify(alter).length} encodes and decodes as spec §4.7`, (t) => {
    t.deepEqual(encodeAlterTable(alter), encoded);
    t.deepEqual(decodeAlterTable(encoded), alter);
  });

  test(`every truncation of ALTER ${alter.operation} ${encoded.length} is an error`, (t) => {
    for (let length = 0; length < encoded.length; length += 1) {
      t.throws<PermafrostError>(() => decodeAlterTable(encoded.subarray(0, length)), { instanceOf: PermafrostError });
    }
  });
}

test('an unknown ALTER operation is an unknown tag', (t) => {
  t.throws<PermafrostError>(() => decodeAlterTable(bytes(6, str16('t'))), { code: 'ERR_UNKNOWN_TAG' });
});

test('an unknown type in ADD COLUMN is an unknown tag', (t) => {
  t.throws<PermafrostError>(() => decodeAlterTable(bytes(1, str16('t'), str16('c'), 42, 1, str16(''))), { code: 'ERR_UNKNOWN_TAG' });
});
