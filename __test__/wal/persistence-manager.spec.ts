/** The PersistenceManager surface: lifecycle, memory-only mode, logging, replay, ids, schemas. */
import test from 'ava';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { column, type TableSchema } from '../../ts/codec/schema';
import { DataType } from '../../ts/codec/data-type';
import type { PermafrostError } from '../../ts/errors';
import { decodeRowVersion } from '../../ts/codec/row-version';
import { PersistenceManager } from '../../ts/persistence/persistence-manager';
import { decodeCheckpointMeta } from '../../ts/wal/checkpoint-meta';
import { decodeCommitDigest } from '../../ts/wal/commit-digest';
import { WalOperation } from '../../ts/wal/wal-constants';
import type { WalEntry } from '../../ts/wal/wal-entry';
import { tempDir } from './helpers/temp-dir';

const row = (txnId: bigint, id: number) => ({ txnId, deletedAtTxnId: 0n, createTime: 0n, values: [BigInt(id), `name ${id}`] });

async function replayAll(pm: PersistenceManager, fromLsn = 0n): Promise<WalEntry[]> {
  const entries: WalEntry[] = [];
  await pm.replayTwoPhase(fromLsn, (entry) => void entries.push(entry));
  return entries;
}

test('memory-only mode (no path) answers every call with success and 0n and touches no disk', async (t) => {
  await using pm = await PersistenceManager.open(null);
  t.false(pm.enabled);
  t.is(pm.path, null);
  t.is(await pm.recordDdl('t', WalOperation.CreateTable, Buffer.from('x')), 0n);
  t.is(pm.recordDml(1n, 't', 1n, WalOperation.Insert, row(1n, 1)), 0n);
  t.is(await pm.commit(1n), 0n);
  t.is(await pm.createCheckpoint(), 0n);
  t.is(pm.currentLsn, 0n);
  const info = await pm.replayTwoPhase(0n, () => t.fail());
  t.is(info.appliedEntries, 0);
});

test('persistence: false is memory-only even with a path', async (t) => {
  const dir = join(tempDir(t), 'db');
  const pm = await PersistenceManager.open(dir, { persistence: false });
  t.false(pm.enabled);
  await pm.close();
  t.false(existsSync(dir));
});

test('open creates db.lock with the PID and wal/ with a fresh lsn-0 file', async (t) => {
  const dir = tempDir(t);
  const pm = await PersistenceManager.open(dir);
  t.is(readFileSync(join(dir, 'db.lock'), 'utf8'), String(process.pid));
  t.regex(readdirSync(join(dir, 'wal')).join(','), /^wal-\d{8}-\d{6}-lsn-0\.log$/);
  await pm.close();
  t.true(existsSync(join(dir, 'db.lock')), 'the lock file is never deleted');
});

test('close() is idempotent and later calls reject with ERR_CLOSED', async (t) => {
  const pm = await PersistenceManager.open(tempDir(t));
  await Promise.all([pm.close(), pm.close()]);
  await pm.close();
  t.is(pm.status, 'closed');
  await t.throwsAsync(pm.commit(1n), { code: 'ERR_CLOSED' });
  t.throws(() => pm.recordDml(1n, 't', 1n, WalOperation.Insert, row(1n, 1)), { code: 'ERR_CLOSED' });
});

test('await using closes the manager and releases the lock', async (t) => {
  const dir = tempDir(t);
  {
    await using pm = await PersistenceManager.open(dir);
    await pm.recordDdl('t', WalOperation.CreateTable, Buffer.from('x'));
  }
  const again = await PersistenceManager.open(dir);
  t.is(again.currentLsn, 2n);
  await again.close();
});

test('invalid options are ERR_INVALID_ARGUMENT', async (t) => {
  await t.throwsAsync(PersistenceManager.open(null, { syncMode: 'always' as 'full' }), { code: 'ERR_INVALID_ARGUMENT' });
  await t.throwsAsync(PersistenceManager.open(null, { walMaxFileBytes: -1 }), { code: 'ERR_INVALID_ARGUMENT' });
  await t.throwsAsync(PersistenceManager.open(null, { onCorruption: 'ignore' as 'throw' }), { code: 'ERR_INVALID_ARGUMENT' });
});

