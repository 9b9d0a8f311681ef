/**
 * What each sync mode waits for, group commit, poisoning after a failed write or fsync,
 * rotation, and that fsync never blocks the event loop.
 */
import test from 'ava';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { nodeFileSystem } from '../../ts/io/file-system';
import { PersistenceManager } from '../../ts/persistence/persistence-manager';
import { decodeCheckpointMeta } from '../../ts/wal/checkpoint-meta';
import { DataType } from '../../ts/codec/data-type';
import { RowColumnKind } from '../../ts/wal/row-columns';
import { WalOperation } from '../../ts/wal/wal-constants';
import { FaultyFileSystem } from './helpers/faulty-fs';
import { tempDir } from './helpers/temp-dir';

async function commitOne(pm: PersistenceManager, bytes = 100): Promise<bigint> {
  const txn = pm.allocateTxnId();
  pm.recordDml(txn, 't', 1n, WalOperation.Insert, Buffer.alloc(bytes, Number(txn % 251n)));
  await pm.commit(txn);
  return txn;
}

async function committedIds(dir: string): Promise<bigint[]> {
  await using pm = await PersistenceManager.open(dir);
  const ids: bigint[] = [];
  await pm.replayTwoPhase(0n, (entry) => {
    if (entry.operation === WalOperation.Commit && entry.txnId > 0n) ids.push(entry.txnId);
  });
  return ids;
}

/** What reopening `dir` replays: every LSN in order, Insert entries per transaction, and the corruption report. */
async function replayed(dir: string): Promise<{ lsns: bigint[]; insertsByTxn: Map<bigint, number>; corruption: readonly unknown[] }> {
  await using pm = await PersistenceManager.open(dir);
  const lsns: bigint[] = [];
  const insertsByTxn = new Map<bigint, number>();
  await pm.replayTwoPhase(0n, (entry) => {
    lsns.push(entry.lsn);
    if (entry.operation === WalOperation.Insert) insertsByTxn.set(entry.txnId, (insertsByTxn.get(entry.txnId) ?? 0) + 1);
  });
  return { lsns, insertsByTxn, corruption: pm.recoveryReport.corruption };
}

/** A file system whose fdatasync takes `delayMs` (to watch what waits for it). */
class SlowSyncFileSystem extends FaultyFileSystem {
  constructor(readonly delayMs: number) {
    super();
  }
  override async fdatasync(fd: number): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    return super.fdatasync(fd);
  }
}

test('full: a commit resolves only after an fdatasync that covers it', async (t) => {
  const fileSystem = new SlowSyncFileSystem(30);
  await using pm = await PersistenceManager.open(tempDir(t), { syncMode: 'full', fileSystem });
  const before = fileSystem.count('fdatasync');
  const txn = pm.allocateTxnId();
  pm.recordDml(txn, 't', 1n, WalOperation.Insert, Buffer.from('x'));
  let resolved = false;
  const commit = pm.commit(txn).then(() => (resolved = true));
  await new Promise((resolve) => setTimeout(resolve, 5));
  t.false(resolved);
  await commit;
  t.is(fileSystem.count('fdatasync'), before + 1);
});

test('full: concurrent commits share fdatasyncs (group commit)', async (t) => {
  const fileSystem = new FaultyFileSystem();
  await using pm = await PersistenceManager.open(tempDir(t), { syncMode: 'full', fileSystem });
  const before = fileSystem.count('fdatasync');
  await Promise.all(Array.from({ length: 64 }, () => commitOne(pm)));
  const syncs = fileSystem.count('fdatasync') - before;
  t.true(syncs >= 1 && syncs <= 4, `${syncs} fdatasyncs for 64 commits`);
});

test('full: the event loop keeps running while an fsync is in flight', async (t) => {
  const fileSystem = new SlowSyncFileSystem(80);
  await using pm = await PersistenceManager.open(tempDir(t), { syncMode: 'full', fileSystem });
  let ticks = 0;
  const timer = setInterval(() => (ticks += 1), 5);
  await commitOne(pm);
  clearInterval(timer);
  t.true(ticks >= 3, `${ticks} timer ticks during the commit`);
});

/** Logs `rows` one-column rows of `txn` as one columnar batch (drafted on the libuv pool). */
function recordIntegerBatch(pm: PersistenceManager, txn: bigint, rows: number): void {
  const rowIds = new BigInt64Array(rows);
  const values = new BigInt64Array(rows);
  for (let index = 0, id = 1n; index < rows; index += 1, id += 1n) {
    rowIds[index] = id;
    values[index] = id * 10n;
  }
  const columns = {
    kinds: Uint8Array.of(RowColumnKind.Int64),
    nullTypes: Uint8Array.of(DataType.Integer),
    buffers: [new Uint8Array(0), new Uint8Array(values.buffer), new Uint8Array(0)],
  };
  pm.recordInsertBatch(txn, 't', new Uint8Array(rowIds.buffer), rows, columns);
}

