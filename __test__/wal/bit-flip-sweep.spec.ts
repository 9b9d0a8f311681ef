/**
 * Flip every bit of a WAL written by permafrost: recovery never returns a wrong row, loses at
 * most the transaction whose bytes were damaged, and reports that loss (damage region, and the
 * dropped transaction when its commit survived).
 */
import test from 'ava';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { committedOf, prng, readWalFiles, recoverFromDisk, recoverInMemory, runWorkload, type Recovered } from './helpers/workload';
import { silenceWarnings, tempDir } from './helpers/temp-dir';

silenceWarnings();

interface Verdict {
  readonly wrong: string[];
  readonly lost: string[];
}

/** Compares a recovery with the model: wrong = returned but different; lost = committed but missing. */
function judge(recovered: Recovered, committed: Map<bigint, string[]>, ddl: Map<bigint, string>): Verdict {
  const wrong: string[] = [];
  const lost: string[] = [];
  for (const [txnId, payloads] of recovered.txns) {
    if (JSON.stringify(committed.get(txnId)) !== JSON.stringify(payloads)) wrong.push(`txn ${txnId}`);
  }
  for (const [lsn, payload] of recovered.ddl) if (ddl.get(lsn) !== payload) wrong.push(`ddl ${lsn}`);
  for (const txnId of committed.keys()) if (!recovered.txns.has(txnId)) lost.push(`txn ${txnId}`);
  for (const lsn of ddl.keys()) if (!recovered.ddl.has(lsn)) lost.push(`ddl ${lsn}`);
  return { wrong, lost };
}

function reported(recovered: Recovered): boolean {
  return recovered.info.damage.length > 0 || recovered.info.droppedTransactions.length > 0;
}

test('every single-bit flip: no wrong row, at most the damaged transaction lost, and reported', async (t) => {
  const dir = tempDir(t);
  const model = await runWorkload(dir, {}, 10, 3);
  const files = readWalFiles(join(dir, 'wal'));
  const committed = committedOf(model);
  const failures: string[] = [];
  let flips = 0;
  for (let f = 0; f < files.length; f += 1) {
    const original = files[f]!.bytes;
    for (let byte = 0; byte < original.length; byte += 1) {
      for (let bit = 0; bit < 8; bit += 1) {
        const damaged = Buffer.from(original);
        damaged[byte]! ^= 1 << bit;
        const variant = files.map((file, index) => (index === f ? { name: file.name, bytes: damaged } : file));
        const recovered = await recoverInMemory(variant);
        const { wrong, lost } = judge(recovered, committed, model.ddl);
        flips += 1;
        const where = `${files[f]!.name} byte ${byte} bit ${bit}`;
        if (wrong.length > 0) failures.push(`${where}: wrong ${wrong.join(',')}`);
        if (lost.length > 1) failures.push(`${where}: lost ${lost.join(',')}`);
        if (!reported(recovered)) failures.push(`${where}: damage not reported`);
      }
    }
  }
  t.deepEqual(failures.slice(0, 10), []);
  t.true(flips > 20_000, `${flips} flips`);
});

test('a dropped transaction is named in the report when its commit entry survived', async (t) => {
  const dir = tempDir(t);
  const model = await runWorkload(dir, {}, 10, 3);
  const files = readWalFiles(join(dir, 'wal'));
  const committed = committedOf(model);
  // Damage the first data byte of the first entry of the first committed transaction.
  const first = files[0]!;
  const damaged = Buffer.from(first.bytes);
  const ddlEntryBytes = damaged.readUInt32LE(24) + 36;
  const commitBytes = damaged.readUInt32LE(ddlEntryBytes + 24) + 36;
  const target = ddlEntryBytes + commitBytes;
  damaged[target + 40]! ^= 0x01;
  const recovered = await recoverInMemory([{ name: first.name, bytes: damaged }, ...files.slice(1)]);
  const { wrong, lost } = judge(recovered, committed, model.ddl);
  t.deepEqual(wrong, []);
  t.is(lost.length, 1);
  t.deepEqual(
    recovered.info.droppedTransactions.map((dropped) => `txn ${dropped.txnId}`),
    lost,
  );
});

test('sampled bit flips opened from disk give the same guarantees through the public API', async (t) => {
  const source = tempDir(t);
  const model = await runWorkload(source, {}, 10, 3);
  const files = readWalFiles(join(source, 'wal'));
  const committed = committedOf(model);
  const random = prng(2024);
  for (let sample = 0; sample < 120; sample += 1) {
    const f = Math.floor(random() * files.length);
    const byte = Math.floor(random() * files[f]!.bytes.length);
    const dir = join(tempDir(t), 'db');
    mkdirSync(join(dir, 'wal'), { recursive: true });
    files.forEach((file, index) => {
      const bytes = Buffer.from(file.bytes);
      if (index === f) bytes[byte]! ^= 1 << Math.floor(random() * 8);
      writeFileSync(join(dir, 'wal', file.name), bytes);
    });
    const recovered = await recoverFromDisk(dir);
    const { wrong, lost } = judge(recovered, committed, model.ddl);
    t.deepEqual(wrong, [], `${files[f]!.name} byte ${byte}`);
    t.true(lost.length <= 1, `${files[f]!.name} byte ${byte}: lost ${lost.join(',')}`);
    const report = recovered.pm.recoveryReport;
    t.true(report.tornTail !== undefined || report.corruption.length > 0, `${files[f]!.name} byte ${byte}: not reported`);
    await recovered.pm.close();
  }
});