test('defaults follow stoolap: 60 s checkpoints, 3 snapshots, normal sync', async (t) => {
  await using pm = await PersistenceManager.open(null, { checkpointIntervalMs: 0, keepSnapshots: 0 });
  t.is(pm.checkpointIntervalMs, 60_000);
  t.is(pm.keepSnapshots, 3);
  t.is(pm.syncMode, 'normal');
});

test('DDL is logged as txn −2 followed by its own Commit(−2)', async (t) => {
  await using pm = await PersistenceManager.open(tempDir(t));
  const lsn = await pm.recordDdl('users', WalOperation.CreateTable, Buffer.from('schema'));
  const entries = await replayAll(pm);
  t.deepEqual(
    entries.map((entry) => [entry.lsn, entry.txnId, entry.operationName, entry.tableName]),
    [
      [lsn, -2n, 'CreateTable', 'users'],
      [lsn + 1n, -2n, 'Commit', ''],
    ],
  );
});

test('recordDml and recordDdl refuse the wrong kind of operation', async (t) => {
  await using pm = await PersistenceManager.open(tempDir(t));
  t.throws(() => pm.recordDml(1n, 't', 1n, WalOperation.CreateTable, row(1n, 1)), { code: 'ERR_INVALID_ARGUMENT' });
  await t.throwsAsync(pm.recordDdl('t', WalOperation.Insert, Buffer.alloc(0)), { code: 'ERR_INVALID_ARGUMENT' });
  t.throws(() => pm.recordDml(-5n, 't', 1n, WalOperation.Insert, row(1n, 1)), { code: 'ERR_INVALID_ARGUMENT' });
});

test('only committed transactions are replayed, data entries before their commit marker', async (t) => {
  await using pm = await PersistenceManager.open(tempDir(t));
  const [a, b, c] = [pm.allocateTxnId(), pm.allocateTxnId(), pm.allocateTxnId()];
  pm.recordDml(a, 'users', 1n, WalOperation.Insert, row(a, 1));
  pm.recordDml(b, 'users', 2n, WalOperation.Insert, row(b, 2));
  pm.recordDml(c, 'users', 3n, WalOperation.Insert, row(c, 3));
  await pm.commit(a);
  await pm.rollback(b);
  const entries = await replayAll(pm);
  t.deepEqual(
    entries.map((entry) => `${entry.operationName}:${entry.txnId}`),
    [`Insert:${a}`, `Commit:${a}`],
  );
  t.deepEqual(decodeRowVersion(entries[0]!.payload).values, [1n, 'name 1']);
  const info = await pm.replayTwoPhase(0n, () => undefined);
  t.like(info, { committedTransactions: 1, abortedTransactions: 1, appliedEntries: 1, skippedEntries: 2, inDoubtTransactions: 1 });
});

test('the replay lower bound is inclusive', async (t) => {
  await using pm = await PersistenceManager.open(tempDir(t));
  const txn = pm.allocateTxnId();
  const first = pm.recordDml(txn, 'users', 1n, WalOperation.Insert, row(txn, 1));
  pm.recordDml(txn, 'users', 2n, WalOperation.Insert, row(txn, 2));
  await pm.commit(txn);
  t.deepEqual(
    (await replayAll(pm, first + 1n)).map((entry) => entry.lsn),
    [first + 1n, first + 2n],
  );
});

test('commit markers carry a digest of the transaction’s entries', async (t) => {
  await using pm = await PersistenceManager.open(tempDir(t));
  const txn = pm.allocateTxnId();
  const first = pm.recordDml(txn, 'users', 1n, WalOperation.Insert, row(txn, 1));
  const last = pm.recordDml(txn, 'users', 2n, WalOperation.Delete, row(txn, 2));
  await pm.commit(txn);
  const commit = (await replayAll(pm)).find((entry) => entry.operation === WalOperation.Commit)!;
  t.deepEqual(decodeCommitDigest(commit.payload), { entryCount: 2, firstLsn: first, lastLsn: last });
});

