/**
 * Truncation: what it keeps, its marker, open transactions, a crash at every step of its
 * protocol, and long rotation + checkpoint + truncation cycles.
 */
import test from 'ava';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PersistenceManager } from '../../ts/persistence/persistence-manager';
import { decodeCheckpointMeta } from '../../ts/wal/checkpoint-meta';
import { DataType } from '../../ts/codec/data-type';
import { RowColumnKind } from '../../ts/wal/row-columns';
import { MARKER_TXN_ID, WalOperation } from '../../ts/wal/wal-constants';
import { decodeWalEntries } from '../../ts/wal/wal-reader';
import { FaultyFileSystem, type FaultOp } from './helpers/faulty-fs';
import { silenceWarnings, tempDir } from './helpers/temp-dir';

silenceWarnings();

const payloadOf = (txn: bigint) => Buffer.from(`row of transaction ${txn}`);

async function commitRow(pm: PersistenceManager): Promise<bigint> {
  const txn = pm.allocateTxnId();
  pm.recordDml(txn, 't', 1n, WalOperation.Insert, payloadOf(txn));
  await pm.commit(txn);
  return txn;
}

/** Committed rows after reopening: txn → payloads (text). */
async function replayRows(dir: string): Promise<Map<bigint, string[]>> {
  await using pm = await PersistenceManager.open(dir);
  const rows = new Map<bigint, string[]>();
  await pm.replayTwoPhase(0n, (entry) => {
    if (entry.operation !== WalOperation.Insert) return;
    rows.set(entry.txnId, [...(rows.get(entry.txnId) ?? []), entry.payload.toString()]);
  });
  return rows;
}

function walFiles(dir: string): string[] {
  return readdirSync(join(dir, 'wal'))
    .filter((name) => name.endsWith('.log'))
    .sort();
}

test('truncation keeps exactly the entries above the truncation point in wal-<now>-lsn-<N>.log', async (t) => {
  const dir = tempDir(t);
  const pm = await PersistenceManager.open(dir, { syncMode: 'full' });
  const early = [await commitRow(pm), await commitRow(pm)];
  const checkpoint = await pm.createCheckpoint();
  const late = [await commitRow(pm), await commitRow(pm)];
  await pm.truncateWal(checkpoint);
  const [file] = walFiles(dir);
  t.regex(file!, new RegExp(`^wal-\\d{8}-\\d{6}-lsn-${checkpoint}\\.log$`));
  t.true(decodeWalEntries(readFileSync(join(dir, 'wal', file!))).every((entry) => entry.lsn > checkpoint));
  t.is(decodeCheckpointMeta(readFileSync(join(dir, 'wal', 'checkpoint.meta'))).walFile, file!);
  await pm.close();
  const rows = await replayRows(dir);
  t.deepEqual([...rows.keys()], late);
  t.false(early.some((txn) => rows.has(txn)));
});

test('when nothing is left, truncation writes the marker entry and the next entry does not reuse its LSN', async (t) => {
  const dir = tempDir(t);
  await using pm = await PersistenceManager.open(dir, { syncMode: 'full' });
  await commitRow(pm);
  const checkpoint = await pm.createCheckpoint();
  await pm.truncateWal(checkpoint);
  const [marker] = decodeWalEntries(readFileSync(join(dir, 'wal', walFiles(dir)[0]!)));
  t.like(marker, { lsn: checkpoint + 1n, previousLsn: 0n, txnId: MARKER_TXN_ID, operation: WalOperation.Commit, flags: 0 });
  t.is(pm.currentLsn, checkpoint + 1n);
  const next = pm.allocateTxnId();
  t.is(pm.recordDml(next, 't', 1n, WalOperation.Insert, payloadOf(next)), checkpoint + 2n);
  await pm.commit(next);
});

test('the entries of a transaction still open are kept by truncation', async (t) => {
  const dir = tempDir(t);
  const pm = await PersistenceManager.open(dir, { syncMode: 'full' });
  const open = pm.allocateTxnId();
  pm.recordDml(open, 't', 1n, WalOperation.Insert, payloadOf(open));
  await commitRow(pm);
  const checkpoint = await pm.createCheckpoint();
  await pm.truncateWal(checkpoint);
  await pm.commit(open);
  await pm.close();
  t.deepEqual((await replayRows(dir)).get(open), [payloadOf(open).toString()]);
});

/** Runs `hook` once, at the next `open` (truncation opens its temp copy with the writer held). */
class OpenHookFileSystem extends FaultyFileSystem {
  hook: (() => void) | undefined;
  override open(path: string, flags: string | number, mode?: number): Promise<number> {
    const hook = this.hook;
    this.hook = undefined;
    hook?.();
    return super.open(path, flags, mode);
  }
}

