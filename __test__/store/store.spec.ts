import test from 'ava';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { column, DataType, Json, PermafrostError, Store, Timestamp, TypedNull, type TableSchema } from '../../ts/index';
import { tempDir } from '../helpers/fixtures';

const readings: TableSchema = {
  tableName: 'Readings',
  columns: [
    column('id', DataType.Integer, { nullable: false, primaryKey: true }),
    column('sensor', DataType.Text, { nullable: false }),
    column('at', DataType.Timestamp, { nullable: false }),
    column('value', DataType.Float),
    column('meta', DataType.Json),
  ],
  foreignKeys: [],
};

const minute = (m: number): Timestamp => Timestamp.fromEpochNanos(1_735_689_600_000_000_000n + BigInt(m) * 60_000_000_000n);

async function fill(store: Store, from: number, to: number): Promise<void> {
  const txn = store.begin();
  for (let id = from; id < to; id += 1) txn.insert('readings', { id, sensor: `s${id % 3}`, at: minute(id), value: id / 2, meta: { id } });
  await txn.commit();
}

test('a memory-only store keeps committed rows and forgets them on close', async (t) => {
  const store = await Store.open();
  await store.createTable(readings);
  await fill(store, 1, 4);
  t.deepEqual(store.get('readings', 2), { id: 2n, sensor: 's2', at: minute(2), value: 1, meta: new Json('{"id":2}') });
  t.is(store.count('readings'), 3);
  t.is(store.recovery.mode, 'memory');
  await store.close();
  t.throws(() => store.get('readings', 2), { code: 'ERR_CLOSED' });
});

test('committed rows survive close and reopen (sealed into volumes by the closing checkpoint)', async (t) => {
  const dir = tempDir();
  try {
    {
      await using store = await Store.open(dir.path, { syncMode: 'full' });
      await store.createTable(readings);
      await fill(store, 1, 101);
    }
    const files = readdirSync(join(dir.path, 'volumes', 'readings'));
    t.true(files.includes('manifest.bin'));
    t.is(files.filter((f) => f.endsWith('.vol')).length, 1);
    await using reopened = await Store.open(dir.path);
    t.is(reopened.recovery.mode, 'volumes');
    t.is(reopened.count('readings'), 100);
    t.deepEqual(reopened.get('readings', 100)!['value'], 50);
  } finally {
    dir.remove();
  }
});

test('committed rows survive a close without checkpoint, recovered from the WAL', async (t) => {
  const dir = tempDir();
  try {
    {
      const store = await Store.open(dir.path, { syncMode: 'full', checkpointOnClose: false });
      await store.createTable(readings);
      await fill(store, 1, 11);
      await store.close();
    }
    t.false(existsSync(join(dir.path, 'volumes', 'readings')));
    await using reopened = await Store.open(dir.path, { checkpointOnClose: false });
    t.is(reopened.recovery.mode, 'wal');
    t.is(reopened.count('readings'), 10);
    t.is(reopened.get('readings', 7)!['sensor'], 's1');
  } finally {
    dir.remove();
  }
});

test('updates and deletes of sealed rows survive reopen (tombstones)', async (t) => {
  const dir = tempDir();
  try {
    {
      await using store = await Store.open(dir.path, { checkpointOnClose: false });
      await store.createTable(readings);
      await fill(store, 1, 21);
      await store.checkpoint();
      await store.transaction((txn) => {
        txn.update('readings', 5, { value: 99 });
        txn.delete('readings', 6);
      });
      t.is(store.get('readings', 5)!['value'], 99);
      t.is(store.get('readings', 6), undefined);
    }
    for (const checkpointOnClose of [false, true]) {
      await using reopened = await Store.open(dir.path, { checkpointOnClose });
      t.is(reopened.get('readings', 5)!['value'], 99, `checkpointOnClose ${checkpointOnClose}`);
      t.is(reopened.get('readings', 6), undefined);
      t.is(reopened.count('readings'), 19);
    }
  } finally {
    dir.remove();
  }
});