test('transaction ids are never reused after reopen, even those of uncommitted transactions', async (t) => {
  const dir = tempDir(t);
  const pm = await PersistenceManager.open(dir);
  const committed = pm.allocateTxnId();
  const crashed = pm.allocateTxnId();
  pm.recordDml(committed, 'users', 1n, WalOperation.Insert, row(committed, 1));
  pm.recordDml(crashed, 'users', 2n, WalOperation.Insert, row(crashed, 2));
  await pm.commit(committed);
  await pm.close();
  const again = await PersistenceManager.open(dir);
  t.is(again.maxRecoveredTxnId, crashed);
  t.true(again.allocateTxnId() > crashed);
  t.throws(() => again.recordDml(crashed, 'users', 3n, WalOperation.Insert, row(crashed, 3)), { code: 'ERR_INVALID_ARGUMENT' });
  await again.close();
});

test('LSNs continue after reopen', async (t) => {
  const dir = tempDir(t);
  const pm = await PersistenceManager.open(dir);
  await pm.recordDdl('t', WalOperation.CreateTable, Buffer.from('x'));
  await pm.close();
  const again = await PersistenceManager.open(dir);
  t.is(again.currentLsn, 2n);
  t.is(await again.recordDdl('t', WalOperation.DropTable, Buffer.alloc(0)), 3n);
  const entries = await replayAll(again);
  t.deepEqual(
    entries.map((entry) => entry.lsn),
    [1n, 2n, 3n, 4n],
  );
  await again.close();
});

test('createCheckpoint makes everything durable, records it in checkpoint.meta and returns its LSN', async (t) => {
  const dir = tempDir(t);
  await using pm = await PersistenceManager.open(dir, { syncMode: 'none' });
  const txn = pm.allocateTxnId();
  pm.recordDml(txn, 'users', 1n, WalOperation.Insert, row(txn, 1));
  await pm.commit(txn);
  t.is(pm.lastCheckpointTime, 0n);
  const lsn = await pm.createCheckpoint([42n]);
  t.is(lsn, pm.currentLsn);
  t.is(pm.checkpointLsn, lsn);
  t.true(pm.lastCheckpointTime > 0n);
  const meta = decodeCheckpointMeta(readFileSync(join(dir, 'wal', 'checkpoint.meta')));
  t.like(meta, { lsn, consistent: false, previousWalFile: undefined });
  t.deepEqual(meta.activeTransactions, [42n]);
});

test('the schema registry keeps schemas by name', async (t) => {
  await using pm = await PersistenceManager.open(null);
  const schema: TableSchema = { tableName: 'users', columns: [column('id', DataType.Integer, { primaryKey: true })], foreignKeys: [] };
  pm.registerSchema('users', schema);
  t.is(pm.getSchema('users'), schema);
  pm.removeSchema('users');
  t.is(pm.getSchema('users'), undefined);
});

test('payload bytes are copied: reusing the caller’s buffer changes nothing logged', async (t) => {
  await using pm = await PersistenceManager.open(tempDir(t));
  const txn = pm.allocateTxnId();
  const bytes = Buffer.from('original payload');
  pm.recordDml(txn, 'users', 1n, WalOperation.Insert, bytes);
  bytes.fill(0);
  await pm.commit(txn);
  t.is((await replayAll(pm))[0]!.payload.toString(), 'original payload');
});

test('memory-only transaction ids count up from 1', async (t) => {
  await using pm = await PersistenceManager.open(null);
  t.deepEqual([pm.allocateTxnId(), pm.allocateTxnId()], [1n, 2n]);
});

test('a path that is a file is ERR_IO naming it', async (t) => {
  const file = join(tempDir(t), 'not-a-directory');
  writeFileSync(file, 'x');
  const error = await t.throwsAsync<PermafrostError>(PersistenceManager.open(file));
  t.is(error?.code, 'ERR_IO');
  t.is(error?.file, file);
});
