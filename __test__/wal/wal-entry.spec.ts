/**
 * Entry framing version 2: the byte layout, compression rule, header checksum, and every
 * kind of bad input giving an error with a code and an offset.
 */
import test, { type ExecutionContext } from 'ava';
import { readFileSync } from 'node:fs';
import { crc32 } from '../../ts/checksum';
import type { ErrorCode, PermafrostError } from '../../ts/errors';
import { DraftBuffer, type EntryFields } from '../../ts/wal/draft-buffer';
import { EntryLayout, WalFlag, WalOperation } from '../../ts/wal/wal-constants';
import { decodeWalEntries } from '../../ts/wal/wal-reader';
import { FIXTURE_WAL_FILE } from './helpers/temp-dir';

function entry(overrides: Partial<EntryFields> = {}): EntryFields {
  return {
    lsn: 1n,
    previousLsn: 0n,
    flags: 0,
    txnId: 5n,
    tableName: Buffer.from('users'),
    rowId: 9n,
    operation: WalOperation.Insert,
    timestampNanos: 1_774_097_320_000_000_000n,
    payload: Buffer.from('abc'),
    ...overrides,
  };
}

function seal(...entries: EntryFields[]): Buffer {
  const drafts = new DraftBuffer(64);
  for (const fields of entries) drafts.append(fields);
  return Buffer.from(drafts.seal());
}

test('an entry starts with the bytes "WALE", version 2 and a 32-byte header', (t) => {
  const bytes = seal(entry());
  t.is(bytes.subarray(0, 4).toString('latin1'), 'WALE');
  t.is(bytes[4], 2);
  t.is(bytes.readUInt16LE(6), 32);
  t.is(bytes.readBigUInt64LE(8), 1n);
  t.is(bytes.readUInt32LE(24), EntryLayout.dataFixedBytes + 5 + 3);
  t.is(bytes.length, 32 + 31 + 5 + 3 + 4);
});

test('the trailing CRC covers the data portion only', (t) => {
  const bytes = seal(entry());
  t.is(bytes.readUInt32LE(bytes.length - 4), crc32(bytes.subarray(32, bytes.length - 4)));
});

test('the reserved header field holds CRC32 of header bytes 0..28', (t) => {
  const bytes = seal(entry());
  t.is(bytes.readUInt32LE(28), crc32(bytes.subarray(0, 28)));
});

test('header layout constants chain: each field starts where the previous ends', (t) => {
  const L = EntryLayout;
  t.deepEqual(
    [L.flagsOffset, L.headerSizeOffset, L.lsnOffset, L.previousLsnOffset, L.entrySizeOffset, L.headerChecksumOffset, L.headerBytes],
    [4 + 1, 5 + 1, 6 + 2, 8 + 8, 16 + 8, 24 + 4, 28 + 4],
  );
});

test('payloads of 64 bytes or more are LZ4+size compressed when that is shorter', (t) => {
  const raw = Buffer.alloc(200, 'x');
  const bytes = seal(entry({ payload: raw }));
  t.is(bytes[5]! & WalFlag.Compressed, WalFlag.Compressed);
  const [decoded] = decodeWalEntries(bytes);
  t.deepEqual(decoded!.payload, raw);
  t.true(bytes.length < 32 + 31 + 5 + 200 + 4);
});

test('a 63-byte payload is never compressed', (t) => {
  const bytes = seal(entry({ payload: Buffer.alloc(63, 'x') }));
  t.is(bytes[5]! & WalFlag.Compressed, 0);
});

test('an incompressible payload stays raw', (t) => {
  const payload = Buffer.from(Array.from({ length: 100 }, (_, i) => (i * 151 + 7) % 256));
  const bytes = seal(entry({ payload }));
  t.is(bytes[5]! & WalFlag.Compressed, 0);
  t.deepEqual(decodeWalEntries(bytes)[0]!.payload, payload);
});

test('every fixture entry re-encoded from its fields gives stoolap’s bytes (reserved field aside)', (t) => {
  const original = readFileSync(FIXTURE_WAL_FILE);
  const entries = decodeWalEntries(original);
  const drafts = new DraftBuffer();
  for (const decoded of entries) {
    drafts.append({
      lsn: decoded.lsn,
      previousLsn: decoded.previousLsn,
      flags: decoded.flags & ~WalFlag.Compressed,
      txnId: decoded.txnId,
      tableName: Buffer.from(decoded.tableName),
      rowId: decoded.rowId,
      operation: decoded.operation,
      timestampNanos: decoded.timestamp,
      payload: decoded.payload,
    });
  }
  const ours = Buffer.from(drafts.seal());
  t.is(ours.length, original.length);
  for (const decoded of entries) ours.writeUInt32LE(0, decoded.offset + 28);
  t.true(ours.equals(original));
});

