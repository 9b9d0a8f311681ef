/**
 * Child process for the kill test: commits forever under sync `full` with 4 concurrent
 * committers, printing `ack <txn> <commit LSN>` only after each commit resolved, and every 40
 * commits a checkpoint and a truncation (announced as `truncating <LSN>` before it starts).
 * Pipes are written synchronously on Linux, so a printed line survives a SIGKILL.
 * Usage: node --import tsx commit-child.ts <dir>
 */
import { PersistenceManager } from '../../../ts/persistence/persistence-manager';
import { WalOperation } from '../../../ts/wal/wal-constants';

/** The rows transaction `txn` writes (the parent recomputes them to check recovery). */
export function rowsOf(txn: bigint): Buffer[] {
  const count = 1 + Number(txn % 3n);
  return Array.from({ length: count }, (_, k) => Buffer.alloc(40 + Number(txn % 7n) * 20, `${txn}:${k};`));
}

async function main(dir: string): Promise<void> {
  const pm = await PersistenceManager.open(dir, { syncMode: 'full', walMaxFileBytes: 16 * 1024 });
  process.stdout.write('ready\n');
  let commits = 0;
  let maintenance = Promise.resolve();
  const committer = async (): Promise<never> => {
    for (;;) {
      const txn = pm.allocateTxnId();
      rowsOf(txn).forEach((row, k) => pm.recordDml(txn, 'kill', BigInt(k + 1), WalOperation.Insert, row));
      const lsn = await pm.commit(txn);
      process.stdout.write(`ack ${txn} ${lsn}\n`);
      commits += 1;
      if (commits % 40 === 0) {
        maintenance = maintenance.then(async () => {
          const checkpoint = await pm.createCheckpoint();
          process.stdout.write(`truncating ${checkpoint}\n`);
          await pm.truncateWal(checkpoint);
        });
      }
    }
  };
  await Promise.all([committer(), committer(), committer(), committer()]);
}

if (require.main === module) void main(process.argv[2]!);
