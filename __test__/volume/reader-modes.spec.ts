// Block sources of the reader (in memory, on demand), bulk decoding, and the writer's
// thread count: the same bytes and the same rows whichever way they are produced or read.
import test from 'ava';
import { read as fsRead, readSync as fsReadSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { crc32 as zlibCrc32 } from 'node:zlib';
import { join } from 'node:path';
import { Json } from '../../ts/codec/values';
import { VolumeBuilder, VolumeReader, encodeVolume, encodeVolumeSync, isPermafrostError, writeVolume, type VolumeFileReader } from '../../ts/index';
import { columnKinds } from '../../ts/volume/column-kind';
import { DataType, schema, tempDir, volumeBytes } from './helpers';

const ROWS = 150_000; // three groups, the last one partial

const SCHEMA = schema(
  ['ts', DataType.Timestamp],
  ['id', DataType.Integer],
  ['price', DataType.Float],
  ['symbol', DataType.Text],
  ['flag', DataType.Boolean],
  ['doc', DataType.Json],
);

const JSONS = Array.from({ length: 13 }, (_, i) => new Json(`{"i":${i}}`));

/** A multi-group volume with every kind and NULLs in every column. */
function multiGroup(): VolumeBuilder {
  const b = new VolumeBuilder(SCHEMA, { capacityRows: ROWS });
  const nulls = Uint8Array.from({ length: ROWS }, (_, i) => (i % 11 === 3 ? 1 : 0));
  b.addBatch({
    rowIds: BigInt64Array.from({ length: ROWS }, (_, i) => BigInt(i + 1)),
    columns: [
      { values: BigInt64Array.from({ length: ROWS }, (_, i) => 1_700_000_000_000_000_000n + BigInt(i) * 1_000_000n), nulls },
      { values: BigInt64Array.from({ length: ROWS }, (_, i) => BigInt((i * 7919) % 1000)) },
      { values: Float64Array.from({ length: ROWS }, (_, i) => (i % 997) / 4), nulls },
      { dictionary: ['a', 'b', 'c'], ids: Uint32Array.from({ length: ROWS }, (_, i) => i % 3), nulls },
      { values: Uint8Array.from({ length: ROWS }, (_, i) => i % 2) },
      Array.from({ length: ROWS }, (_, i) => (i % 5 === 0 ? null : JSONS[i % 13]!)),
    ],
  });
  return b;
}

// Built and written once for the whole file (the tests only read it).
let frozenOnce: ReturnType<VolumeBuilder['finish']> | undefined;
const frozenMultiGroup = (): ReturnType<VolumeBuilder['finish']> => (frozenOnce ??= multiGroup().finish());
let sharedDir: string | undefined;
let sharedFile: Promise<string> | undefined;

test.before(async () => {
  sharedDir = await mkdtemp(join(tmpdir(), 'permafrost-reader-modes-'));
});

test.after.always(async () => {
  if (sharedDir !== undefined) await rm(sharedDir, { recursive: true, force: true });
});

/** The shared multi-group file, or a private copy for tests that damage it. */
async function multiGroupFile(t: Parameters<typeof tempDir>[0], own = false): Promise<string> {
  sharedFile ??= writeVolume(sharedDir!, 't', 1n, frozenMultiGroup());
  const path = await sharedFile;
  if (!own) return path;
  const copy = join(await tempDir(t), 'copy.vol');
  await writeFile(copy, await readFile(path));
  return copy;
}

/** Typed arrays compared as bytes (ava's deepEqual walks 150,000 elements one by one). */
function bytesOf(array: ArrayBufferView): Buffer {
  return Buffer.from(array.buffer, array.byteOffset, array.byteLength);
}

/** node:fs positioned reads that count bytes and calls. */
function countingReader(): VolumeFileReader & { bytes: number; calls: number } {
  const counter = {
    bytes: 0,
    calls: 0,
    read(fd: number, buffer: Uint8Array, offset: number, length: number, position: number): Promise<number> {
      return new Promise((resolve, reject) => {
        fsRead(fd, buffer, offset, length, position, (error, n) => {
          if (error) return reject(error);
          counter.bytes += n;
          counter.calls += 1;
          resolve(n);
        });
      });
    },
    readSync(fd: number, buffer: Uint8Array, offset: number, length: number, position: number): number {
      const n = fsReadSync(fd, buffer, offset, length, position);
      counter.bytes += n;
      counter.calls += 1;
      return n;
    },
  };
  return counter;
}

/** Stored size of block (column, group), from the block index. */
function storedSize(file: Buffer, columns: number, groups: number, column: number, group: number): number {
  const indexAt = 20 + file.readUInt32LE(16);
  void columns;
  return Number(file.readBigUInt64LE(indexAt + (column * groups + group) * 16));
}

test('on-demand and in-memory readers return identical rows and columns', async (t) => {
  const path = await multiGroupFile(t);
  await using memory = await VolumeReader.open(path);
  await using onDemand = await VolumeReader.open(path, { blocks: 'on-demand' });
  t.is(onDemand.blockSource, 'on-demand');
  for (const row of [0, 3, 65_535, 65_536, 100_000, ROWS - 1]) t.deepEqual(onDemand.getRow(row), memory.getRow(row));
  for (let c = 0; c < 5; c += 1) {
    t.true(bytesOf(onDemand.rawValues(c)).equals(bytesOf(memory.rawValues(c))), `column ${c}`);
    t.true(bytesOf(onDemand.nulls(c)).equals(bytesOf(memory.nulls(c))), `column ${c}`);
  }
  t.true(bytesOf(onDemand.group(2, 1).values!).equals(bytesOf(memory.group(2, 1).values!)));
});

test('reading one group on demand reads only that block, with one positioned read', async (t) => {
  const path = await multiGroupFile(t);
  const file = await readFile(path);
  const io = countingReader();
  await using reader = await VolumeReader.open(path, { blocks: 'on-demand', fileReader: io });
  io.bytes = 0;
  io.calls = 0;
  const group = reader.group(2, 1);
  t.is(group.values!.length, 65_536);
  t.is(io.calls, 1);
  t.is(io.bytes, storedSize(file, 6, 3, 2, 1));
  reader.getF64(2, 65_536 + 5); // same group: nothing more is read
  t.is(io.calls, 1);
});

test('opening on demand reads every byte of the file exactly once', async (t) => {
  const path = await multiGroupFile(t);
  const io = countingReader();
  await using reader = await VolumeReader.open(path, { blocks: 'on-demand', fileReader: io });
  t.is(io.bytes, (await readFile(path)).length);
  t.is(reader.rowCount, ROWS);
});

test('loadAll gives the same columns as the row-by-row accessors', async (t) => {
  const path = await multiGroupFile(t);
  for (const blocks of ['in-memory', 'on-demand'] as const) {
    await using bulk = await VolumeReader.open(path, { blocks });
    await using lazy = await VolumeReader.open(path, { blocks });
    await bulk.loadAll();
    for (let c = 0; c < 5; c += 1) {
      t.true(bytesOf(bulk.rawValues(c)).equals(bytesOf(lazy.rawValues(c))), `${blocks} column ${c}`);
      t.true(bytesOf(bulk.nulls(c)).equals(bytesOf(lazy.nulls(c))), `${blocks} column ${c}`);
    }
    t.deepEqual(bulk.getRow(ROWS - 1), lazy.getRow(ROWS - 1));
  }
});

test('loadAll of some columns reads on demand only their blocks', async (t) => {
  const path = await multiGroupFile(t);
  const file = await readFile(path);
  const io = countingReader();
  await using reader = await VolumeReader.open(path, { blocks: 'on-demand', fileReader: io });
  io.bytes = 0;
  await reader.loadAll([1]);
  t.is(io.bytes, [0, 1, 2].reduce((total, g) => total + storedSize(file, 6, 3, 1, g), 0));
  t.is(reader.getI64(1, ROWS - 1), BigInt(((ROWS - 1) * 7919) % 1000));
});

test('loadInto decodes into the caller arrays', async (t) => {
  const path = await multiGroupFile(t);
  await using reader = await VolumeReader.open(path);
  const nulls = new Uint8Array(ROWS);
  const values = new Float64Array(ROWS);
  const ids = new Uint32Array(ROWS);
  const idNulls = new Uint8Array(ROWS);
  await reader.loadInto([
    { column: 2, nulls, values },
    { column: 3, nulls: idNulls, values: ids },
  ]);
  t.true(bytesOf(values).equals(bytesOf(reader.float64Values(2))));
  t.true(bytesOf(nulls).equals(bytesOf(reader.nulls(2))));
  t.true(bytesOf(ids).equals(bytesOf(reader.rawValues(3))));
});

test('loadInto refuses arrays of the wrong type or length', async (t) => {
  const path = await multiGroupFile(t);
  await using reader = await VolumeReader.open(path);
  await t.throwsAsync(reader.loadInto([{ column: 2, nulls: new Uint8Array(ROWS), values: new BigInt64Array(ROWS) }]), { code: 'ERR_INVALID_ARGUMENT' });
  await t.throwsAsync(reader.loadInto([{ column: 1, nulls: new Uint8Array(ROWS), values: new BigInt64Array(ROWS - 1) }]), { code: 'ERR_INVALID_ARGUMENT' });
  await t.throwsAsync(reader.loadInto([{ column: 5, nulls: new Uint8Array(ROWS), values: new Uint8Array(ROWS) }]), { code: 'ERR_INVALID_ARGUMENT' });
});

test('a closed on-demand reader refuses calls with ERR_CLOSED', async (t) => {
  const path = await multiGroupFile(t);
  const reader = await VolumeReader.open(path, { blocks: 'on-demand' });
  await reader.close();
  await reader.close();
  t.true(isPermafrostError(t.throws(() => reader.getI64(1, 0)), 'ERR_CLOSED'));
  await t.throwsAsync(reader.loadAll(), { code: 'ERR_CLOSED' });
});

test('an unknown block source is refused', async (t) => {
  const path = await multiGroupFile(t);
  await t.throwsAsync(VolumeReader.open(path, { blocks: 'mmap' as never }), { code: 'ERR_INVALID_ARGUMENT' });
});

const SMALL_CODES = ['ERR_TRUNCATED', 'ERR_CORRUPT', 'ERR_CHECKSUM', 'ERR_LIMIT', 'ERR_UNKNOWN_TAG', 'ERR_UNSUPPORTED_VERSION'];

const small = (): Buffer =>
  volumeBytes(
    (b) => b.addRow(1, [1n, 'x', 0.5, true, new Json('{"a":1}')]).addRow(5, [null, 'y', null, false, null]),
    schema(['i', DataType.Integer], ['s', DataType.Text], ['f', DataType.Float], ['b', DataType.Boolean], ['j', DataType.Json]),
  );

test('every truncation of a volume file opened on demand is an error with a code naming the file', async (t) => {
  const dir = await tempDir(t);
  const bytes = small();
  const path = join(dir, 'cut.vol');
  for (let length = 0; length < bytes.length; length += 1) {
    await writeFile(path, bytes.subarray(0, length));
    const error = await t.throwsAsync(VolumeReader.open(path, { blocks: 'on-demand' }));
    t.true(isPermafrostError(error) && SMALL_CODES.includes(error.code) && error.message.includes(path), `length ${length}: ${String(error)}`);
  }
});

test('every single-bit flip of a volume file opened on demand is an error with a code', async (t) => {
  const dir = await tempDir(t);
  const bytes = small();
  const path = join(dir, 'flip.vol');
  let checked = 0;
  for (let bit = 0; bit < bytes.length * 8; bit += 1) {
    const copy = Buffer.from(bytes);
    copy[bit >> 3]! ^= 1 << (bit & 7);
    await writeFile(path, copy);
    try {
      await VolumeReader.open(path, { blocks: 'on-demand' });
      t.fail(`flip of bit ${bit} was not detected`);
    } catch (error) {
      if (!isPermafrostError(error) || !SMALL_CODES.includes(error.code)) t.fail(`bit ${bit}: ${String(error)}`);
      checked += 1;
    }
  }
  t.is(checked, bytes.length * 8);
});

test('a corrupt block read on demand is ERR_CHECKSUM naming the file', async (t) => {
  const path = await multiGroupFile(t, true);
  const bytes = await readFile(path);
  bytes[bytes.length - 100]! ^= 0x04;
  await writeFile(path, bytes);
  const error = await t.throwsAsync(VolumeReader.open(path, { blocks: 'on-demand' }));
  t.is((error as { code?: string }).code, 'ERR_CHECKSUM');
  t.true(error!.message.includes(path));
});

test('the file bytes do not depend on the number of compression threads', async (t) => {
  const frozen = frozenMultiGroup();
  const one = Buffer.concat(encodeVolumeSync(frozen).pieces);
  for (const concurrency of [1, 2, 3]) t.true(Buffer.concat((await encodeVolume(frozen, { concurrency })).pieces).equals(one), `${concurrency} threads`);
});

test('consecutive writes reusing the encode slab each write their own bytes', async (t) => {
  const dir = await tempDir(t);
  const big = frozenMultiGroup();
  const tiny = new VolumeBuilder(schema(['i', DataType.Integer])).addRow(1, [7n]).finish();
  const paths = [await writeVolume(dir, 't', 1n, big), await writeVolume(dir, 't', 2n, tiny), await writeVolume(dir, 't', 3n, big)];
  t.true((await readFile(paths[0]!)).equals(Buffer.concat(encodeVolumeSync(big).pieces)));
  t.deepEqual(await readFile(paths[1]!), Buffer.concat(encodeVolumeSync(tiny).pieces));
  t.true((await readFile(paths[2]!)).equals(await readFile(paths[0]!)));
});

test('opening with loadAll decodes the same columns as loadAll after opening', async (t) => {
  const dir = await tempDir(t);
  const rows = 140_000;
  const b = new VolumeBuilder(schema(['i', DataType.Integer], ['f', DataType.Float], ['s', DataType.Text], ['b', DataType.Boolean]), { capacityRows: rows });
  const nulls = Uint8Array.from({ length: rows }, (_, i) => (i % 7 === 0 ? 1 : 0));
  b.addBatch({
    rowIds: BigInt64Array.from({ length: rows }, (_, i) => BigInt(i)),
    columns: [
      { values: BigInt64Array.from({ length: rows }, (_, i) => BigInt(i * 3)), nulls },
      { values: Float64Array.from({ length: rows }, (_, i) => i / 8) },
      { dictionary: ['p', 'q'], ids: Uint32Array.from({ length: rows }, (_, i) => i % 2), nulls },
      { values: Uint8Array.from({ length: rows }, (_, i) => i % 3 === 0 ? 1 : 0) },
    ],
  });
  const path = await writeVolume(dir, 't', 1n, b.finish());
  await using eager = await VolumeReader.open(path, { loadAll: true });
  await using later = await VolumeReader.open(path);
  await later.loadAll();
  for (let c = 0; c < 4; c += 1) {
    t.is(eager.rawValues(c).constructor, later.rawValues(c).constructor);
    t.true(bytesOf(eager.rawValues(c)).equals(bytesOf(later.rawValues(c))), `column ${c}`);
    t.true(bytesOf(eager.nulls(c)).equals(bytesOf(later.nulls(c))), `column ${c}`);
  }
});

test('opening with loadAll still refuses a dictionary id beyond the dictionary', async (t) => {
  const rows = 70_000;
  const b = new VolumeBuilder(schema(['s', DataType.Text]), { capacityRows: rows });
  b.addBatch({ rowIds: BigInt64Array.from({ length: rows }, (_, i) => BigInt(i)), columns: [{ dictionary: ['p', 'q'], ids: Uint32Array.from({ length: rows }, (_, i) => i % 2) }] });
  const bytes = Buffer.concat(encodeVolumeSync(b.finish(), { compress: false }).pieces);
  // Row 5 of group 0 gets id 7 (the blocks are stored raw: nulls, then u32 ids), and the CRC is redone.
  const blocksAt = 20 + bytes.readUInt32LE(16) + 2 * 16;
  bytes.writeUInt32LE(7, blocksAt + 65_536 + 5 * 4);
  bytes.writeUInt32LE(zlibCrc32(bytes.subarray(0, bytes.length - 4)), bytes.length - 4);
  const path = join(await tempDir(t), 'bad.vol');
  await writeFile(path, bytes);
  const error = await t.throwsAsync(VolumeReader.open(path, { loadAll: true }));
  t.is((error as { code?: string }).code, 'ERR_CORRUPT');
  t.true(error!.message.includes('dictionary id 7'));
});

test('the streamed write gives the bytes of encodeVolumeSync for empty, raw-stored and BYTES volumes', async (t) => {
  const dir = await tempDir(t);
  const empty = new VolumeBuilder(schema(['i', DataType.Integer])).finish();
  const json = new VolumeBuilder(schema(['j', DataType.Json], ['i', DataType.Integer]));
  for (let i = 0; i < 70_000; i += 1) json.addRow(i, [i % 3 === 0 ? null : JSONS[i % 13]!, BigInt(i)]);
  const bytes = json.finish();
  const cases = [
    { volume: empty, compress: true },
    { volume: bytes, compress: true },
    { volume: bytes, compress: false },
  ];
  let id = 1n;
  for (const { volume, compress } of cases) {
    for (const concurrency of [1, 2]) {
      const path = await writeVolume(dir, 't', (id += 1n), volume, { compress, concurrency });
      t.true((await readFile(path)).equals(Buffer.concat(encodeVolumeSync(volume, { compress }).pieces)), `${volume.metadata.rowCount} rows, compress ${compress}, ${concurrency} threads`);
    }
  }
});

/** `open(path, { loadAll })` against `open(path)` + `loadAll()`: the same columns, or the same error. */
async function eagerMatchesLater(path: string, columns: number): Promise<string | undefined> {
  const outcome = async (eager: boolean): Promise<string> => {
    try {
      await using reader = await VolumeReader.open(path, { loadAll: eager });
      if (!eager) await reader.loadAll();
      const parts: string[] = [];
      for (let c = 0; c < columns; c += 1) {
        const kind = reader.columns[c]!.kind;
        parts.push(reader.columns[c]!.name, bytesOf(reader.nulls(c)).toString('base64'));
        if (kind !== columnKinds().BYTES) parts.push(reader.rawValues(c).constructor.name, bytesOf(reader.rawValues(c)).toString('base64'));
        else parts.push(JSON.stringify(reader.getRow(reader.rowCount - 1).map(String)));
      }
      return parts.join('|');
    } catch (error) {
      return isPermafrostError(error) ? `${error.code}: ${error.message}` : `not a PermafrostError: ${String(error)}`;
    }
  };
  const [eager, later] = [await outcome(true), await outcome(false)];
  return eager === later && !eager.startsWith('not a') ? undefined : `${eager.slice(0, 300)}\n!==\n${later.slice(0, 300)}`;
}

/** `open(path, { loadInto })` against `open(path)` + `loadInto()` (the multi-group schema's fixed-width columns). */
async function eagerIntoMatchesLater(path: string): Promise<string | undefined> {
  const outcome = async (eager: boolean): Promise<string> => {
    const targets = [
      { column: 0, nulls: new Uint8Array(ROWS), values: new BigInt64Array(ROWS) },
      { column: 2, nulls: new Uint8Array(ROWS), values: new Float64Array(ROWS) },
      { column: 3, nulls: new Uint8Array(ROWS), values: new Uint32Array(ROWS) },
    ];
    try {
      await using reader = await VolumeReader.open(path, eager ? { loadInto: targets } : {});
      if (!eager) await reader.loadInto(targets);
      return targets.map((x) => bytesOf(x.nulls).toString('base64') + bytesOf(x.values).toString('base64')).join('|');
    } catch (error) {
      return isPermafrostError(error) ? `${error.code}: ${error.message}` : `not a PermafrostError: ${String(error)}`;
    }
  };
  const [eager, later] = [await outcome(true), await outcome(false)];
  return eager === later && !eager.startsWith('not a') ? undefined : `${eager.slice(0, 300)}\n!==\n${later.slice(0, 300)}`;
}

/** `bytes` with one bit flipped and the file CRC made right again, so the damage gets past the checksum. */
function flipKeepingCrc(bytes: Buffer, bit: number): Buffer {
  const copy = Buffer.from(bytes);
  copy[bit >> 3]! ^= 1 << (bit & 7);
  copy.writeUInt32LE(zlibCrc32(copy.subarray(0, copy.length - 4)), copy.length - 4);
  return copy;
}

test('opening with loadAll behaves as loadAll after opening for bit flips that keep the CRC right', async (t) => {
  const dir = await tempDir(t);
  const bytes = small();
  const path = join(dir, 'flip.vol');
  // Every third bit (3 is prime to 8: every bit position of a byte comes up).
  for (let bit = 0; bit < (bytes.length - 4) * 8; bit += 3) {
    await writeFile(path, flipKeepingCrc(bytes, bit));
    const difference = await eagerMatchesLater(path, 5);
    if (difference !== undefined) t.fail(`bit ${bit}: ${difference}`);
  }
  t.pass();
});

test('opening a multi-group volume with loadAll or loadInto behaves as loading after opening for damaged headers, indexes and blocks', async (t) => {
  const source = await readFile(await multiGroupFile(t));
  const path = join(await tempDir(t), 'flip.vol');
  const indexAt = 20 + source.readUInt32LE(16);
  const bits = [
    ...Array.from({ length: 20 * 4 }, (_, i) => 2 * i + (i % 2)), // header
    ...Array.from({ length: 24 }, (_, i) => (20 + 4) * 8 + 2 * i), // metadata: first LZ4 bytes
    ...Array.from({ length: 48 }, (_, i) => indexAt * 8 + i * 59), // block index
    ...Array.from({ length: 16 }, (_, i) => (indexAt + 6 * 3 * 16 + 40 + i * 7919) * 8 + (i % 8)), // blocks
  ];
  for (const bit of bits) {
    await writeFile(path, flipKeepingCrc(source, bit));
    const difference = (await eagerMatchesLater(path, 6)) ?? (await eagerIntoMatchesLater(path));
    if (difference !== undefined) t.fail(`bit ${bit}: ${difference}`);
  }
  t.pass();
});

test('opening with loadInto fills the caller arrays as loadInto after opening does, in both modes', async (t) => {
  const path = await multiGroupFile(t);
  await using reference = await VolumeReader.open(path, { loadAll: true });
  for (const blocks of ['in-memory', 'on-demand'] as const) {
    const targets = [
      { column: 2, nulls: new Uint8Array(ROWS), values: new Float64Array(ROWS) },
      { column: 0, nulls: new Uint8Array(ROWS), values: new BigInt64Array(ROWS) },
      { column: 3, nulls: new Uint8Array(ROWS), values: new Uint32Array(ROWS) },
    ];
    await using reader = await VolumeReader.open(path, { blocks, loadInto: targets });
    for (const target of targets) {
      t.true(bytesOf(target.values).equals(bytesOf(reference.rawValues(target.column))), `${blocks} column ${target.column}`);
      t.true(bytesOf(target.nulls).equals(bytesOf(reference.nulls(target.column))), `${blocks} column ${target.column}`);
    }
    t.is(reader.getF64(2, 7), reference.getF64(2, 7));
  }
});

test('opening with loadInto refuses what loadInto refuses', async (t) => {
  const path = await multiGroupFile(t);
  const shared = new Uint8Array(ROWS);
  for (const loadInto of [
    [{ column: 2, nulls: new Uint8Array(ROWS), values: new BigInt64Array(ROWS) }],
    [{ column: 1, nulls: new Uint8Array(ROWS), values: new BigInt64Array(ROWS - 1) }],
    [{ column: 5, nulls: new Uint8Array(ROWS), values: new Uint8Array(ROWS) }],
    [{ column: 9, nulls: new Uint8Array(ROWS), values: new Uint8Array(ROWS) }],
    [{ column: 4, nulls: shared, values: new Uint8Array(ROWS) }, { column: 4, nulls: shared, values: new Uint8Array(ROWS) }],
  ]) {
    await t.throwsAsync(VolumeReader.open(path, { loadInto }), { code: 'ERR_INVALID_ARGUMENT' });
  }
});

test('opening on demand with loadAll reads the file once and stays on demand', async (t) => {
  const path = await multiGroupFile(t);
  const io = countingReader();
  await using reference = await VolumeReader.open(path, { loadAll: true });
  await using reader = await VolumeReader.open(path, { blocks: 'on-demand', loadAll: true, fileReader: io });
  t.is(reader.blockSource, 'on-demand');
  t.is(io.bytes, (await readFile(path)).length);
  for (let c = 0; c < 5; c += 1) {
    t.true(bytesOf(reader.rawValues(c)).equals(bytesOf(reference.rawValues(c))), `column ${c}`);
    t.true(bytesOf(reader.nulls(c)).equals(bytesOf(reference.nulls(c))), `column ${c}`);
  }
  t.deepEqual(reader.getRow(ROWS - 1), reference.getRow(ROWS - 1));
  const before = io.bytes;
  t.deepEqual(reader.getRow(5), reference.getRow(5)); // decoded already: nothing is read
  t.is(io.bytes, before);
});

test('a corrupt volume opened on demand with loadAll is refused as in memory', async (t) => {
  const path = await multiGroupFile(t, true);
  const bytes = await readFile(path);
  bytes[bytes.length - 100]! ^= 0x04;
  await writeFile(path, bytes);
  const error = await t.throwsAsync(VolumeReader.open(path, { blocks: 'on-demand', loadAll: true }));
  t.is((error as { code?: string }).code, 'ERR_CHECKSUM');
  t.true(error!.message.includes(path));
});