function expectDamage(t: ExecutionContext, bytes: Uint8Array, code: ErrorCode, offset: number): void {
  const error = t.throws<PermafrostError>(() => decodeWalEntries(bytes, 'x.log'));
  t.is(error?.code, code);
  t.is(error?.offset, offset);
  t.is(error?.file, 'x.log');
}

test('bad magic is ERR_CORRUPT at the entry offset', (t) => {
  const bytes = seal(entry(), entry({ lsn: 2n }));
  const second = bytes.length / 2;
  bytes.write('XALE', second, 'latin1');
  expectDamage(t, bytes, 'ERR_CORRUPT', second);
});

test('an entry size above 64 MiB is ERR_LIMIT (a stoolap entry without header checksum)', (t) => {
  const bytes = seal(entry());
  bytes.writeUInt32LE(0, 28);
  bytes.writeUInt32LE(EntryLayout.dataBytesMax + 1, 24);
  expectDamage(t, bytes, 'ERR_LIMIT', 0);
});

test('a changed header field is ERR_CHECKSUM through the header checksum', (t) => {
  const bytes = seal(entry());
  bytes.writeUInt32LE(bytes.readUInt32LE(24) + 1, 24);
  expectDamage(t, bytes, 'ERR_CHECKSUM', 0);
});

test('an unknown operation with a valid CRC is ERR_UNKNOWN_TAG', (t) => {
  expectDamage(t, seal(entry({ operation: 14 })), 'ERR_UNKNOWN_TAG', 0);
  expectDamage(t, seal(entry({ operation: 0 })), 'ERR_UNKNOWN_TAG', 0);
});

test('a table name that is not UTF-8 is ERR_CORRUPT', (t) => {
  expectDamage(t, seal(entry({ tableName: Buffer.from([0x75, 0xff, 0xfe]) })), 'ERR_CORRUPT', 0);
});

test('an LSN going backwards is ERR_CORRUPT at the offending entry', (t) => {
  const first = seal(entry({ lsn: 5n }));
  const bytes = Buffer.concat([first, seal(entry({ lsn: 4n }))]);
  expectDamage(t, bytes, 'ERR_CORRUPT', first.length);
});

test('a flipped data byte is ERR_CHECKSUM', (t) => {
  const bytes = seal(entry());
  bytes[40]! ^= 0x10;
  expectDamage(t, bytes, 'ERR_CHECKSUM', 0);
});

test('a truncated entry is ERR_TRUNCATED', (t) => {
  const bytes = seal(entry());
  expectDamage(t, bytes.subarray(0, bytes.length - 1), 'ERR_TRUNCATED', 0);
});

test('a commit flag on an Insert is ERR_CORRUPT', (t) => {
  expectDamage(t, seal(entry({ flags: WalFlag.CommitMarker })), 'ERR_CORRUPT', 0);
});

test('an LSN of 0 is ERR_CORRUPT', (t) => {
  expectDamage(t, seal(entry({ lsn: 0n })), 'ERR_CORRUPT', 0);
});

test('a compressed payload declaring an impossible size is ERR_CORRUPT', (t) => {
  const bytes = seal(entry({ payload: Buffer.alloc(200, 'x') }));
  const prefixAt = 32 + 31 + 5;
  bytes.writeUInt32LE(0x7fffffff, prefixAt);
  const data = bytes.subarray(32, bytes.length - 4);
  bytes.writeUInt32LE(crc32(data), bytes.length - 4);
  expectDamage(t, bytes, 'ERR_CORRUPT', 0);
});

test('a table name over 65535 bytes or an entry over 64 MiB is refused with ERR_LIMIT', (t) => {
  const drafts = new DraftBuffer(64);
  t.throws(() => drafts.append(entry({ tableName: Buffer.alloc(70_000) })), { code: 'ERR_LIMIT' });
  t.throws(() => drafts.append(entry({ payload: Buffer.alloc(EntryLayout.dataBytesMax) })), { code: 'ERR_LIMIT' });
  t.is(drafts.length, 0);
});
