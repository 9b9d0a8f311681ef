// Counterparts of the tests in stoolap's src/storage/volume/io.rs (the seed), one each.
import test from 'ava';
import { readFile } from 'node:fs/promises';
import { Timestamp, TypedNull } from '../../ts/codec/values';
import { VolumeBuilder, VolumeReader, deleteAllVolumes, listVolumes, loadAllVolumes, statsSum, writeVolume } from '../../ts/index';
import { DataType, schema, tempDir } from './helpers';

test('write and read a volume (test_write_and_read_volume)', async (t) => {
  const dir = await tempDir(t);
  const builder = new VolumeBuilder(schema(['id', DataType.Integer], ['name', DataType.Text]));
  builder.addRow(1n, [1n, 'hello']).addRow(2n, [2n, 'world']);
  const path = await writeVolume(dir, 'test_table', 1n, builder.finish());
  t.true(path.endsWith('test_table/vol_0000000000000001.vol'));
  await using loaded = await VolumeReader.open(path);
  t.is(loaded.rowCount, 2);
  t.is(loaded.getI64(0, 0), 1n);
  t.is(loaded.getStr(1, 1), 'world');
});

test('list volumes (test_list_volumes)', async (t) => {
  const dir = await tempDir(t);
  for (let i = 0; i < 3; i += 1) {
    const builder = new VolumeBuilder(schema(['id', DataType.Integer]));
    builder.addRow(i, [i]);
    await writeVolume(dir, 'my_table', BigInt(i), builder.finish());
  }
  t.is((await listVolumes(dir, 'my_table')).length, 3);
});

test('load all volumes (test_load_all_volumes)', async (t) => {
  const dir = await tempDir(t);
  for (let i = 1; i <= 3; i += 1) {
    const builder = new VolumeBuilder(schema(['id', DataType.Integer]));
    builder.addRow(i, [i]);
    await writeVolume(dir, 't', BigInt(i), builder.finish());
  }
  const volumes = await loadAllVolumes(dir, 't');
  t.is(volumes.length, 3);
  t.is(volumes[0]!.rowCount, 1);
});

test('delete all volumes of a table (test_delete_volumes)', async (t) => {
  const dir = await tempDir(t);
  const builder = new VolumeBuilder(schema(['id', DataType.Integer]));
  builder.addRow(1, [1]);
  await writeVolume(dir, 't', 1n, builder.finish());
  t.is((await listVolumes(dir, 't')).length, 1);
  await deleteAllVolumes(dir, 't');
  t.is((await listVolumes(dir, 't')).length, 0);
});

test('V4 round trip with zone maps, stats, sorted flags and row ids (test_v4_roundtrip_basic)', async (t) => {
  const dir = await tempDir(t);
  const builder = new VolumeBuilder(schema(['id', DataType.Integer], ['name', DataType.Text], ['price', DataType.Float]), { capacityRows: 3 });
  builder.addRow(1, [1n, 'apple', 1.5]).addRow(2, [2n, 'banana', 0.75]).addRow(3, [3n, 'apple', 3.0]);
  const path = await writeVolume(dir, 't', 1n, builder.finish());
  t.deepEqual((await readFile(path)).subarray(0, 4), Buffer.from('STV4'));
  await using loaded = await VolumeReader.open(path);
  t.is(loaded.rowCount, 3);
  t.is(loaded.getI64(0, 0), 1n);
  t.is(loaded.getI64(0, 2), 3n);
  t.is(loaded.getStr(1, 0), 'apple');
  t.is(loaded.getStr(1, 1), 'banana');
  t.is(loaded.getF64(2, 1), 0.75);
  t.is(loaded.zoneMap(0).min, 1n);
  t.is(loaded.zoneMap(0).max, 3n);
  t.is(loaded.metadata.stats.liveRows, 3n);
  t.is(statsSum(loaded.stats(2)), 5.25);
  t.true(loaded.isSorted(0));
  t.deepEqual([...loaded.rowIds], [1n, 2n, 3n]);
});

test('V4 round trip with NULLs (test_v4_roundtrip_with_nulls)', async (t) => {
  const dir = await tempDir(t);
  const builder = new VolumeBuilder(schema(['id', DataType.Integer], ['value', DataType.Float]));
  builder.addRow(1, [1n, 10.0]).addRow(2, [2n, TypedNull.of(DataType.Float)]).addRow(3, [3n, 30.0]);
  await using loaded = await VolumeReader.open(await writeVolume(dir, 't', 1n, builder.finish()));
  t.is(loaded.rowCount, 3);
  t.false(loaded.isNull(1, 0));
  t.true(loaded.isNull(1, 1));
  t.false(loaded.isNull(1, 2));
  t.is(loaded.getF64(1, 0), 10.0);
  t.is(loaded.getF64(1, 2), 30.0);
});

test('V4 round trip over more than one row group (test_v4_roundtrip_multiple_row_groups)', async (t) => {
  const dir = await tempDir(t);
  const n = 70_000;
  const builder = new VolumeBuilder(schema(['id', DataType.Integer], ['label', DataType.Text]), { capacityRows: n });
  for (let i = 0; i < n; i += 1) builder.addRow(i, [BigInt(i), i % 2 === 0 ? 'even' : 'odd']);
  await using loaded = await VolumeReader.open(await writeVolume(dir, 't', 1n, builder.finish()));
  t.is(loaded.rowCount, n);
  t.is(loaded.getI64(0, 0), 0n);
  t.is(loaded.getI64(0, n / 2), BigInt(n / 2));
  t.is(loaded.getI64(0, n - 1), BigInt(n - 1));
  t.is(loaded.getStr(1, 0), 'even');
  t.is(loaded.getStr(1, 1), 'odd');
  t.is(loaded.getStr(1, n - 1), 'odd');
  t.true(loaded.rowGroups.length > 0);
});

test('V4 round trip of timestamps (nanosecond precision) and booleans (test_v4_roundtrip_timestamp_boolean)', async (t) => {
  const dir = await tempDir(t);
  const now = Timestamp.fromEpochNanos(1_774_097_320_739_123_456n);
  const builder = new VolumeBuilder(schema(['time', DataType.Timestamp], ['flag', DataType.Boolean]));
  builder.addRow(1, [now, true]).addRow(2, [Timestamp.fromEpochNanos(now.epochNanos + 60_000_000_000n), false]);
  await using loaded = await VolumeReader.open(await writeVolume(dir, 't', 1n, builder.finish()));
  t.is(loaded.rowCount, 2);
  const value = loaded.getValue(0, 0);
  t.true(value instanceof Timestamp && value.epochNanos === now.epochNanos);
  t.true(loaded.getBool(1, 0));
  t.false(loaded.getBool(1, 1));
});

test('get_row round trip (test_v4_get_row_roundtrip)', async (t) => {
  const dir = await tempDir(t);
  const builder = new VolumeBuilder(schema(['id', DataType.Integer], ['name', DataType.Text]));
  builder.addRow(1, [42n, 'test']);
  await using loaded = await VolumeReader.open(await writeVolume(dir, 't', 1n, builder.finish()));
  t.deepEqual(loaded.getRow(0), [42n, 'test']);
});
