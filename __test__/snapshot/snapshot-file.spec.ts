import test from 'ava';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 as zlibCrc32 } from 'node:zlib';
import { DataType, Json, PermafrostError, Timestamp, TypedNull } from '../../ts/index';
import { decodeSnapshotFile, readSnapshotFile } from '../../ts/snapshot/snapshot-file';
import { decodeSnapshotMeta } from '../../ts/snapshot/snapshot-meta';
import { V037_DB } from '../helpers/fixtures';

const SNAPSHOTS = join(V037_DB, 'snapshots');

function snapshotPath(table: string): string {
  const dir = join(SNAPSHOTS, table);
  return join(dir, readdirSync(dir).find((name) => name.startsWith('snapshot-'))!);
}

/** Rows per table at `PRAGMA SNAPSHOT` in create_v037db.sql (users lost ids 5 and 13 to DELETEs). */
const ROW_COUNTS: Record<string, number> = {
  documents: 8,
  events: 50,
  metrics: 25,
  nullable_types: 10,
  orders: 20,
  products: 10,
  users: 13,
  vectors: 15,
};

for (const [table, rowCount] of Object.entries(ROW_COUNTS)) {
  test(`the stoolap 0.3.7 snapshot of ${table} decodes with ${rowCount} rows at source LSN 229`, async (t) => {
    const snapshot = await readSnapshotFile(snapshotPath(table));
    t.is(snapshot.rows.length, rowCount);
    t.is(snapshot.header.sourceLsn, 229n);
    t.is(snapshot.schema.tableName, table);
    for (const row of snapshot.rows) t.is(row.version.values.length, snapshot.schema.columns.length);
  });
}

test('the users snapshot holds the rows of the SQL after its UPDATEs and DELETEs', async (t) => {
  const { rows, schema } = await readSnapshotFile(snapshotPath('users'));
  t.deepEqual(rows.map((row) => row.rowId), [1n, 2n, 3n, 4n, 6n, 7n, 8n, 9n, 10n, 11n, 12n, 14n, 15n]);
  t.deepEqual(schema.columns.map((c) => c.name), ['id', 'name', 'email', 'age', 'balance', 'active', 'created_at', 'metadata']);
  const alice = rows[0]!.version.values;
  t.deepEqual(alice, [
    1n,
    'Alice',
    'alice@example.com',
    30n,
    1100,
    true,
    Timestamp.fromDate(new Date('2024-01-15T10:30:00Z')),
    new Json('{"role": "admin", "tags": ["vip", "early", "updated"]}'),
  ]);
  const frank = rows.find((row) => row.rowId === 6n)!.version.values;
  t.is(frank[5], false, 'UPDATE users SET active = false WHERE id = 6');
});

test('NULLs in the snapshot are typed by their column', async (t) => {
  const { rows } = await readSnapshotFile(snapshotPath('nullable_types'));
  t.deepEqual(rows[1]!.version.values.slice(1), [
    TypedNull.of(DataType.Integer),
    TypedNull.of(DataType.Float),
    TypedNull.of(DataType.Text),
    TypedNull.of(DataType.Boolean),
    TypedNull.of(DataType.Timestamp),
    TypedNull.of(DataType.Json),
  ]);
});

test('vector rows decode to Float32Array with the schema dimension', async (t) => {
  const { rows, schema } = await readSnapshotFile(snapshotPath('vectors'));
  t.is(schema.columns[2]!.vectorDimensions, 4);
  t.deepEqual(rows[0]!.version.values[2], Float32Array.of(0.1, 0.2, 0.3, 0.4));
});

test('snapshot_meta.bin says LSN 229', (t) => {
  const meta = decodeSnapshotMeta(readFileSync(join(SNAPSHOTS, 'snapshot_meta.bin')));
  t.is(meta.lsn, 229n);
});

/** Recomputes the trailing CRC so a deliberate change reaches the checks behind it. */
function reseal(bytes: Buffer): Buffer {
  const copy = Buffer.from(bytes);
  copy.writeUInt32LE(zlibCrc32(copy.subarray(0, copy.length - 4)), copy.length - 4);
  return copy;
}

