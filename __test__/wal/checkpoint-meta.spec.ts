/** checkpoint.meta (format version 2, "IOPC"): exact bytes, and strict decoding of bad input. */
import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from '../../ts/checksum';
import type { PermafrostError } from '../../ts/errors';
import { decodeCheckpointMeta, encodeCheckpointMeta, type CheckpointMeta } from '../../ts/wal/checkpoint-meta';
import { FIXTURE_WAL_DIR } from './helpers/temp-dir';

const fixture = readFileSync(join(FIXTURE_WAL_DIR, 'checkpoint.meta'));

/** Re-seals `bytes` with a correct CRC after a test edits them. */
function reseal(bytes: Buffer): Buffer {
  bytes.writeUInt32LE(crc32(bytes.subarray(0, bytes.length - 4)), bytes.length - 4);
  return bytes;
}

const sample: CheckpointMeta = {
  lsn: 42n,
  timestampNanos: 1_774_097_320_000_000_000n,
  walFile: 'wal_00000002-20260321-124840-lsn-40.log',
  previousWalFile: 'wal-20260321-124840-lsn-0.log',
  consistent: false,
  activeTransactions: [7n, 9n],
  committedTransactions: [{ txnId: 5n, commitLsn: 30n }],
};

test('encoding the decoded fixture gives stoolap’s 94 bytes exactly', (t) => {
  t.is(fixture.length, 94);
  t.true(encodeCheckpointMeta(decodeCheckpointMeta(fixture)).equals(fixture));
});

test('the magic bytes on disk spell IOPC', (t) => {
  t.is(encodeCheckpointMeta(sample).subarray(0, 4).toString('latin1'), 'IOPC');
});

test('every section round-trips', (t) => {
  t.deepEqual(decodeCheckpointMeta(encodeCheckpointMeta(sample)), sample);
});

test('the committed-transactions section is written only when non-empty', (t) => {
  const bytes = encodeCheckpointMeta({ ...sample, committedTransactions: [] });
  t.is(bytes.readUInt16LE(24), 2);
});

test('a CRC mismatch is ERR_CHECKSUM', (t) => {
  const bytes = Buffer.from(fixture);
  bytes[40]! ^= 1;
  t.throws(() => decodeCheckpointMeta(bytes), { code: 'ERR_CHECKSUM' });
});

test('a bad magic is ERR_CORRUPT at offset 0', (t) => {
  const bytes = Buffer.from(fixture);
  bytes[0] = 0x58;
  const error = t.throws<PermafrostError>(() => decodeCheckpointMeta(reseal(bytes)));
  t.is(error?.code, 'ERR_CORRUPT');
  t.is(error?.offset, 0);
});

test('another version is ERR_UNSUPPORTED_VERSION', (t) => {
  const bytes = Buffer.from(fixture);
  bytes[4] = 3;
  t.throws(() => decodeCheckpointMeta(reseal(bytes)), { code: 'ERR_UNSUPPORTED_VERSION' });
});

test('a file shorter than header and CRC is ERR_TRUNCATED', (t) => {
  t.throws(() => decodeCheckpointMeta(fixture.subarray(0, 35)), { code: 'ERR_TRUNCATED' });
});

test('a section size that overruns the file is ERR_TRUNCATED', (t) => {
  const bytes = Buffer.from(fixture);
  bytes.writeUInt32LE(1000, 32 + 4);
  t.throws(() => decodeCheckpointMeta(reseal(bytes)), { code: 'ERR_TRUNCATED' });
});

test('a section count larger than the file is ERR_LIMIT', (t) => {
  const bytes = Buffer.from(fixture);
  bytes.writeUInt16LE(60_000, 24);
  t.throws(() => decodeCheckpointMeta(reseal(bytes)), { code: 'ERR_LIMIT' });
});

test('an unknown section type is ERR_UNKNOWN_TAG at its header', (t) => {
  const bytes = Buffer.from(fixture);
  bytes.writeUInt16LE(9, 40);
  const error = t.throws<PermafrostError>(() => decodeCheckpointMeta(reseal(bytes)));
  t.is(error?.code, 'ERR_UNKNOWN_TAG');
  t.is(error?.offset, 40);
});

test('an active-transaction count that disagrees with its section is ERR_LIMIT', (t) => {
  const bytes = encodeCheckpointMeta(sample);
  const activeAt = 32 + 3 * 8 + (1 + 2 + sample.walFile.length + 2 + sample.previousWalFile!.length);
  bytes.writeBigUInt64LE(1n << 40n, activeAt);
  t.throws(() => decodeCheckpointMeta(reseal(bytes)), { code: 'ERR_LIMIT' });
});

test('a WAL file name that is not UTF-8 is ERR_CORRUPT', (t) => {
  const bytes = Buffer.from(fixture);
  bytes[51] = 0xff;
  t.throws(() => decodeCheckpointMeta(reseal(bytes)), { code: 'ERR_CORRUPT' });
});
