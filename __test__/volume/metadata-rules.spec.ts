// The builder's metadata rules of spec §5.7, one per test.
import test from 'ava';
import { Extension, FloatBits, Json, Timestamp, TypedNull } from '../../ts/codec/values';
import { VolumeBuilder, VolumeReader, encodeVolumeSync, isPermafrostError } from '../../ts/index';
import { DataType, schema } from './helpers';

async function roundTrip(builder: VolumeBuilder): Promise<VolumeReader> {
  return VolumeReader.fromBytes(Buffer.concat(encodeVolumeSync(builder.finish()).pieces));
}

test('dictionary ids follow first appearance and NULL rows add no entry', async (t) => {
  const b = new VolumeBuilder(schema(['s', DataType.Text]));
  ['z', null, 'a', 'z', 'm'].forEach((v, i) => b.addRow(i, [v]));
  const r = await roundTrip(b);
  t.deepEqual(r.columns[0]!.dictionary, ['z', 'a', 'm']);
  t.deepEqual([...(r.rawValues(0) as Uint32Array)], [0, 0, 1, 0, 2]);
});

test('text min and max use UTF-8 byte order, not JS string order', async (t) => {
  const b = new VolumeBuilder(schema(['s', DataType.Text]));
  // U+FFFD sorts before U+1F600 in UTF-16 code units too, but U+FF21 vs U+1F600: JS says
  // '\u{1F600}' < '\uFF21' (surrogate 0xD83D), UTF-8 says the opposite.
  b.addRow(1, ['\uFF21']).addRow(2, ['\u{1F600}']);
  const r = await roundTrip(b);
  t.is(r.zoneMap(0).min, '\uFF21');
  t.is(r.zoneMap(0).max, '\u{1F600}');
});

test('integer and timestamp columns are sorted until a NULL or a smaller value; equal values keep it', async (t) => {
  const b = new VolumeBuilder(schema(['a', DataType.Integer], ['b', DataType.Integer], ['c', DataType.Timestamp], ['f', DataType.Float]));
  b.addRow(1, [1n, 2n, Timestamp.fromEpochNanos(5n), 1]).addRow(2, [1n, 1n, null, 2]).addRow(3, [4n, 3n, Timestamp.fromEpochNanos(6n), 3]);
  const r = await roundTrip(b);
  t.deepEqual([0, 1, 2, 3].map((c) => r.isSorted(c)), [true, false, false, false]);
});

test('NaN is kept out of zone maps and stats but found by the bloom filter', async (t) => {
  const b = new VolumeBuilder(schema(['f', DataType.Float]));
  b.addRow(1, [Number.NaN]).addRow(2, [2.5]).addRow(3, [-1]);
  const r = await roundTrip(b);
  t.is(r.zoneMap(0).min, -1);
  t.is(r.zoneMap(0).max, 2.5);
  t.is(r.stats(0).nonNullCount, 2n);
  t.is(r.stats(0).sumFloat, 1.5);
  t.true(r.mightContain(0, Number.NaN));
});

test('-0 and 0 compare equal, so the first seen is kept', async (t) => {
  const b = new VolumeBuilder(schema(['f', DataType.Float]));
  b.addRow(1, [-0]).addRow(2, [0]);
  const r = await roundTrip(b);
  t.true(Object.is(r.zoneMap(0).min, -0));
  t.true(Object.is(r.zoneMap(0).max, -0));
});

test('an all-NULL column has NULL (hint 0) zone map and stats', async (t) => {
  const b = new VolumeBuilder(schema(['i', DataType.Integer]));
  b.addRow(1, [null]);
  const r = await roundTrip(b);
  t.is(r.zoneMap(0).min, null);
  t.is(r.zoneMap(0).nullCount, 1);
  t.is(r.stats(0).min, null);
});