// Serial: the large batches below would take the event loop from the timing tests beside them.
test.serial('full: a commit is acknowledged without waiting for a later commit still being drafted', async (t) => {
  const dir = tempDir(t);
  const pm = await PersistenceManager.open(dir, { syncMode: 'full' });
  const small = pm.allocateTxnId();
  pm.recordDml(small, 't', 1n, WalOperation.Insert, Buffer.from('x'));
  const smallCommit = pm.commit(small);
  const large = pm.allocateTxnId();
  recordIntegerBatch(pm, large, 150_000); // milliseconds of drafting on the pool
  let largeSettled = false;
  const largeCommit = pm.commit(large).finally(() => (largeSettled = true));
  await smallCommit;
  await new Promise((resolve) => setImmediate(resolve));
  t.false(largeSettled, 'the small commit was acknowledged on its own');
  await largeCommit;
  await pm.close();
  t.deepEqual(await committedIds(dir), [small, large]);
});

test.serial('full: a commit drafted in several pool chunks is made durable by one fdatasync', async (t) => {
  const fileSystem = new FaultyFileSystem();
  await using pm = await PersistenceManager.open(tempDir(t), { syncMode: 'full', fileSystem });
  await commitOne(pm); // the new file's directory entry is synced here, not below
  const before = fileSystem.count('fdatasync');
  const txn = pm.allocateTxnId();
  recordIntegerBatch(pm, txn, 20_000); // ≈ 1.4 MB of entries: several chunks
  await pm.commit(txn);
  t.is(fileSystem.count('fdatasync'), before + 1);
});

/** A file system whose fdatasync takes `delayMs`, counting calls when they are issued. */
class IssueCountingFileSystem extends FaultyFileSystem {
  issued = 0;
  constructor(readonly delayMs: number) {
    super();
  }
  override async fdatasync(fd: number): Promise<void> {
    this.issued += 1;
    await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    return super.fdatasync(fd);
  }
}

// Serial: it counts fdatasyncs issued by its own store only at known moments.
test.serial('full: the next round’s fdatasync is issued before the previous round’s committers run', async (t) => {
  const fileSystem = new IssueCountingFileSystem(20);
  await using pm = await PersistenceManager.open(tempDir(t), { syncMode: 'full', fileSystem });
  await commitOne(pm); // the new file's directory entry is synced here, not below
  const before = fileSystem.issued;
  const first = pm.allocateTxnId();
  pm.recordDml(first, 't', 1n, WalOperation.Insert, Buffer.from('first'));
  const firstCommit = pm.commit(first);
  const firstDurable = pm.sync();
  await new Promise((resolve) => setTimeout(resolve, 5)); // the first round is in its fdatasync
  // Queued behind it: a batch sealed on the pool and its commit entry, ready long before the
  // first round ends. Writing them used to take a promise hop each, after the committers ran.
  const second = pm.allocateTxnId();
  recordIntegerBatch(pm, second, 1_000);
  const secondCommit = pm.commit(second);
  const issuedWhenFirstDurable = await firstDurable.then(() => fileSystem.issued - before);
  t.is(issuedWhenFirstDurable, 2);
  await Promise.all([firstCommit, secondCommit]);
  t.is(fileSystem.issued - before, 2);
});

// Serial: it keeps the pool busy with batches.
test.serial('staged entries of any size queued between batches in flight reach the file in LSN order', async (t) => {
  const dir = tempDir(t);
  const pm = await PersistenceManager.open(dir, { syncMode: 'full', walFlushTriggerBytes: 1 << 20 });
  const expected = new Map<bigint, number>();
  const commits: Array<Promise<bigint>> = [];
  // Row transactions of 2 and 300 entries (about 60 bytes and 40 KB of drafts) after batches
  // still being drafted: the small ones are copied out of the staging buffer, the large
  // ones detached from it.
  for (const [n, rowEntries] of [2, 300, 2, 300, 300, 2].entries()) {
    const batch = pm.allocateTxnId();
    recordIntegerBatch(pm, batch, 500 + n);
    expected.set(batch, 500 + n);
    commits.push(pm.commit(batch));
    const rows = pm.allocateTxnId();
    for (let row = 0; row < rowEntries; row += 1) pm.recordDml(rows, 't', BigInt(row), WalOperation.Insert, Buffer.alloc(90, row));
    expected.set(rows, rowEntries);
    commits.push(pm.commit(rows));
  }
  await Promise.all(commits);
  await pm.close();
  const { lsns, insertsByTxn, corruption } = await replayed(dir);
  t.deepEqual(corruption, []);
  t.true(lsns.every((lsn, index) => index === 0 || lsn === lsns[index - 1]! + 1n), 'no LSN missing or out of order');
  t.deepEqual(insertsByTxn, expected);
});

