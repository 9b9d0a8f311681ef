/**
 * A child process commits under sync `full` (with rotation, checkpoints and truncation) and is
 * killed with SIGKILL at random moments, many times over the same directory: after every kill,
 * every commit it acknowledged is there (unless a truncation it announced covered it), every
 * recovered transaction is complete, and the directory reopens cleanly.
 */
import test from 'ava';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { PersistenceManager } from '../../ts/persistence/persistence-manager';
import { WalOperation } from '../../ts/wal/wal-constants';
import { rowsOf } from './helpers/commit-child';
import { prng } from './helpers/workload';
import { silenceWarnings, tempDir } from './helpers/temp-dir';

silenceWarnings();

const KILLS = Number(process.env['PERMAFROST_KILLS'] ?? 24);
const CHILD = join(__dirname, 'helpers', 'commit-child.ts');

/** Runs the child until `delayMs` after it is ready, kills it, and returns its output. */
function runAndKill(dir: string, delayMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let errors = '';
    child.stdout.on('data', (chunk: Buffer) => {
      const wasReady = output.includes('ready\n');
      output += chunk.toString();
      if (!wasReady && output.includes('ready\n')) setTimeout(() => child.kill('SIGKILL'), delayMs);
    });
    child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (_code, signal) => (signal === 'SIGKILL' ? resolve(output) : reject(new Error(`child exited on its own: ${errors}`))));
  });
}

test(`${KILLS} SIGKILLs of a committing child lose no acknowledged commit`, async (t) => {
  t.timeout(180_000);
  const dir = tempDir(t);
  const random = prng(31337);
  const acknowledged = new Map<bigint, bigint>();
  let truncatedUpTo = 0n;
  let totalAcks = 0;
  for (let kill = 0; kill < KILLS; kill += 1) {
    const output = await runAndKill(dir, 20 + Math.floor(random() * 250));
    for (const line of output.split('\n')) {
      const [word, a, b] = line.split(' ');
      if (word === 'ack') {
        acknowledged.set(BigInt(a!), BigInt(b!));
        totalAcks += 1;
      } else if (word === 'truncating' && BigInt(a!) > truncatedUpTo) truncatedUpTo = BigInt(a!);
    }
    const pm = await PersistenceManager.open(dir);
    const rows = new Map<bigint, string[]>();
    await pm.replayTwoPhase(0n, (entry) => {
      if (entry.operation === WalOperation.Insert) rows.set(entry.txnId, [...(rows.get(entry.txnId) ?? []), entry.payload.toString('hex')]);
    });
    await pm.close();
    for (const [txn, payloads] of rows) {
      t.deepEqual(payloads, rowsOf(txn).map((row) => row.toString('hex')), `kill ${kill}: transaction ${txn} is complete`);
    }
    for (const [txn, commitLsn] of acknowledged) {
      if (commitLsn > truncatedUpTo) t.true(rows.has(txn), `kill ${kill}: acknowledged transaction ${txn} (LSN ${commitLsn}) is present`);
    }
  }
  t.true(totalAcks > KILLS, `${totalAcks} acknowledged commits over ${KILLS} kills`);
});