test('extension columns get min = max = the first value', async (t) => {
  const b = new VolumeBuilder(schema(['j', DataType.Json], ['v', DataType.Vector]));
  b.addRow(1, [null, null]).addRow(2, [new Json('{"b":2}'), Float32Array.of(1, 2)]).addRow(3, [new Json('{"a":1}'), Float32Array.of(0)]);
  const r = await roundTrip(b);
  t.deepEqual(r.zoneMap(0).min, new Json('{"b":2}'));
  t.deepEqual(r.zoneMap(0).max, new Json('{"b":2}'));
  t.deepEqual(r.zoneMap(1).max, Float32Array.of(1, 2));
  t.deepEqual(r.getValue(1, 2), Float32Array.of(0));
  t.true(r.mightContain(0, new Json('anything')), 'all extension values hash alike');
});

test('row groups exist only above 65,536 rows and carry typed NULL placeholders', async (t) => {
  const exact = new VolumeBuilder(schema(['i', DataType.Integer]), { capacityRows: 65_536 });
  exact.addBatch({ rowIds: BigInt64Array.from({ length: 65_536 }, (_, i) => BigInt(i)), columns: [{ values: new BigInt64Array(65_536) }] });
  t.is((await roundTrip(exact)).rowGroups.length, 0);
  const n = 65_540;
  const nulls = new Uint8Array(n);
  nulls.fill(1, 65_536);
  const big = new VolumeBuilder(schema(['i', DataType.Integer], ['j', DataType.Json]));
  big.addBatch({ rowIds: BigInt64Array.from({ length: n }, (_, i) => BigInt(i)), columns: [{ values: BigInt64Array.from({ length: n }, (_, i) => BigInt(i)), nulls }, Array.from({ length: n }, () => null)] });
  const r = await roundTrip(big);
  t.is(r.rowGroups.length, 2);
  t.is(r.rowGroups[1]!.zoneMaps[0]!.min, TypedNull.of(DataType.Integer));
  t.is(r.rowGroups[1]!.zoneMaps[0]!.nullCount, 4);
  t.is(r.rowGroups[0]!.zoneMaps[1]!.min, TypedNull.of(DataType.Json));
  t.is(r.rowGroups[0]!.zoneMaps[0]!.max, 65_535n);
  t.is(r.zoneMap(1).min, null, 'volume-wide placeholder has hint 0');
});

test('integer sums are exact i128', async (t) => {
  const b = new VolumeBuilder(schema(['i', DataType.Integer]));
  const max = (1n << 63n) - 1n;
  b.addRow(1, [max]).addRow(2, [max]).addRow(3, [max]);
  t.is((await roundTrip(b)).stats(0).sumInt, 3n * max);
});

test('bulk typed batches give the same bytes as rows', (t) => {
  const s = schema(['i', DataType.Integer], ['f', DataType.Float], ['s', DataType.Text], ['b', DataType.Boolean]);
  const rows = new VolumeBuilder(s);
  const texts = ['b', 'a', null, 'b'];
  for (let i = 0; i < 4; i += 1) rows.addRow(i * 2, [BigInt(i * i), i / 3, texts[i], i % 2 === 0]);
  const bulk = new VolumeBuilder(s);
  bulk.addBatch({
    rowIds: BigInt64Array.of(0n, 2n, 4n, 6n),
    columns: [
      { values: BigInt64Array.of(0n, 1n, 4n, 9n) },
      { values: Float64Array.of(0, 1 / 3, 2 / 3, 1) },
      { dictionary: ['a', 'b'], ids: Uint32Array.of(1, 0, 7, 1), nulls: Uint8Array.of(0, 0, 1, 0) },
      { values: Uint8Array.of(1, 0, 1, 0) },
    ],
  });
  t.deepEqual(Buffer.concat(encodeVolumeSync(bulk.finish()).pieces), Buffer.concat(encodeVolumeSync(rows.finish()).pieces));
});

test('finishAsync gives the same bytes as finish', async (t) => {
  const make = () => {
    const b = new VolumeBuilder(schema(['i', DataType.Integer], ['f', DataType.Float]));
    for (let i = 0; i < 1000; i += 1) b.addRow(i, [BigInt(i % 7), i * 0.25]);
    return b;
  };
  t.deepEqual(Buffer.concat(encodeVolumeSync(await make().finishAsync()).pieces), Buffer.concat(encodeVolumeSync(make().finish()).pieces));
});