/** A file system that remembers every distinct memory block handed to a WAL write of at least `minBytes`. */
class BufferTrackingFileSystem extends FaultyFileSystem {
  readonly blocks = new Set<ArrayBufferLike>();
  constructor(readonly minBytes: number) {
    super();
  }
  override writeSync(fd: number, buffer: Uint8Array, offset: number, length: number, position: number): number {
    if (buffer.buffer.byteLength >= this.minBytes) this.blocks.add(buffer.buffer);
    return super.writeSync(fd, buffer, offset, length, position);
  }
}

// Serial: it keeps the pool busy with batches.
test.serial('a pipelined ingest reuses its write buffers instead of allocating one per batch', async (t) => {
  const fileSystem = new BufferTrackingFileSystem(64 * 1024);
  await using pm = await PersistenceManager.open(tempDir(t), { syncMode: 'full', fileSystem });
  const inFlight: Array<Promise<bigint>> = [];
  const batches = 100;
  for (let n = 0; n < batches; n += 1) {
    const txn = pm.allocateTxnId();
    recordIntegerBatch(pm, txn, 1_000); // ≈ 70 KB of entries: one pool job, one buffer
    inFlight.push(pm.commit(txn));
    if (inFlight.length >= 8) await inFlight.shift();
  }
  await Promise.all(inFlight);
  // At most the buffers of the commits in flight plus the spares kept: never one per batch.
  t.true(fileSystem.blocks.size <= 8 + 16, `${fileSystem.blocks.size} distinct buffers written for ${batches} batches`);
});

test('none: a commit is written to the OS without any fdatasync', async (t) => {
  const fileSystem = new FaultyFileSystem();
  const dir = tempDir(t);
  const pm = await PersistenceManager.open(dir, { syncMode: 'none', fileSystem });
  const before = fileSystem.count('fdatasync');
  const txn = await commitOne(pm);
  t.is(fileSystem.count('fdatasync'), before);
  // Written through: a second reader sees it without close (as after an application crash).
  const name = readdirSync(join(dir, 'wal')).find((file) => file.endsWith('.log'))!;
  t.true(readFileSync(join(dir, 'wal', name)).length > 0);
  await pm.close();
  t.deepEqual(await committedIds(dir), [txn]);
});

