// A small volume computed by hand from spec §5.2–§5.7, byte for byte. LZ4 bytes come from
// lz4Compress (lz4_flex 0.13.0, stoolap's encoder); the bloom bits from an independent
// BigInt FNV-1a here; the CRC from node:zlib.
import test from 'ava';
import { crc32 as zlibCrc32 } from 'node:zlib';
import { lz4Compress, lz4CompressSizePrepended } from '../../ts/index';
import { DataType, schema, volumeBytes } from './helpers';

const u32 = (v: number) => { const b = Buffer.alloc(4); b.writeUInt32LE(v); return b; };
const u64 = (v: bigint) => { const b = Buffer.alloc(8); b.writeBigUInt64LE(v); return b; };
const i64 = (v: bigint) => { const b = Buffer.alloc(8); b.writeBigInt64LE(v); return b; };
const text = (s: string) => Buffer.concat([u32(Buffer.byteLength(s)), Buffer.from(s)]);

/** stoolap's bloom insert with BigInt arithmetic, as the spec states it. */
function bloom(numBits: bigint, hashes: Buffer[]): Buffer {
  const words = new BigUint64Array(Number((numBits + 63n) / 64n));
  for (const bytes of hashes) {
    let h = 0xcbf29ce484222325n;
    for (const b of bytes) h = BigInt.asUintN(64, (h ^ BigInt(b)) * 0x100000001b3n);
    const h2 = h >> 32n;
    for (let i = 0n; i < 3n; i += 1n) {
      const bit = BigInt.asUintN(64, h + i * h2) % numBits;
      words[Number(bit / 64n)]! |= 1n << (bit % 64n);
    }
  }
  return Buffer.from(words.buffer);
}

test('a two-column volume is byte-identical to the hand-computed STV4 file', (t) => {
  const got = volumeBytes((b) => b.addRow(1, [1n, 'a']).addRow(2, [2n, 'b']).addRow(3, [3n, 'a']), schema(['id', DataType.Integer], ['name', DataType.Text]));
  const metadata = Buffer.concat([
    u64(3n), u32(2),
    Buffer.from([1, 1]), u32(0), // INT64, sorted
    Buffer.from([5, 0]), u32(2), // DICTIONARY of 2 strings
    u32(2), text('a'), text('b'), // shared dictionary, first appearance order
    i64(1n), i64(2n), i64(3n), // row ids
    Buffer.from([1]), i64(1n), Buffer.from([1]), i64(3n), u32(0), u32(3), // zone map id
    Buffer.from([3]), text('a'), Buffer.from([3]), text('b'), u32(0), u32(3), // zone map name
    u32(2),
    u64(64n), u32(8), bloom(64n, [1n, 2n, 3n].map((v) => Buffer.concat([Buffer.from([1]), i64(v)]))),
    u64(64n), u32(8), bloom(64n, ['a', 'b'].map((s) => Buffer.concat([Buffer.from([3]), Buffer.from(s)]))),
    u64(3n), u64(3n), u32(2), // stats
    i64(6n), i64(0n), Buffer.alloc(8), u64(3n), u64(3n), Buffer.from([1]), i64(1n), Buffer.from([1]), i64(3n),
    Buffer.alloc(16), Buffer.alloc(8), u64(0n), u64(3n), Buffer.from([3]), text('a'), Buffer.from([3]), text('b'),
    text('id'), text('name'), // names
    Buffer.from([1, 3]), // types
    u32(0), // no row groups for R ≤ 65,536
  ]);
  const wrapped = lz4CompressSizePrepended(metadata);
  const stored = (raw: Buffer) => { const c = lz4Compress(raw); return c.length < raw.length ? c : raw; };
  const idBlock = Buffer.concat([Buffer.from([0, 0, 0]), i64(1n), i64(2n), i64(3n)]);
  const nameBlock = Buffer.concat([Buffer.from([0, 0, 0]), u32(0), u32(1), u32(0)]);
  const blocks = [stored(idBlock), stored(nameBlock)];
  const body = Buffer.concat([
    Buffer.from('STV4'), u32(1), u32(2), u32(1), u32(wrapped.length),
    wrapped,
    u64(BigInt(blocks[0]!.length)), u64(27n), u64(BigInt(blocks[1]!.length)), u64(15n),
    ...blocks,
  ]);
  const expected = Buffer.concat([body, u32(zlibCrc32(body))]);
  t.deepEqual(got, expected);
});

test('with compression off every block is stored raw, and the metadata is still LZ4', (t) => {
  const rows = (b: { addRow(id: number, row: unknown[]): unknown }) => { for (let i = 0; i < 100; i += 1) b.addRow(i, [0n]); };
  const on = volumeBytes(rows, schema(['z', DataType.Integer]), true);
  const off = volumeBytes(rows, schema(['z', DataType.Integer]), false);
  t.true(off.length > on.length);
  const metaLen = off.readUInt32LE(16);
  const indexAt = 20 + metaLen;
  t.is(off.readBigUInt64LE(indexAt), 900n);
  t.is(off.readBigUInt64LE(indexAt + 8), 900n);
  t.true(on.readBigUInt64LE(20 + on.readUInt32LE(16)) < 900n);
});
