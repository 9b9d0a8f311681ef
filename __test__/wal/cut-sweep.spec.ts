/**
 * The log ends at every byte offset of a multi-file WAL (a crash at any point of any write):
 * recovery returns exactly the transactions whose commit entry is complete — never a partial
 * transaction, never an error, never a loss of anything before the cut.
 */
import test from 'ava';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WalOperation } from '../../ts/wal/wal-constants';
import { commitPoints, cutFiles, mapDifference } from './helpers/expectations';
import { prng, readWalFiles, recoverFromDisk, recoverInMemory, runWorkload, committedOf } from './helpers/workload';
import { silenceWarnings, tempDir } from './helpers/temp-dir';

silenceWarnings();

function expectedAt(points: ReturnType<typeof commitPoints>, committed: Map<bigint, string[]>, ddl: Map<bigint, string>, cut: number) {
  const txns = new Map([...committed].filter(([txnId]) => points.txns.get(txnId)! <= cut));
  const ddlExpected = new Map([...ddl].filter(([lsn]) => points.ddl.get(lsn)! <= cut));
  return { txns, ddl: ddlExpected };
}

test('a cut at every byte offset of a multi-file WAL recovers exactly the committed prefix', async (t) => {
  const dir = tempDir(t);
  const model = await runWorkload(dir);
  const files = readWalFiles(join(dir, 'wal'));
  t.true(files.length >= 3, `${files.length} WAL files`);
  const points = commitPoints(files, model);
  const committed = committedOf(model);
  const failures: string[] = [];
  for (let cut = 0; cut <= points.totalBytes; cut += 1) {
    const recovered = await recoverInMemory(cutFiles(files, points.fileStarts, cut));
    const expected = expectedAt(points, committed, model.ddl, cut);
    const difference = [mapDifference(expected.txns, recovered.txns), mapDifference(expected.ddl, recovered.ddl)].filter(Boolean).join('; ');
    if (difference !== '') failures.push(`cut ${cut}: ${difference}`);
    if (recovered.info.droppedTransactions.length > 0) failures.push(`cut ${cut}: dropped ${recovered.info.droppedTransactions.length}`);
  }
  t.deepEqual(failures.slice(0, 10), []);
  t.true(points.totalBytes > 4000, `${points.totalBytes} bytes swept`);
});

test('a cut WAL opened from disk keeps the committed prefix, cuts the torn tail and survives a second crash', async (t) => {
  const source = tempDir(t);
  const model = await runWorkload(source);
  const files = readWalFiles(join(source, 'wal'));
  const points = commitPoints(files, model);
  const committed = committedOf(model);
  const random = prng(99);
  const cuts = new Set<number>();
  for (const boundary of points.boundaries) for (const delta of [-1, 0, 1, 17]) cuts.add(Math.max(0, Math.min(points.totalBytes, boundary + delta)));
  const sample = [...cuts].filter(() => random() < 0.2);
  for (let k = 0; k < 20; k += 1) sample.push(Math.floor(random() * points.totalBytes));
  for (const cut of sample) {
    const dir = join(tempDir(t), 'db');
    mkdirSync(join(dir, 'wal'), { recursive: true });
    for (const file of cutFiles(files, points.fileStarts, cut)) writeFileSync(join(dir, 'wal', file.name), file.bytes);
    const expected = expectedAt(points, committed, model.ddl, cut);
    const first = await recoverFromDisk(dir);
    t.is(mapDifference(expected.txns, first.txns), '', `cut ${cut}`);
    // Liveness after recovery: a new transaction, a second "crash" (no close), a reopen.
    const txnId = first.pm.allocateTxnId();
    first.pm.recordDml(txnId, 't1', 1n, WalOperation.Insert, Buffer.from('after'));
    await first.pm.commit(txnId);
    await first.pm.close();
    const second = await recoverFromDisk(dir);
    expected.txns.set(txnId, [Buffer.from('after').toString('hex')]);
    t.is(mapDifference(expected.txns, second.txns), '', `cut ${cut}, after reopen`);
    t.is(second.pm.recoveryReport.tornTail, undefined);
    t.deepEqual(second.pm.recoveryReport.corruption, []);
    await second.pm.close();
  }
});
