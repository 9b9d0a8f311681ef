import test from 'ava';
import { column, DataType, Json, rowToObject, toRowValues, TypedNull, type TableSchema } from '../../ts/index';

const schema: TableSchema = {
  tableName: 'users',
  columns: [
    column('id', DataType.Integer, { nullable: false, primaryKey: true }),
    column('name', DataType.Text),
    column('meta', DataType.Json),
    column('score', DataType.Float, { defaultValue: 0.5 }),
  ],
  foreignKeys: [],
};

test('an object row is put in schema order with values typed by column', (t) => {
  t.deepEqual(toRowValues(schema, { name: 'Ann', id: 1, meta: { a: 1 }, score: 2 }), [1n, 'Ann', new Json('{"a":1}'), 2]);
});

test('missing columns take the stored default, else the typed NULL', (t) => {
  t.deepEqual(toRowValues(schema, { id: 2 }), [2n, TypedNull.of(DataType.Text), TypedNull.of(DataType.Json), 0.5]);
});

test('column names match case-insensitively when there is no exact match', (t) => {
  t.deepEqual(toRowValues(schema, { ID: 3, Name: 'x' })[1], 'x');
});

test('an unknown column is refused', (t) => {
  t.throws(() => toRowValues(schema, { id: 1, nope: 2 }), { code: 'ERR_INVALID_ARGUMENT' });
});

test('an array row is taken by position and padded like an object row', (t) => {
  t.deepEqual(toRowValues(schema, [4, 'Bo']), [4n, 'Bo', TypedNull.of(DataType.Json), 0.5]);
});

test('an array row longer than the schema is refused', (t) => {
  t.throws(() => toRowValues(schema, [1, 'a', null, 1, 'extra']), { code: 'ERR_INVALID_ARGUMENT' });
});

test('rowToObject keys stored values by column name', (t) => {
  t.deepEqual(rowToObject(schema, [1n, 'Ann']), { id: 1n, name: 'Ann', meta: TypedNull.of(DataType.Json), score: TypedNull.of(DataType.Float) });
});
