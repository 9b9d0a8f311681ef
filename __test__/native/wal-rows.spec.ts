/**
 * The argument checks of the columnar draft bindings (crates/node/src/wal.rs): `walDraftRows`
 * and its pool twin `walDraftSealRowsAsync` refuse a malformed batch with ERR_INVALID_ARGUMENT
 * (the async one by rejecting), and an over-long row with ERR_LIMIT naming it.
 */
import test from 'ava';
import { callNative, callNativeAsync } from '../../ts/native';
import { RowColumnKind } from '../../ts/wal/row-columns';
import { WalOperation } from '../../ts/wal/wal-constants';

const EMPTY = new Uint8Array(0);
const TABLE = Buffer.from('t');
/** First LSN 1, previous 0, txn 1, timestamp 0. */
const HEADER = new Uint8Array(BigUint64Array.of(1n, 0n, 1n, 0n).buffer);
const ROW_IDS = new Uint8Array(BigInt64Array.of(1n, 2n).buffer);
const INT_VALUES = new Uint8Array(BigInt64Array.of(10n, 20n).buffer);
const KINDS = Uint8Array.of(RowColumnKind.Int64);
const NULL_TYPES = Uint8Array.of(1);

interface Batch {
  header: Uint8Array;
  operation: number;
  kinds: Uint8Array;
  columns: Uint8Array[];
}

const good: Batch = { header: HEADER, operation: WalOperation.Insert, kinds: KINDS, columns: [EMPTY, INT_VALUES, EMPTY] };

const drafted = (batch: Batch, out = Buffer.alloc(4096)): number =>
  callNative((b) => b.walDraftRows(out, 0, batch.header, TABLE, batch.operation, ROW_IDS, batch.kinds, NULL_TYPES, batch.columns, 0, 2));
const sealed = (batch: Batch, out = Buffer.alloc(4096)): Promise<number> =>
  callNativeAsync((b) => b.walDraftSealRowsAsync(out, batch.header, TABLE, batch.operation, ROW_IDS, batch.kinds, NULL_TYPES, batch.columns, 0, 2));

const malformed: Array<[string, Batch, RegExp]> = [
  ['a header shorter than four 64-bit fields', { ...good, header: HEADER.subarray(0, 24) }, /four 64-bit fields/],
  ['an operation that is not a byte', { ...good, operation: 256 }, /operation must be a byte/],
  ['two buffers for a column instead of three', { ...good, columns: [EMPTY, INT_VALUES] }, /three column buffers/],
  ['values that do not cover the rows', { ...good, columns: [EMPTY, INT_VALUES.subarray(0, 8), EMPTY] }, /8 value bytes for 2 rows/],
  ['an unknown column kind', { ...good, kinds: Uint8Array.of(250) }, /unknown row column kind 250/],
];

for (const [what, batch, message] of malformed) {
  test(`walDraftRows refuses ${what} with ERR_INVALID_ARGUMENT`, (t) => {
    t.throws(() => drafted(batch), { code: 'ERR_INVALID_ARGUMENT', message });
  });
  test(`walDraftSealRowsAsync rejects ${what} with ERR_INVALID_ARGUMENT`, async (t) => {
    await t.throwsAsync(sealed(batch), { code: 'ERR_INVALID_ARGUMENT', message });
  });
}

test('walDraftRows at an offset past the buffer is ERR_INVALID_ARGUMENT', (t) => {
  t.throws(() => callNative((b) => b.walDraftRows(Buffer.alloc(8), 9, HEADER, TABLE, WalOperation.Insert, ROW_IDS, KINDS, NULL_TYPES, good.columns, 0, 2)), {
    code: 'ERR_INVALID_ARGUMENT',
    message: /outside the buffer/,
  });
});

test('a row over the entry limit is ERR_LIMIT naming the row, sync and on the pool', async (t) => {
  const text = Buffer.alloc(65 << 20, 0x61);
  const offsets = new Uint8Array(Uint32Array.of(0, 1, text.length).buffer);
  const batch: Batch = { ...good, kinds: Uint8Array.of(RowColumnKind.Text), columns: [EMPTY, text, offsets] };
  t.throws(() => drafted(batch, Buffer.alloc(0)), { code: 'ERR_LIMIT', message: /row 1: WAL entry of \d+ bytes exceeds/ });
  await t.throwsAsync(sealed(batch, Buffer.alloc(0)), { code: 'ERR_LIMIT', message: /row 1: WAL entry of \d+ bytes exceeds/ });
});

test('too small an output is answered with minus the bytes needed, and nothing is written', async (t) => {
  const needed = -drafted(good, Buffer.alloc(0));
  t.true(needed > 0);
  const out = Buffer.alloc(needed - 1, 0xee);
  t.is(await sealed(good, out), -needed);
  t.true(out.every((byte) => byte === 0xee));
  t.true((await sealed(good, Buffer.alloc(needed))) > 0);
});