test('a columnar batch recorded while truncation holds the writer is staged, then written after it', async (t) => {
  const dir = tempDir(t);
  const fileSystem = new OpenHookFileSystem();
  const pm = await PersistenceManager.open(dir, { syncMode: 'full', fileSystem });
  await commitRow(pm);
  const checkpoint = await pm.createCheckpoint();
  await commitRow(pm);
  const txn = pm.allocateTxnId();
  let committed: Promise<bigint> | undefined;
  fileSystem.hook = () => {
    const rowIds = BigInt64Array.of(7n, 8n);
    const columns = {
      kinds: Uint8Array.of(RowColumnKind.Int64),
      nullTypes: Uint8Array.of(DataType.Integer),
      buffers: [new Uint8Array(0), new Uint8Array(BigInt64Array.of(70n, 80n).buffer), new Uint8Array(0)],
    };
    pm.recordInsertBatch(txn, 't', new Uint8Array(rowIds.buffer), 2, columns);
    committed = pm.commit(txn);
  };
  await pm.truncateWal(checkpoint);
  t.not(committed, undefined, 'truncation opened its temp copy');
  await committed;
  await pm.close();
  await using reopened = await PersistenceManager.open(dir);
  const rowIdsSeen: bigint[] = [];
  await reopened.replayTwoPhase(0n, (entry) => {
    if (entry.txnId === txn && entry.operation === WalOperation.Insert) rowIdsSeen.push(entry.rowId);
  });
  t.deepEqual(rowIdsSeen, [7n, 8n]);
});

const CRASH_POINTS: Array<[FaultOp, number, string]> = [
  ['open', 1, 'creating the temp copy'],
  ['fdatasync', 1, 'syncing the temp copy'],
  ['rename', 1, 'renaming the current file to .bak'],
  ['rename', 2, 'renaming the temp copy into place'],
  ['fsyncDirectory', 1, 'syncing the directory'],
  ['open', 2, 'reopening the new file'],
  ['unlink', 1, 'deleting the .bak'],
  ['rename', 3, 'installing checkpoint.meta'],
];

for (const [op, nth, step] of CRASH_POINTS) {
  test(`a crash while ${step} loses no committed entry and duplicates none`, async (t) => {
    const dir = tempDir(t);
    const fileSystem = new FaultyFileSystem();
    const pm = await PersistenceManager.open(dir, { syncMode: 'full', fileSystem });
    const early = [await commitRow(pm), await commitRow(pm)];
    const checkpoint = await pm.createCheckpoint();
    const late = [await commitRow(pm), await commitRow(pm)];
    fileSystem.crashAt(op, fileSystem.count(op) + nth);
    await t.throwsAsync(pm.truncateWal(checkpoint));
    t.true(fileSystem.crashed);
    await pm.close(); // the "dead process" releases its lock; its file system refuses every write
    const rows = await replayRows(dir);
    for (const txn of late) t.deepEqual(rows.get(txn), [payloadOf(txn).toString()], `transaction ${txn}`);
    for (const txn of early) t.true(!rows.has(txn) || rows.get(txn)!.length === 1);
    t.false(readdirSync(join(dir, 'wal')).some((name) => name.includes('temp') || name.endsWith('.bak')));
  });
}

test('rotation + checkpoint + truncation cycles keep the WAL bounded and lose nothing', async (t) => {
  const dir = tempDir(t);
  const maxFileBytes = 1024;
  const pm = await PersistenceManager.open(dir, { syncMode: 'none', walMaxFileBytes: maxFileBytes });
  let sinceCheckpoint: bigint[] = [];
  let largest = 0;
  for (let cycle = 0; cycle < 25; cycle += 1) {
    for (let n = 0; n < 20; n += 1) await commitRow(pm);
    await new Promise((resolve) => setImmediate(resolve));
    const checkpoint = await pm.createCheckpoint();
    sinceCheckpoint = [await commitRow(pm), await commitRow(pm)];
    await pm.truncateWal(checkpoint);
    const bytes = walFiles(dir).reduce((sum, name) => sum + statSync(join(dir, 'wal', name)).size, 0);
    largest = Math.max(largest, bytes);
  }
  await pm.close();
  t.true(largest <= 2 * maxFileBytes, `largest WAL after truncation: ${largest} bytes`);
  const rows = await replayRows(dir);
  t.deepEqual([...rows.keys()], sinceCheckpoint);
});