test('row ids must be strictly ascending', (t) => {
  const b = new VolumeBuilder(schema(['i', DataType.Integer]));
  b.addRow(5, [1n]);
  t.is((t.throws(() => b.addRow(5, [1n])) as { code?: string }).code, 'ERR_INVALID_ARGUMENT');
  const bulk = new VolumeBuilder(schema(['i', DataType.Integer]));
  t.is((t.throws(() => bulk.addBatch({ rowIds: BigInt64Array.of(1n, 3n, 2n), columns: [{ values: new BigInt64Array(3) }] })) as { code?: string }).code, 'ERR_INVALID_ARGUMENT');
});

test('a value of the wrong type is refused', (t) => {
  const b = new VolumeBuilder(schema(['i', DataType.Integer]));
  const error = t.throws(() => b.addRow(1, ['text']));
  t.true(isPermafrostError(error, 'ERR_INVALID_ARGUMENT'));
  t.true(isPermafrostError(t.throws(() => new VolumeBuilder(schema(['i', DataType.Integer])).addRow(1, [new Extension(DataType.Json, new Uint8Array(1))])), 'ERR_INVALID_ARGUMENT'));
});

test('a non-canonical NaN keeps its bits through a volume', async (t) => {
  const b = new VolumeBuilder(schema(['f', DataType.Float]));
  b.addRow(1, [new FloatBits(0x7ff0000000000001n)]);
  const value = (await roundTrip(b)).getValue(0, 0);
  t.true(value instanceof FloatBits && value.bits === 0x7ff0000000000001n);
});

test('reading one group decompresses only that group', async (t) => {
  const n = 200_000;
  const b = new VolumeBuilder(schema(['i', DataType.Integer]));
  b.addBatch({ rowIds: BigInt64Array.from({ length: n }, (_, i) => BigInt(i)), columns: [{ values: BigInt64Array.from({ length: n }, (_, i) => BigInt(i * 3)) }] });
  const r = await roundTrip(b);
  const group = r.group(0, 2);
  t.is(group.values!.length, 65_536);
  t.is((group.values as BigInt64Array)[0], BigInt(2 * 65_536 * 3));
  t.is(r.getI64(0, 0), 0n);
  t.is(r.int64Values(0)[n - 1], BigInt((n - 1) * 3));
});

test('a closed reader refuses calls with ERR_CLOSED', async (t) => {
  const b = new VolumeBuilder(schema(['i', DataType.Integer]));
  b.addRow(1, [1n]);
  const r = await roundTrip(b);
  await r.close();
  await r.close();
  t.true(isPermafrostError(t.throws(() => r.getI64(0, 0)), 'ERR_CLOSED'));
});

const bytesOf = (builder: VolumeBuilder): Buffer => Buffer.concat(encodeVolumeSync(builder.finish()).pieces);

test('a batch dictionary that repeats a string gives the same bytes as rows', (t) => {
  const s = schema(['s', DataType.Text]);
  const rows = new VolumeBuilder(s);
  ['b', 'a', 'b', 'a'].forEach((text, i) => rows.addRow(i, [text]));
  const bulk = new VolumeBuilder(s).addBatch({ rowIds: BigInt64Array.of(0n, 1n, 2n, 3n), columns: [{ dictionary: ['a', 'b', 'a'], ids: Uint32Array.of(1, 0, 1, 2) }] });
  t.deepEqual(bytesOf(bulk), bytesOf(rows));
});

test('a later batch keeps known strings and numbers new ones in first-appearance order', (t) => {
  const s = schema(['s', DataType.Text]);
  const rows = new VolumeBuilder(s);
  ['x', 'y', 'z', 'y', 'w', 'x'].forEach((text, i) => rows.addRow(i, [text]));
  const bulk = new VolumeBuilder(s)
    .addBatch({ rowIds: BigInt64Array.of(0n, 1n), columns: [{ dictionary: ['y', 'x'], ids: Uint32Array.of(1, 0) }] })
    .addBatch({ rowIds: BigInt64Array.of(2n, 3n, 4n, 5n), columns: [{ dictionary: ['w', 'x', 'y', 'z'], ids: Uint32Array.of(3, 2, 0, 1) }] });
  t.deepEqual(bytesOf(bulk), bytesOf(rows));
});

