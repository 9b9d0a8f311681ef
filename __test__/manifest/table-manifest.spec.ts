import test from 'ava';
import { crc32 as zlibCrc32 } from 'node:zlib';
import { PermafrostError } from '../../ts/index';
import { decodeTableManifest, encodeTableManifest, type TableManifest } from '../../ts/manifest/table-manifest';
import { bytes, i64, str16, str32, u32 } from '../helpers/bytes';

const u64 = (value: bigint): Buffer => {
  const buffer = Buffer.alloc(8);
  buffer.writeBigUInt64LE(value);
  return buffer;
};

const manifest: TableManifest = {
  nextSegmentId: 0x0006_2a1b_0000_0002n,
  checkpointLsn: 229n,
  tableName: 'users',
  segments: [
    { segmentId: 0x0006_2a1b_0000_0001n, rowCount: 13n, minRowId: 1n, maxRowId: 15n, creationLsn: 0n, sealSeq: 77n, schemaVersion: 1n, filePath: '' },
  ],
  tombstones: [{ rowId: 3n, commitSeq: 230n }],
  columnRenames: [{ oldName: 'mail', newName: 'email' }],
  droppedColumns: [{ name: 'legacy', schemaVersion: 2n }],
};

function seal(body: Buffer): Buffer {
  return Buffer.concat([body, u32(zlibCrc32(body))]);
}

/** Written out by hand from spec §6.1. */
const encoded = seal(
  bytes(
    '"STMF"', u32(6), u64(0x0006_2a1b_0000_0002n), u64(229n), str32('users'),
    u32(1), u64(0x0006_2a1b_0000_0001n), u64(13n), i64(1n), i64(15n), u64(0n), u64(77n), u64(1n), str32(''),
    u64(1n), i64(3n), u64(230n),
    u32(1), str16('mail'), str16('email'),
    u32(1), str16('legacy'), u64(2n),
  ),
);

test('a manifest encodes to the STMF v6 bytes of spec §6.1', (t) => {
  t.deepEqual(encodeTableManifest(manifest), encoded);
});

test('a manifest decodes from the STMF v6 bytes of spec §6.1', (t) => {
  t.deepEqual(decodeTableManifest(encoded), manifest);
});

test('the three trailing sections are optional on read', (t) => {
  const bare = seal(bytes('"STMF"', u32(6), u64(1n), u64(0n), str32('t'), u32(0)));
  t.deepEqual(decodeTableManifest(bare), {
    nextSegmentId: 1n,
    checkpointLsn: 0n,
    tableName: 't',
    segments: [],
    tombstones: [],
    columnRenames: [],
    droppedColumns: [],
  });
});

test('every truncation of a manifest is an error with a code', (t) => {
  for (let length = 0; length < encoded.length; length += 1) {
    const error = t.throws(() => decodeTableManifest(encoded.subarray(0, length)), { instanceOf: PermafrostError });
    t.true(['ERR_TRUNCATED', 'ERR_CHECKSUM', 'ERR_CORRUPT'].includes(error!.code), `length ${length}: ${error!.code}`);
  }
});

test('every single-bit flip of a manifest is an error with a code', (t) => {
  for (let offset = 0; offset < encoded.length; offset += 1) {
    for (let bit = 0; bit < 8; bit += 1) {
      const flipped = Buffer.from(encoded);
      flipped[offset]! ^= 1 << bit;
      t.throws(() => decodeTableManifest(flipped), { instanceOf: PermafrostError }, `offset ${offset} bit ${bit}`);
    }
  }
});

test('a manifest of another version is unsupported', (t) => {
  const other = seal(bytes('"STMF"', u32(5), u64(1n), u64(0n), str32('t'), u32(0)));
  t.throws(() => decodeTableManifest(other), { code: 'ERR_UNSUPPORTED_VERSION' });
});

test('a tombstone count beyond the bytes that remain is refused before allocating', (t) => {
  const bomb = seal(bytes('"STMF"', u32(6), u64(1n), u64(0n), str32('t'), u32(0), u64(1n << 60n)));
  t.throws(() => decodeTableManifest(bomb), { code: 'ERR_LIMIT' });
});

test('a segment count beyond the bytes that remain is refused before allocating', (t) => {
  const bomb = seal(bytes('"STMF"', u32(6), u64(1n), u64(0n), str32('t'), 'ffffffff'));
  t.throws(() => decodeTableManifest(bomb), { code: 'ERR_LIMIT' });
});

test('a truncated section after its count is an error even with a valid CRC', (t) => {
  const cut = seal(bytes('"STMF"', u32(6), u64(1n), u64(0n), str32('t'), u32(0), u64(1n), i64(3n)));
  t.throws(() => decodeTableManifest(cut), { code: 'ERR_LIMIT' });
});

test('bytes left over after the last section are corrupt', (t) => {
  const extra = seal(Buffer.concat([encoded.subarray(0, -4), Buffer.of(0)]));
  t.throws(() => decodeTableManifest(extra), { code: 'ERR_CORRUPT' });
});

test('errors name the manifest file', (t) => {
  const flipped = Buffer.from(encoded);
  flipped[10]! ^= 1;
  const error = t.throws<PermafrostError>(() => decodeTableManifest(flipped, 'volumes/users/manifest.bin'), { code: 'ERR_CHECKSUM' });
  t.is(error!.file, 'volumes/users/manifest.bin');
});
