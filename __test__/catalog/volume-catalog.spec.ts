import test from 'ava';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 as zlibCrc32 } from 'node:zlib';
import { CATALOG_FILE_NAME, VolumeCatalog, isPermafrostError, readCatalog, writeCatalog } from '../../ts/index';

const entry = (volumeId: bigint, rowCount: bigint, timeMinMicros: bigint, timeMaxMicros: bigint) => ({ volumeId, rowCount, timeMinMicros, timeMaxMicros });

function sample(): VolumeCatalog {
  const catalog = new VolumeCatalog();
  catalog.addVolume('candlesticks_t1m', entry(1000n, 500_000n, 1_700_000_000_000_000n, 1_700_100_000_000_000n));
  catalog.addVolume('candlesticks_t1m', entry(2000n, 300_000n, 1_700_100_000_000_000n, 1_700_200_000_000_000n));
  catalog.addVolume('tickers', entry(3000n, 100n, 0n, 0n));
  return catalog;
}

test('catalog round trip (test_catalog_roundtrip)', (t) => {
  const loaded = VolumeCatalog.deserialize(sample().serialize());
  t.is(loaded.getVolumes('candlesticks_t1m').length, 2);
  t.is(loaded.getVolumes('tickers').length, 1);
  t.is(loaded.getVolumes('nonexistent').length, 0);
  t.is(loaded.getVolumes('candlesticks_t1m')[0]!.rowCount, 500_000n);
});

test('catalog disk round trip (test_catalog_disk_roundtrip)', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'permafrost-catalog-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const catalog = new VolumeCatalog();
  catalog.addVolume('t1', entry(42n, 1000n, 100n, 200n));
  await writeCatalog(dir, catalog);
  const loaded = await readCatalog(dir);
  t.is(loaded.getVolumes('t1').length, 1);
  t.is(loaded.getVolumes('t1')[0]!.volumeId, 42n);
});

test('a missing catalog file reads as an empty catalog', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'permafrost-catalog-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  t.deepEqual((await readCatalog(dir)).tableNames(), []);
});

test('serialization is the documented layout, tables in UTF-8 byte order', (t) => {
  const catalog = new VolumeCatalog();
  catalog.addVolume('b', entry(7n, 1n, -5n, 9n));
  catalog.addVolume('a', entry(8n, 2n, 3n, 4n));
  const expected = Buffer.alloc(12 + 2 * (4 + 1 + 4 + 32));
  expected.write('STVC', 0, 'latin1');
  expected.writeUInt32LE(1, 4);
  expected.writeUInt32LE(2, 8);
  let at = 12;
  for (const [name, id, rows, min, max] of [['a', 8n, 2n, 3n, 4n], ['b', 7n, 1n, -5n, 9n]] as const) {
    at = expected.writeUInt32LE(1, at);
    at += expected.write(name, at);
    at = expected.writeUInt32LE(1, at);
    at = expected.writeBigUInt64LE(id, at);
    at = expected.writeBigUInt64LE(rows, at);
    at = expected.writeBigInt64LE(min, at);
    at = expected.writeBigInt64LE(max, at);
  }
  const crc = Buffer.alloc(4);
  crc.writeUInt32LE(zlibCrc32(expected));
  t.deepEqual(catalog.serialize(), Buffer.concat([expected, crc]));
});

test('volumesOverlapping returns the volumes whose time range meets the interval', (t) => {
  const catalog = sample();
  const ids = (from: bigint, to: bigint) => catalog.volumesOverlapping('candlesticks_t1m', from, to).map((e) => e.volumeId);
  t.deepEqual(ids(0n, 1_600_000_000_000_000n), []);
  t.deepEqual(ids(1_700_050_000_000_000n, 1_700_060_000_000_000n), [1000n]);
  t.deepEqual(ids(1_700_100_000_000_000n, 1_700_100_000_000_000n), [1000n, 2000n]);
  t.deepEqual(ids(1_700_150_000_000_000n, 2_000_000_000_000_000n), [2000n]);
});

test('every truncation of a catalog is an error with a code', (t) => {
  const bytes = sample().serialize();
  for (let length = 0; length < bytes.length; length += 1) {
    const error = t.throws(() => VolumeCatalog.deserialize(bytes.subarray(0, length)));
    t.true(isPermafrostError(error) && ['ERR_TRUNCATED', 'ERR_CHECKSUM', 'ERR_CORRUPT'].includes(error.code), `length ${length}`);
  }
});

test('every single-bit flip of a catalog is an error with a code', (t) => {
  const bytes = sample().serialize();
  for (let bit = 0; bit < bytes.length * 8; bit += 1) {
    const copy = Buffer.from(bytes);
    copy[bit >> 3]! ^= 1 << (bit & 7);
    const error = t.throws(() => VolumeCatalog.deserialize(copy));
    t.true(isPermafrostError(error) && ['ERR_CHECKSUM', 'ERR_CORRUPT'].includes(error.code), `bit ${bit}`);
  }
});

function withCrc(body: Buffer): Buffer {
  const crc = Buffer.alloc(4);
  crc.writeUInt32LE(zlibCrc32(body));
  return Buffer.concat([body, crc]);
}

test('a catalog claiming more entries than its bytes hold is ERR_LIMIT before allocating', (t) => {
  const body = Buffer.alloc(12 + 4 + 1 + 4);
  body.write('STVC', 0, 'latin1');
  body.writeUInt32LE(1, 4);
  body.writeUInt32LE(1, 8);
  body.writeUInt32LE(1, 12);
  body.write('t', 16);
  body.writeUInt32LE(0xffff_ffff, 17);
  t.is((t.throws(() => VolumeCatalog.deserialize(withCrc(body))) as { code?: string }).code, 'ERR_LIMIT');
});

test('an unknown catalog version is ERR_UNSUPPORTED_VERSION', (t) => {
  const body = Buffer.alloc(12);
  body.write('STVC', 0, 'latin1');
  body.writeUInt32LE(2, 4);
  t.is((t.throws(() => VolumeCatalog.deserialize(withCrc(body))) as { code?: string }).code, 'ERR_UNSUPPORTED_VERSION');
});

test('a corrupt catalog file is an error naming the file', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'permafrost-catalog-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await writeCatalog(dir, sample());
  const path = join(dir, CATALOG_FILE_NAME);
  const bytes = await readFile(path);
  bytes[20]! ^= 1;
  await writeFile(path, bytes);
  const error = await t.throwsAsync(readCatalog(dir));
  t.is((error as { code?: string }).code, 'ERR_CHECKSUM');
  t.true(error?.message.includes(path));
});