const small = readFileSync(snapshotPath('nullable_types'));

test('every truncation of a snapshot file is an error with a code', (t) => {
  for (let length = 0; length < small.length; length += 1) {
    const error = t.throws(() => decodeSnapshotFile(small.subarray(0, length), 'x.bin'), { instanceOf: PermafrostError });
    t.true(['ERR_TRUNCATED', 'ERR_CHECKSUM'].includes(error!.code), `length ${length}: ${error!.code}`);
  }
});

test('every single-bit flip of a snapshot file is detected', (t) => {
  let detected = 0;
  for (let offset = 0; offset < small.length; offset += 1) {
    for (let bit = 0; bit < 8; bit += 1) {
      const flipped = Buffer.from(small);
      flipped[offset]! ^= 1 << bit;
      const error = t.throws(() => decodeSnapshotFile(flipped), { instanceOf: PermafrostError });
      if (error) detected += 1;
    }
  }
  t.is(detected, small.length * 8);
});

test('a CRC mismatch names the file and the CRC offset', (t) => {
  const flipped = Buffer.from(small);
  flipped[100]! ^= 1;
  const error = t.throws<PermafrostError>(() => decodeSnapshotFile(flipped, 'snap.bin'), { code: 'ERR_CHECKSUM' });
  t.is(error!.file, 'snap.bin');
  t.is(error!.offset, small.length - 4);
});

test('a snapshot of another format version is unsupported', (t) => {
  const other = Buffer.from(small);
  other.writeUInt32LE(4, 8);
  t.throws(() => decodeSnapshotFile(reseal(other)), { code: 'ERR_UNSUPPORTED_VERSION' });
});

test('a bad header magic is corrupt', (t) => {
  const other = Buffer.from(small);
  other[0] = 0;
  t.throws(() => decodeSnapshotFile(reseal(other)), { code: 'ERR_CORRUPT' });
});

test('a row-data checksum mismatch is detected even when the file CRC was recomputed', (t) => {
  const other = Buffer.from(small);
  const footerAt = other.length - 4 - 64;
  other.writeUInt32LE(other.readUInt32LE(footerAt + 40) ^ 1, footerAt + 40);
  t.throws(() => decodeSnapshotFile(reseal(other)), { code: 'ERR_CHECKSUM' });
});

test('a row index entry pointing outside the row records is corrupt', (t) => {
  const other = Buffer.from(small);
  const footerAt = other.length - 4 - 64;
  const indexAt = Number(other.readBigUInt64LE(footerAt));
  other.writeBigUInt64LE(BigInt(footerAt), indexAt + 8);
  t.throws(() => decodeSnapshotFile(reseal(other)), { code: 'ERR_CORRUPT' });
});

test('a row count that does not tile the file is corrupt', (t) => {
  const other = Buffer.from(small);
  const footerAt = other.length - 4 - 64;
  other.writeBigUInt64LE(1n << 40n, footerAt + 16);
  t.throws(() => decodeSnapshotFile(reseal(other)), { code: 'ERR_CORRUPT' });
});

test('snapshot metadata with a bad CRC is a checksum error', (t) => {
  const meta = Buffer.from(readFileSync(join(SNAPSHOTS, 'snapshot_meta.bin')));
  meta[9]! ^= 1;
  t.throws(() => decodeSnapshotMeta(meta), { code: 'ERR_CHECKSUM' });
});

test('snapshot metadata of a newer version is unsupported', (t) => {
  const meta = Buffer.from(readFileSync(join(SNAPSHOTS, 'snapshot_meta.bin')));
  meta.writeUInt32LE(2, 4);
  meta.writeUInt32LE(zlibCrc32(meta.subarray(0, 24)), 24);
  t.throws(() => decodeSnapshotMeta(meta), { code: 'ERR_UNSUPPORTED_VERSION' });
});

test('short snapshot metadata is truncated', (t) => {
  t.throws(() => decodeSnapshotMeta(new Uint8Array(27)), { code: 'ERR_TRUNCATED' });
});
