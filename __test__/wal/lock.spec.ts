/**
 * The directory lock: a second opener — another handle in this process, a worker thread,
 * another process — gets ERR_LOCKED and changes nothing; the lock is released by close and
 * by the death of its holder.
 */
import test from 'ava';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { PermafrostError } from '../../ts/errors';
import { PersistenceManager } from '../../ts/persistence/persistence-manager';
import { WalOperation } from '../../ts/wal/wal-constants';
import { snapshotTree, tempDir } from './helpers/temp-dir';

const ATTEMPT = join(__dirname, 'helpers', 'open-attempt.ts');

async function openWithData(dir: string): Promise<PersistenceManager> {
  const pm = await PersistenceManager.open(dir);
  await pm.recordDdl('t', WalOperation.CreateTable, Buffer.from('schema'));
  return pm;
}

test('a second handle in the same process gets ERR_LOCKED naming the holder, and changes nothing', async (t) => {
  const dir = tempDir(t);
  const holder = await openWithData(dir);
  const before = snapshotTree(dir);
  const error = await t.throwsAsync<PermafrostError>(PersistenceManager.open(dir));
  t.is(error?.code, 'ERR_LOCKED');
  t.regex(error!.message, new RegExp(`process ${process.pid}`));
  t.deepEqual(snapshotTree(dir), before);
  await holder.close();
});

test('a worker thread gets ERR_LOCKED', async (t) => {
  const dir = tempDir(t);
  const holder = await openWithData(dir);
  const outcome = await new Promise<string>((resolve, reject) => {
    // The worker loads the TypeScript helper through tsx's CommonJS hook.
    const worker = new Worker(`require('tsx/cjs'); require(${JSON.stringify(ATTEMPT)});`, { eval: true, workerData: { dir } });
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  t.is(outcome, 'ERR_LOCKED');
  await holder.close();
});

test('another process gets ERR_LOCKED and changes nothing', async (t) => {
  const dir = tempDir(t);
  const holder = await openWithData(dir);
  const before = snapshotTree(dir);
  const result = spawnSync(process.execPath, ['--import', 'tsx', ATTEMPT, dir], { encoding: 'utf8' });
  t.is(result.stdout.trim(), 'ERR_LOCKED');
  t.deepEqual(snapshotTree(dir), before);
  await holder.close();
});

test('close releases the lock; the lock file stays and holds the PID', async (t) => {
  const dir = tempDir(t);
  const first = await openWithData(dir);
  await first.close();
  const result = spawnSync(process.execPath, ['--import', 'tsx', ATTEMPT, dir], { encoding: 'utf8' });
  t.is(result.stdout.trim(), 'opened');
  t.regex(readFileSync(join(dir, 'db.lock'), 'utf8'), /^\d+$/);
});

test('the lock of a holder killed with SIGKILL is free at once', async (t) => {
  const dir = tempDir(t);
  const child = spawn(process.execPath, ['--import', 'tsx', ATTEMPT, dir, 'hold'], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve) => child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('opened') && resolve()));
  await t.throwsAsync(PersistenceManager.open(dir), { code: 'ERR_LOCKED' });
  child.kill('SIGKILL');
  await new Promise((resolve) => child.once('exit', resolve));
  const pm = await PersistenceManager.open(dir);
  t.is(pm.status, 'open');
  await pm.close();
});

test('a manager garbage-collected without close() releases the lock and warns', (t) => {
  const dir = tempDir(t);
  const script = join(__dirname, 'helpers', 'gc-unclosed.ts');
  const result = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', script, dir], { encoding: 'utf8' });
  t.is(result.stdout.trim(), 'reopened open');
  t.regex(result.stderr, /PERMAFROST_UNCLOSED/);
});