test('normal: commits resolve before their fsync, which follows within syncIntervalMs', async (t) => {
  const fileSystem = new FaultyFileSystem();
  await using pm = await PersistenceManager.open(tempDir(t), { syncMode: 'normal', syncIntervalMs: 40, fileSystem });
  await new Promise((resolve) => setTimeout(resolve, 60));
  const before = fileSystem.count('fdatasync');
  await commitOne(pm);
  await commitOne(pm);
  const afterCommits = fileSystem.count('fdatasync');
  t.true(afterCommits - before <= 1);
  const deadline = Date.now() + 5000; // generous: the machine may be busy; the timer is 40 ms
  while (fileSystem.count('fdatasync') === before && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  t.true(fileSystem.count('fdatasync') > before, 'an fsync followed');
});

test('normal: DDL resolves only after an fdatasync', async (t) => {
  const fileSystem = new FaultyFileSystem();
  await using pm = await PersistenceManager.open(tempDir(t), { syncMode: 'normal', syncIntervalMs: 60_000, fileSystem });
  const before = fileSystem.count('fdatasync');
  await pm.recordDdl('t', WalOperation.CreateTable, Buffer.from('x'));
  t.is(fileSystem.count('fdatasync'), before + 1);
});

test('a failed fdatasync rejects the commit with ERR_IO and poisons every later write', async (t) => {
  const dir = tempDir(t);
  const fileSystem = new FaultyFileSystem();
  const pm = await PersistenceManager.open(dir, { syncMode: 'full', fileSystem });
  const acknowledged = await commitOne(pm);
  fileSystem.failOn('fdatasync', fileSystem.count('fdatasync') + 1, 'EIO');
  await t.throwsAsync(commitOne(pm), { code: 'ERR_IO' });
  t.is(pm.status, 'poisoned');
  t.throws(() => pm.recordDml(pm.allocateTxnId(), 't', 1n, WalOperation.Insert, Buffer.from('x')), { code: 'ERR_POISONED' });
  await t.throwsAsync(pm.recordDdl('t', WalOperation.CreateTable, Buffer.from('x')), { code: 'ERR_POISONED' });
  await pm.close();
  const ids = await committedIds(dir);
  t.true(ids.includes(acknowledged));
});

test('a failed write poisons the WAL: ERR_IO first, then ERR_POISONED', async (t) => {
  const fileSystem = new FaultyFileSystem();
  const pm = await PersistenceManager.open(tempDir(t), { syncMode: 'none', fileSystem });
  fileSystem.failOn('write', fileSystem.count('write') + 1, 'ENOSPC');
  await t.throwsAsync(commitOne(pm), { code: 'ERR_IO' });
  await t.throwsAsync(commitOne(pm), { code: 'ERR_POISONED' });
  await pm.close();
  t.pass();
});

test('pending commits of a failed group all reject; reopening recovers every acknowledged commit', async (t) => {
  const dir = tempDir(t);
  const fileSystem = new FaultyFileSystem();
  const pm = await PersistenceManager.open(dir, { syncMode: 'full', fileSystem });
  const acknowledged = await Promise.all(Array.from({ length: 8 }, () => commitOne(pm)));
  fileSystem.failOn('fdatasync', fileSystem.count('fdatasync') + 1, 'EIO', true);
  const outcomes = await Promise.allSettled(Array.from({ length: 8 }, () => commitOne(pm)));
  t.true(outcomes.every((outcome) => outcome.status === 'rejected'));
  await pm.close();
  const ids = await committedIds(dir);
  for (const txn of acknowledged) t.true(ids.includes(txn));
});

test('rotation starts a wal_<SEQ> file at the size limit and names it in checkpoint.meta', async (t) => {
  const dir = tempDir(t);
  const pm = await PersistenceManager.open(dir, { syncMode: 'full', walMaxFileBytes: 1024 });
  const ids: bigint[] = [];
  for (let n = 0; n < 30; n += 1) ids.push(await commitOne(pm, 120));
  await pm.sync();
  await pm.close();
  const files = readdirSync(join(dir, 'wal')).filter((name) => name.endsWith('.log')).sort();
  t.true(files.length >= 3, files.join(', '));
  t.regex(files[files.length - 1]!, /^wal_\d{8}-\d{8}-\d{6}-lsn-\d+\.log$/);
  const meta = decodeCheckpointMeta(readFileSync(join(dir, 'wal', 'checkpoint.meta')));
  t.is(meta.walFile, files[files.length - 1]!);
  t.is(meta.lsn, 0n);
  t.deepEqual(await committedIds(dir), ids);
});

test('close makes none-mode writes durable (one final fdatasync)', async (t) => {
  const fileSystem = new FaultyFileSystem(nodeFileSystem);
  const pm = await PersistenceManager.open(tempDir(t), { syncMode: 'none', fileSystem });
  await commitOne(pm);
  const before = fileSystem.count('fdatasync');
  await pm.close();
  t.is(fileSystem.count('fdatasync'), before + 1);
});

test('batches sealed in the background are written in order, across rotations', async (t) => {
  const dir = tempDir(t);
  const pm = await PersistenceManager.open(dir, { syncMode: 'none', walFlushTriggerBytes: 300, walMaxFileBytes: 4096 });
  const expected = new Map<bigint, number>();
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      for (let n = 0; n < 25; n += 1) {
        const txn = pm.allocateTxnId();
        for (let row = 0; row < 8; row += 1) pm.recordDml(txn, 't', BigInt(row), WalOperation.Insert, Buffer.alloc(90, row));
        expected.set(txn, 8);
        await pm.commit(txn);
      }
    }),
  );
  await pm.close();
  t.true(readdirSync(join(dir, 'wal')).filter((name) => name.endsWith('.log')).length >= 3);
  const { lsns, insertsByTxn, corruption } = await replayed(dir);
  t.deepEqual(corruption, []);
  t.true(lsns.every((lsn, index) => index === 0 || lsn > lsns[index - 1]!));
  t.deepEqual(insertsByTxn, expected);
});

test('a write failing after background sealing poisons the WAL', async (t) => {
  const fileSystem = new FaultyFileSystem();
  const pm = await PersistenceManager.open(tempDir(t), { syncMode: 'none', walFlushTriggerBytes: 200, fileSystem });
  fileSystem.failOn('write', fileSystem.count('write') + 2, 'EIO');
  const txn = pm.allocateTxnId();
  for (let row = 0; row < 20; row += 1) pm.recordDml(txn, 't', BigInt(row), WalOperation.Insert, Buffer.alloc(90, row));
  await t.throwsAsync(pm.commit(txn), { code: 'ERR_IO' });
  t.throws(() => pm.recordDml(txn, 't', 99n, WalOperation.Insert, Buffer.from('x')), { code: 'ERR_POISONED' });
  await pm.close();
});
