import test from 'ava';
import { column, DataType, FloatBits, Json, Store, Timestamp, type TableSchema, type Value } from '../../ts/index';
import { tempDir } from '../helpers/fixtures';

const mixed: TableSchema = {
  tableName: 'mixed',
  columns: [
    column('id', DataType.Integer, { nullable: false, primaryKey: true }),
    column('n', DataType.Integer),
    column('f', DataType.Float),
    column('t', DataType.Text),
    column('b', DataType.Boolean),
    column('at', DataType.Timestamp),
    column('doc', DataType.Json),
  ],
  foreignKeys: [],
};

function row(id: number): Value[] {
  const isNull = id % 5 === 0;
  return [
    BigInt(id),
    isNull ? null : BigInt(id * 3),
    id % 7 === 0 ? new FloatBits(0x7ff0_0000_0000_0001n) : isNull ? null : id / 4,
    isNull ? null : `text ${id % 3}`,
    isNull ? null : id % 2 === 0,
    isNull ? null : Timestamp.fromEpochNanos(1_735_689_600_000_000_000n + BigInt(id) * 1_000_000_007n),
    isNull ? null : new Json(`{"id":${id}}`),
  ];
}

test('a scan of sealed rows reads every kind exactly as a lookup of the same row does (NULLs, NaN bits, text, JSON)', async (t) => {
  const dir = tempDir();
  t.teardown(dir.remove);
  await using store = await Store.open(dir.path, { checkpointIntervalMs: 0, checkpointOnClose: false });
  await store.createTable(mixed);
  await store.transaction((txn) => {
    for (let id = 1; id <= 300; id += 1) txn.insert('mixed', row(id));
  });
  await store.checkpoint();
  const scanned = [...store.scan('mixed')];
  t.is(scanned.length, 300);
  for (const { rowId, values } of scanned) t.deepEqual(values, store.getValues('mixed', rowId), `row ${rowId}`);
  t.deepEqual(scanned[6]!.values[2], new FloatBits(0x7ff0_0000_0000_0001n));
});
