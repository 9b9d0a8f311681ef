/**
 * Where each committed transaction's commit entry ends in the concatenated WAL, so a test can
 * say which transactions a prefix of the log must recover.
 */
import { decodeWalEntries } from '../../../ts/wal/wal-reader';
import { WalOperation } from '../../../ts/wal/wal-constants';
import type { WorkloadModel } from './workload';

export interface CommitPoints {
  /** Committed user transaction → end offset of its commit entry in the concatenated WAL. */
  readonly txns: Map<bigint, number>;
  /** Committed DDL entry LSN → end offset of its Commit(−2). */
  readonly ddl: Map<bigint, number>;
  /** Start offset of each file in the concatenated WAL. */
  readonly fileStarts: number[];
  /** Every entry boundary in the concatenated WAL. */
  readonly boundaries: number[];
  readonly totalBytes: number;
}

export function commitPoints(files: ReadonlyArray<{ name: string; bytes: Buffer }>, model: WorkloadModel): CommitPoints {
  const points: CommitPoints = { txns: new Map(), ddl: new Map(), fileStarts: [], boundaries: [], totalBytes: 0 };
  let start = 0;
  let pendingDdl: bigint[] = [];
  for (const file of files) {
    points.fileStarts.push(start);
    for (const entry of decodeWalEntries(file.bytes, file.name)) {
      const end = start + entry.offset + entry.sizeBytes;
      points.boundaries.push(start + entry.offset, end);
      if (entry.isDdl) pendingDdl.push(entry.lsn);
      else if (entry.operation === WalOperation.Commit && entry.txnId === -2n) {
        for (const lsn of pendingDdl) points.ddl.set(lsn, end);
        pendingDdl = [];
      } else if (entry.operation === WalOperation.Commit && model.txns.get(entry.txnId)?.outcome === 'committed') {
        points.txns.set(entry.txnId, end);
      }
    }
    start += file.bytes.length;
  }
  return { ...points, totalBytes: start };
}

/** The files as they would be if the log ended at byte `cut` of the concatenation. */
export function cutFiles(files: ReadonlyArray<{ name: string; bytes: Buffer }>, fileStarts: readonly number[], cut: number): Array<{ name: string; bytes: Buffer }> {
  const out: Array<{ name: string; bytes: Buffer }> = [];
  files.forEach((file, index) => {
    const start = fileStarts[index]!;
    if (start > cut || (start === cut && index > 0)) return;
    out.push({ name: file.name, bytes: file.bytes.subarray(0, Math.min(file.bytes.length, cut - start)) });
  });
  return out;
}

/** A short description of how `actual` differs from `expected` (empty when equal). */
export function mapDifference(expected: Map<bigint, string[] | string>, actual: Map<bigint, string[] | string>): string {
  const problems: string[] = [];
  for (const [key, value] of expected) {
    if (!actual.has(key)) problems.push(`missing ${key}`);
    else if (JSON.stringify(actual.get(key)) !== JSON.stringify(value)) problems.push(`different ${key}`);
  }
  for (const key of actual.keys()) if (!expected.has(key)) problems.push(`unexpected ${key}`);
  return problems.join(', ');
}
