/**
 * Simulated power cuts (the fault-injecting file system drops every byte and every new file
 * that no completed fsync covered, leaving garbage, zeros or nothing in their place): under
 * sync `full` no acknowledged commit is lost; under `none` nothing acknowledged survives a
 * power cut unless synced — but the WAL always reopens to a committed prefix, never torn.
 */
import test from 'ava';
import { PersistenceManager } from '../../ts/persistence/persistence-manager';
import { WalOperation } from '../../ts/wal/wal-constants';
import { FaultyFileSystem } from './helpers/faulty-fs';
import { prng } from './helpers/workload';
import { silenceWarnings, tempDir } from './helpers/temp-dir';

silenceWarnings();

const rowsOf = (txn: bigint) => [Buffer.alloc(70 + Number(txn % 5n) * 30, `power ${txn};`), Buffer.from(`second ${txn}`)];

/** Commits with 4 concurrent committers until `cutAfter` acknowledgements, then cuts the power. */
async function commitThenCut(dir: string, syncMode: 'full' | 'none', cutAfter: number, tail: 'garbage' | 'zeros' | 'none') {
  const fileSystem = new FaultyFileSystem();
  const pm = await PersistenceManager.open(dir, { syncMode, fileSystem, walMaxFileBytes: 4096 });
  const acknowledged: bigint[] = [];
  let cut = false;
  const committer = async (): Promise<void> => {
    while (!cut) {
      const txn = pm.allocateTxnId();
      rowsOf(txn).forEach((row, k) => pm.recordDml(txn, 'p', BigInt(k), WalOperation.Insert, row));
      await pm.commit(txn);
      if (cut) return;
      acknowledged.push(txn);
      if (acknowledged.length >= cutAfter) {
        cut = true;
        fileSystem.powerCut(tail);
      }
    }
  };
  await Promise.allSettled([committer(), committer(), committer(), committer()]);
  await pm.close();
  return acknowledged;
}

async function recovered(dir: string): Promise<Map<bigint, string[]>> {
  await using pm = await PersistenceManager.open(dir);
  const rows = new Map<bigint, string[]>();
  await pm.replayTwoPhase(0n, (entry) => {
    if (entry.operation === WalOperation.Insert) rows.set(entry.txnId, [...(rows.get(entry.txnId) ?? []), entry.payload.toString('hex')]);
  });
  return rows;
}

for (const tail of ['garbage', 'zeros', 'none'] as const) {
  test(`full: a power cut (${tail} in the unsynced tail) loses no acknowledged commit`, async (t) => {
    const random = prng(tail.length * 17);
    for (let round = 0; round < 6; round += 1) {
      const dir = tempDir(t);
      const acknowledged = await commitThenCut(dir, 'full', 5 + Math.floor(random() * 60), tail);
      const rows = await recovered(dir);
      for (const txn of acknowledged) t.true(rows.has(txn), `round ${round}: transaction ${txn}`);
      for (const [txn, payloads] of rows) {
        t.deepEqual(payloads, rowsOf(txn).map((row) => row.toString('hex')), `round ${round}: transaction ${txn} complete`);
      }
    }
  });
}

test('none: after a power cut the WAL reopens to complete transactions only', async (t) => {
  const dir = tempDir(t);
  await commitThenCut(dir, 'none', 40, 'garbage');
  const rows = await recovered(dir);
  for (const [txn, payloads] of rows) t.deepEqual(payloads, rowsOf(txn).map((row) => row.toString('hex')));
  t.pass();
});
