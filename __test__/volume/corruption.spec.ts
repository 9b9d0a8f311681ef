import test from 'ava';
import { readFile, writeFile } from 'node:fs/promises';
import { crc32 as zlibCrc32 } from 'node:zlib';
import { Json, TypedNull } from '../../ts/codec/values';
import { VolumeBuilder, VolumeReader, isPermafrostError, writeVolume } from '../../ts/index';
import { DataType, schema, tempDir, volumeBytes } from './helpers';

const small = () =>
  volumeBytes(
    (b) => b.addRow(1, [1n, 'x', 0.5, true, new Json('{"a":1}')]).addRow(5, [null, 'y', null, false, null]),
    schema(['i', DataType.Integer], ['s', DataType.Text], ['f', DataType.Float], ['b', DataType.Boolean], ['j', DataType.Json]),
  );

const CODES = ['ERR_TRUNCATED', 'ERR_CORRUPT', 'ERR_CHECKSUM', 'ERR_LIMIT', 'ERR_UNKNOWN_TAG', 'ERR_UNSUPPORTED_VERSION'];

test('the sample volume reads back', async (t) => {
  const reader = await VolumeReader.fromBytes(small());
  t.deepEqual(reader.getRow(0), [1n, 'x', 0.5, true, new Json('{"a":1}')]);
  t.deepEqual(reader.getRow(1), [TypedNull.of(DataType.Integer), 'y', TypedNull.of(DataType.Float), false, TypedNull.of(DataType.Json)]);
});

test('every truncation of a volume is an error with a code', async (t) => {
  const bytes = small();
  for (let length = 0; length < bytes.length; length += 1) {
    const error = await t.throwsAsync(VolumeReader.fromBytes(bytes.subarray(0, length)));
    t.true(isPermafrostError(error) && CODES.includes(error.code), `length ${length}: ${String(error)}`);
  }
});

test('every single-bit flip of a volume is an error with a code', async (t) => {
  const bytes = small();
  let checked = 0;
  for (let bit = 0; bit < bytes.length * 8; bit += 1) {
    const copy = Buffer.from(bytes);
    copy[bit >> 3]! ^= 1 << (bit & 7);
    try {
      await VolumeReader.fromBytes(copy);
      t.fail(`flip of bit ${bit} was not detected`);
    } catch (error) {
      if (!isPermafrostError(error) || !CODES.includes(error.code)) t.fail(`bit ${bit}: ${String(error)}`);
      checked += 1;
    }
  }
  t.is(checked, bytes.length * 8);
});

/** Rewrites the trailing CRC so a structural defect is reached past the checksum. */
function recrc(bytes: Buffer): Buffer {
  bytes.writeUInt32LE(zlibCrc32(bytes.subarray(0, bytes.length - 4)), bytes.length - 4);
  return bytes;
}

test('a block claiming 4 GiB is refused at once with ERR_LIMIT', async (t) => {
  const bytes = Buffer.from(small());
  const indexAt = 20 + bytes.readUInt32LE(16);
  bytes.writeBigUInt64LE(4n << 30n, indexAt + 4 * 16);
  bytes.writeBigUInt64LE(4n << 30n, indexAt + 4 * 16 + 8);
  const error = await t.throwsAsync(VolumeReader.fromBytes(recrc(bytes)));
  t.is((error as { code?: string }).code, 'ERR_LIMIT');
});

test('bytes after the CRC are an error', async (t) => {
  const error = await t.throwsAsync(VolumeReader.fromBytes(Buffer.concat([small(), Buffer.from([0])])));
  t.true(isPermafrostError(error));
});

test('an unknown version is ERR_UNSUPPORTED_VERSION', async (t) => {
  const bytes = Buffer.from(small());
  bytes.writeUInt32LE(2, 4);
  t.is(((await t.throwsAsync(VolumeReader.fromBytes(recrc(bytes)))) as { code?: string }).code, 'ERR_UNSUPPORTED_VERSION');
});

test('a corrupt file on disk is ERR_CHECKSUM naming the file', async (t) => {
  const dir = await tempDir(t);
  const b = new VolumeBuilder(schema(['i', DataType.Integer]));
  b.addRow(1, [5n]);
  const path = await writeVolume(dir, 't', 9n, b.finish());
  const bytes = await readFile(path);
  bytes[bytes.length - 6]! ^= 0x10;
  await writeFile(path, bytes);
  const error = await t.throwsAsync(VolumeReader.open(path));
  t.is((error as { code?: string }).code, 'ERR_CHECKSUM');
  t.true(error!.message.includes(path));
});

test('a missing volume file is ERR_NOT_FOUND', async (t) => {
  const dir = await tempDir(t);
  t.is(((await t.throwsAsync(VolumeReader.open(`${dir}/nope.vol`))) as { code?: string }).code, 'ERR_NOT_FOUND');
});