test('a second open of the same directory is refused with ERR_LOCKED', async (t) => {
  const dir = tempDir();
  try {
    await using store = await Store.open(dir.path);
    await t.throwsAsync(Store.open(dir.path), { code: 'ERR_LOCKED' });
    await store.createTable(readings);
  } finally {
    dir.remove();
  }
});

test('inserting an existing row id is a constraint error and changes nothing', async (t) => {
  await using store = await Store.open();
  await store.createTable(readings);
  await fill(store, 1, 3);
  const txn = store.begin();
  t.throws(() => txn.insert('readings', { id: 1, sensor: 'x', at: minute(1) }), { code: 'ERR_CONSTRAINT' });
  t.is(store.get('readings', 1)!['sensor'], 's1');
});

test('of two transactions updating the same row, the second to commit fails with ERR_CONFLICT', async (t) => {
  await using store = await Store.open();
  await store.createTable(readings);
  await fill(store, 1, 3);
  const first = store.begin();
  const second = store.begin();
  first.update('readings', 1, { value: 10 });
  second.update('readings', 1, { value: 20 });
  await first.commit();
  await t.throwsAsync(second.commit(), { code: 'ERR_CONFLICT' });
  t.is(store.get('readings', 1)!['value'], 10);
});

test('a rolled-back transaction leaves no trace', async (t) => {
  await using store = await Store.open();
  await store.createTable(readings);
  const txn = store.begin();
  txn.insert('readings', { id: 1, sensor: 'a', at: minute(0) });
  t.truthy(txn.get('readings', 1));
  await txn.rollback();
  t.is(store.get('readings', 1), undefined);
});

test('a missing column is stored as its typed NULL', async (t) => {
  await using store = await Store.open();
  await store.createTable(readings);
  await store.transaction((txn) => txn.insert('readings', { id: 1, sensor: 'a', at: minute(0) }));
  t.is(store.get('readings', 1)!['value'], TypedNull.of(DataType.Float));
});

test('a time-range scan skips volumes and row groups outside the range', async (t) => {
  const dir = tempDir();
  try {
    await using store = await Store.open(dir.path, { checkpointOnClose: false });
    await store.createTable(readings);
    await fill(store, 0, 1000);
    await store.checkpoint();
    await fill(store, 1000, 2000);
    await store.checkpoint();
    await fill(store, 2000, 2100);
    const stats = { volumesSkipped: 0, groupsSkipped: 0, groupsRead: 0, rowsMatched: 0 };
    const rows = [...store.scan('readings', { timeRange: { from: minute(1500), to: minute(1510) } }, stats)];
    t.deepEqual(rows.map((row) => row.rowId), Array.from({ length: 10 }, (_, i) => BigInt(1500 + i)));
    t.is(stats.volumesSkipped, 1);
    t.is(store.count('readings', { timeRange: { from: minute(2050) } }), 50);
  } finally {
    dir.remove();
  }
});

test('dropping a table deletes its volumes and the drop survives reopen', async (t) => {
  const dir = tempDir();
  try {
    {
      await using store = await Store.open(dir.path);
      await store.createTable(readings);
      await fill(store, 1, 5);
      await store.checkpoint();
      t.true(await store.dropTable('READINGS'));
      t.false(existsSync(join(dir.path, 'volumes', 'readings')));
    }
    await using reopened = await Store.open(dir.path);
    t.deepEqual(reopened.tableNames(), []);
  } finally {
    dir.remove();
  }
});

test('a table name that cannot be a directory name is refused', async (t) => {
  await using store = await Store.open();
  await t.throwsAsync(store.createTable({ ...readings, tableName: '../evil' }), { code: 'ERR_INVALID_NAME' });
  t.true((await t.throwsAsync(store.createTable({ ...readings, tableName: 'a/b' }))) instanceof PermafrostError);
});