test('values under NULL flags in a batch are stored as zero', (t) => {
  const s = schema(['i', DataType.Integer], ['f', DataType.Float], ['b', DataType.Boolean]);
  const rows = new VolumeBuilder(s).addRow(0, [1n, 0.5, true]).addRow(1, [null, null, null]);
  const nulls = Uint8Array.of(0, 1);
  const bulk = new VolumeBuilder(s).addBatch({
    rowIds: BigInt64Array.of(0n, 1n),
    columns: [
      { values: BigInt64Array.of(1n, 99n), nulls },
      { values: Float64Array.of(0.5, 7.25), nulls },
      { values: Uint8Array.of(1, 1), nulls },
    ],
  });
  t.deepEqual(bytesOf(bulk), bytesOf(rows));
});

test('any non-zero boolean byte in a batch is stored as true', (t) => {
  const s = schema(['b', DataType.Boolean]);
  const rows = new VolumeBuilder(s).addRow(0, [true]).addRow(1, [false]).addRow(2, [true]);
  const bulk = new VolumeBuilder(s).addBatch({ rowIds: BigInt64Array.of(0n, 1n, 2n), columns: [{ values: Uint8Array.of(2, 0, 255) }] });
  t.deepEqual(bytesOf(bulk), bytesOf(rows));
});

test('a batch id outside its dictionary is refused and names the row', (t) => {
  const b = new VolumeBuilder(schema(['s', DataType.Text]));
  const error = t.throws(() => b.addBatch({ rowIds: BigInt64Array.of(0n, 1n), columns: [{ dictionary: ['a'], ids: Uint32Array.of(0, 4) }] }));
  t.true(isPermafrostError(error, 'ERR_INVALID_ARGUMENT') && error.message.includes('id 4 at row 1'));
});

test('a transferred batch gives the same bytes as a copied one', (t) => {
  const s = schema(['i', DataType.Integer], ['f', DataType.Float], ['s', DataType.Text], ['s2', DataType.Text], ['b', DataType.Boolean]);
  const make = () => {
    const nulls = Uint8Array.of(0, 1, 0, 0);
    return {
      rowIds: BigInt64Array.of(1n, 2n, 3n, 4n),
      columns: [
        { values: BigInt64Array.of(5n, 99n, 7n, 8n), nulls },
        { values: Float64Array.of(0.5, 1, 2, 3), nulls: nulls.slice() },
        { dictionary: ['a', 'b', 'c'], ids: Uint32Array.of(2, 9, 0, 2), nulls: nulls.slice() },
        { dictionary: ['x', 'x'], ids: Uint32Array.of(1, 0, 1, 0), nulls: nulls.slice() },
        { values: Uint8Array.of(3, 0, 1, 0) },
      ],
    };
  };
  const copied = new VolumeBuilder(s).addBatch(make());
  const taken = new VolumeBuilder(s).addBatch(make(), { transfer: true });
  t.deepEqual(bytesOf(taken), bytesOf(copied));
});

test('only the first batch of an empty builder is taken; later ones are copied', (t) => {
  const s = schema(['i', DataType.Integer]);
  const first = BigInt64Array.of(1n, 2n);
  const second = BigInt64Array.of(3n);
  const b = new VolumeBuilder(s).addBatch({ rowIds: BigInt64Array.of(1n, 2n), columns: [{ values: first }] }, { transfer: true });
  b.addBatch({ rowIds: BigInt64Array.of(3n), columns: [{ values: second }] }, { transfer: true });
  second[0] = 42n; // copied: the volume keeps 3
  const expected = new VolumeBuilder(s).addRow(1, [1n]).addRow(2, [2n]).addRow(3, [3n]);
  t.deepEqual(bytesOf(b), bytesOf(expected));
});
