/**
 * A reference workload (reliability guide W1): interleaved transactions with payloads of
 * every size class (tiny, compressible ≥ 64 B, incompressible), commits, rollbacks, in-doubt
 * transactions and DDL, written through the public API into a small-file WAL (≥ 3 files).
 * The model records what each transaction wrote, so recovery results can be checked exactly.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PersistenceManager } from '../../../ts/persistence/persistence-manager';
import type { PersistenceOptions } from '../../../ts/persistence/persistence-options';
import { replayCommitted, type TwoPhaseRecoveryInfo } from '../../../ts/wal/replay';
import { WalAnalyzer } from '../../../ts/wal/wal-analysis';
import { WalOperation } from '../../../ts/wal/wal-constants';
import { compareWalFileNames, isWalFileName, walFileLsn } from '../../../ts/wal/wal-file-names';
import { scanWalBytes } from '../../../ts/wal/wal-scanner';
import { prng } from '../../helpers/prng';
export { prng };

/** What one transaction wrote: its entries' payloads (hex) in order. */
export type TxnModel = { readonly txnId: bigint; readonly payloads: string[]; outcome: 'committed' | 'aborted' | 'open' };

export interface WorkloadModel {
  /** Transactions by id (DDL entries appear as txn −2, one model per DDL statement keyed by LSN). */
  readonly txns: Map<bigint, TxnModel>;
  /** DDL statements: LSN → payload hex. */
  readonly ddl: Map<bigint, string>;
}

function payload(random: () => number, txn: number, index: number): Buffer {
  const kind = Math.floor(random() * 3);
  if (kind === 0) return Buffer.from(`t${txn}e${index}`);
  if (kind === 1) return Buffer.alloc(64 + Math.floor(random() * 200), `row ${txn}/${index} `);
  return Buffer.from(Array.from({ length: 64 + Math.floor(random() * 60) }, () => Math.floor(random() * 256)));
}

/** Runs the workload into `dir` and returns the model. */
export async function runWorkload(dir: string, options: PersistenceOptions = {}, transactions = 24, seed = 7): Promise<WorkloadModel> {
  const random = prng(seed);
  const model: WorkloadModel = { txns: new Map(), ddl: new Map() };
  const pm = await PersistenceManager.open(dir, { walMaxFileBytes: 1500, syncMode: 'none', clock: () => 1_700_000_000_000_000_000n, ...options });
  try {
    const ddlPayload = Buffer.from('create table t1');
    model.ddl.set(await pm.recordDdl('t1', WalOperation.CreateTable, ddlPayload), ddlPayload.toString('hex'));
    const open: TxnModel[] = [];
    for (let n = 0; n < transactions; n += 1) {
      const txnId = pm.allocateTxnId();
      const txn: TxnModel = { txnId, payloads: [], outcome: 'open' };
      model.txns.set(txnId, txn);
      open.push(txn);
      // Interleave: write to a random open transaction, then maybe finish the oldest.
      for (let step = 0; step < 3; step += 1) {
        const target = open[Math.floor(random() * open.length)]!;
        const bytes = payload(random, Number(target.txnId), target.payloads.length);
        const op = random() < 0.8 ? WalOperation.Insert : WalOperation.Delete;
        pm.recordDml(target.txnId, 't1', BigInt(target.payloads.length + 1), op, bytes);
        target.payloads.push(bytes.toString('hex'));
      }
      if (open.length > 1 || n === transactions - 1) {
        const done = open.shift()!;
        const roll = random();
        if (roll < 0.1) {
          await pm.rollback(done.txnId);
          done.outcome = 'aborted';
        } else if (roll < 0.15) {
          // left open: a transaction that never finishes
        } else {
          await pm.commit(done.txnId);
          done.outcome = 'committed';
        }
      }
      if (n % 4 === 3) await new Promise((resolve) => setImmediate(resolve)); // let I/O (rotation) progress
      if (n === Math.floor(transactions / 2)) {
        const alter = Buffer.from('alter table t1');
        model.ddl.set(await pm.recordDdl('t1', WalOperation.AlterTable, alter), alter.toString('hex'));
      }
    }
  } finally {
    await pm.close();
  }
  return model;
}

/** The WAL files of `walDir` in replay order, with their bytes. */
export function readWalFiles(walDir: string): Array<{ name: string; bytes: Buffer }> {
  return readdirSync(walDir)
    .filter(isWalFileName)
    .sort(compareWalFileNames)
    .map((name) => ({ name, bytes: readFileSync(join(walDir, name)) }));
}

/** What a recovery produced: committed transactions' payloads and committed DDL LSNs. */
export interface Recovered {
  readonly txns: Map<bigint, string[]>;
  readonly ddl: Map<bigint, string>;
  readonly info: TwoPhaseRecoveryInfo;
}

/** Recovers in memory (phase 1 + phase 2 over the bytes), exactly as an open would. */
export async function recoverInMemory(files: ReadonlyArray<{ name: string; bytes: Uint8Array }>): Promise<Recovered> {
  const analyzer = new WalAnalyzer({ oldestRetainedLsn: files.length > 0 ? walFileLsn(files[0]!.name) : 0n });
  const batches = new Map(files.map((file) => [file.name, scanWalBytes(file.bytes)]));
  files.forEach((file, index) => {
    analyzer.beginFile({ name: file.name, sizeBytes: file.bytes.length }, index === files.length - 1);
    for (const batch of batches.get(file.name)!) analyzer.addBatch(batch);
    analyzer.endFile();
  });
  const recovered = { txns: new Map<bigint, string[]>(), ddl: new Map<bigint, string>() };
  const info = await replayCommitted(analyzer.finish(), (name) => batches.get(name)!, 0n, (entry) => collect(recovered, entry));
  return { ...recovered, info };
}

/** Replays a directory through the public API. */
export async function recoverFromDisk(dir: string, options: PersistenceOptions = {}): Promise<Recovered & { pm: PersistenceManager }> {
  const pm = await PersistenceManager.open(dir, options);
  const recovered = { txns: new Map<bigint, string[]>(), ddl: new Map<bigint, string>() };
  const info = await pm.replayTwoPhase(0n, (entry) => collect(recovered, entry));
  return { ...recovered, info, pm };
}

function collect(
  recovered: { txns: Map<bigint, string[]>; ddl: Map<bigint, string> },
  entry: { txnId: bigint; operation: number; lsn: bigint; payload: Buffer; isDdl: boolean },
): void {
  if (entry.operation === WalOperation.Commit) return;
  if (entry.isDdl) {
    recovered.ddl.set(entry.lsn, entry.payload.toString('hex'));
    return;
  }
  let list = recovered.txns.get(entry.txnId);
  if (list === undefined) recovered.txns.set(entry.txnId, (list = []));
  list.push(entry.payload.toString('hex'));
}

/** Committed transactions of the model, as recovery should return them. */
export function committedOf(model: WorkloadModel): Map<bigint, string[]> {
  const out = new Map<bigint, string[]>();
  for (const txn of model.txns.values()) if (txn.outcome === 'committed' && txn.payloads.length > 0) out.set(txn.txnId, txn.payloads);
  return out;
}
