/** Recovery at open: torn tails, damage in the middle, DDL commits, checkpoint.meta problems. */
import test from 'ava';
import { appendFileSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PermafrostError } from '../../ts/errors';
import { PersistenceManager } from '../../ts/persistence/persistence-manager';
import { WalOperation } from '../../ts/wal/wal-constants';
import { decodeWalEntries } from '../../ts/wal/wal-reader';
import { silenceWarnings, snapshotTree, tempDir } from './helpers/temp-dir';

silenceWarnings();

function walFile(dir: string): string {
  const names = readdirSync(join(dir, 'wal'))
    .filter((name) => name.endsWith('.log'))
    .sort();
  return join(dir, 'wal', names.at(-1)!);
}

/** Writes `count` committed one-row transactions and closes; returns their ids. */
async function writeTransactions(dir: string, count: number): Promise<bigint[]> {
  await using pm = await PersistenceManager.open(dir, { syncMode: 'none' });
  const ids: bigint[] = [];
  for (let n = 0; n < count; n += 1) {
    const txn = pm.allocateTxnId();
    pm.recordDml(txn, 'users', BigInt(n + 1), WalOperation.Insert, Buffer.alloc(30 + n, n));
    await pm.commit(txn);
    ids.push(txn);
  }
  return ids;
}

async function replayIds(pm: PersistenceManager): Promise<bigint[]> {
  const ids: bigint[] = [];
  await pm.replayTwoPhase(0n, (entry) => {
    if (entry.operation === WalOperation.Insert) ids.push(entry.txnId);
  });
  return ids;
}

test('a torn tail is cut off at the last valid entry at open and reported', async (t) => {
  const dir = tempDir(t);
  const ids = await writeTransactions(dir, 5);
  const file = walFile(dir);
  const entries = decodeWalEntries(readFileSync(file));
  const lastCommit = entries.at(-1)!;
  truncateSync(file, lastCommit.offset + 10);
  await using pm = await PersistenceManager.open(dir);
  t.is(statSync(file).size, lastCommit.offset);
  t.like(pm.recoveryReport.tornTail, { offset: lastCommit.offset, lengthBytes: 10, code: 'ERR_TRUNCATED' });
  t.deepEqual(await replayIds(pm), ids.slice(0, 4));
});

test('new entries after a cut torn tail survive the next reopen (nothing is appended after garbage)', async (t) => {
  const dir = tempDir(t);
  await writeTransactions(dir, 3);
  appendFileSync(walFile(dir), Buffer.alloc(100, 0xee));
  const more = await writeTransactions(dir, 2);
  await using pm = await PersistenceManager.open(dir);
  t.deepEqual(pm.recoveryReport.corruption, []);
  const ids = await replayIds(pm);
  t.deepEqual(ids.slice(-2), more);
  t.is(ids.length, 5);
});

test('zero-filled tails (size grew before the data) are cut like torn entries', async (t) => {
  const dir = tempDir(t);
  const ids = await writeTransactions(dir, 3);
  appendFileSync(walFile(dir), Buffer.alloc(4096));
  await using pm = await PersistenceManager.open(dir);
  t.is(pm.recoveryReport.tornTail?.code, 'ERR_CORRUPT');
  t.deepEqual(await replayIds(pm), ids);
});

test('damage in the middle is reported with file and offset; later committed transactions are kept', async (t) => {
  const dir = tempDir(t);
  const ids = await writeTransactions(dir, 5);
  const file = walFile(dir);
  const bytes = readFileSync(file);
  const victim = decodeWalEntries(bytes).find((entry) => entry.txnId === ids[1] && entry.operation === WalOperation.Insert)!;
  bytes[victim.offset + 50]! ^= 0x04;
  writeFileSync(file, bytes);
  await using pm = await PersistenceManager.open(dir);
  const [damage] = pm.recoveryReport.corruption;
  t.like(damage, { offset: victim.offset, code: 'ERR_CHECKSUM', atTail: false });
  t.true(file.endsWith(damage!.file));
  t.deepEqual(
    pm.recoveryReport.droppedTransactions.map((dropped) => dropped.txnId),
    [ids[1]],
  );
  t.deepEqual(await replayIds(pm), [ids[0], ids[2], ids[3], ids[4]]);
});

test("onCorruption: 'throw' refuses to open with the damage's code, file and offset, changing nothing", async (t) => {
  const dir = tempDir(t);
  await writeTransactions(dir, 3);
  const file = walFile(dir);
  const bytes = readFileSync(file);
  const victim = decodeWalEntries(bytes)[2]!;
  bytes[victim.offset + 40]! ^= 0x80;
  writeFileSync(file, bytes);
  const before = snapshotTree(join(dir, 'wal'));
  const error = await t.throwsAsync<PermafrostError>(PersistenceManager.open(dir, { onCorruption: 'throw' }));
  t.is(error?.code, 'ERR_CHECKSUM');
  t.like(error, { offset: victim.offset });
  t.deepEqual(snapshotTree(join(dir, 'wal')), before);
  const pm = await PersistenceManager.open(dir);
  await pm.close();
});

test('a DDL entry whose own commit was lost is not applied by a later Commit(−2)', async (t) => {
  const dir = tempDir(t);
  {
    await using pm = await PersistenceManager.open(dir);
    await pm.recordDdl('a', WalOperation.CreateTable, Buffer.from('first'));
    await pm.recordDdl('b', WalOperation.CreateTable, Buffer.from('second'));
  }
  const file = walFile(dir);
  const bytes = readFileSync(file);
  const firstCommit = decodeWalEntries(bytes)[1]!;
  bytes[firstCommit.offset + 34]! ^= 0x01;
  writeFileSync(file, bytes);
  await using pm = await PersistenceManager.open(dir);
  const tables: string[] = [];
  await pm.replayTwoPhase(0n, (entry) => void (entry.isDdl && tables.push(entry.tableName)));
  t.deepEqual(tables, ['b']);
});

test('an unreadable checkpoint.meta is reported and does not stop the open', async (t) => {
  const dir = tempDir(t);
  const ids = await writeTransactions(dir, 2);
  writeFileSync(join(dir, 'wal', 'checkpoint.meta'), Buffer.from('this is not a checkpoint file at all, sorry about that'));
  await using pm = await PersistenceManager.open(dir);
  t.is(pm.recoveryReport.checkpointMetaError?.code, 'ERR_CHECKSUM');
  t.is(pm.checkpointLsn, 0n);
  t.deepEqual(await replayIds(pm), ids);
});

test('a transaction without a commit entry (crash before commit) is in doubt and never applied', async (t) => {
  const dir = tempDir(t);
  const committed = await writeTransactions(dir, 2);
  {
    const pm = await PersistenceManager.open(dir, { syncMode: 'none' });
    const txn = pm.allocateTxnId();
    pm.recordDml(txn, 'users', 99n, WalOperation.Insert, Buffer.from('in flight'));
    await pm.sync();
    await pm.close();
  }
  await using pm = await PersistenceManager.open(dir);
  t.deepEqual(await replayIds(pm), committed);
  const info = await pm.replayTwoPhase(0n, () => undefined);
  t.is(info.inDoubtTransactions, 1);
});
