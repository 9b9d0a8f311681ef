/**
 * Phase 2 of recovery (spec §2.16): walks the WAL files again, in order, and hands the
 * callback every entry with LSN ≥ `fromLsn` that phase 1 (`wal-analysis.ts`) decided is
 * committed — data entries before their commit marker, exactly as they lie in the files.
 *
 * | entry (LSN ≥ fromLsn)                      | delivered | counted as |
 * |--------------------------------------------|-----------|------------|
 * | truncation marker (txn −1000)              | no        | —          |
 * | Rollback                                   | no        | —          |
 * | Commit of a committed transaction          | yes       | —          |
 * | Commit of a dropped transaction            | no        | —          |
 * | data entry of a committed transaction      | yes       | applied    |
 * | data entry of any other transaction        | no        | skipped    |
 * | damaged region / rejected entry            | no        | skipped    |
 *
 * The lower bound is inclusive, as in stoolap. A callback may return a promise; it is awaited
 * before the next entry.
 */
import type { ScanBatch } from './scan-batch';
import { BatchPayloads } from './payloads';
import { type NumericKey, type WalAnalysis, type DroppedTransaction, keyOf } from './wal-analysis';
import { DDL_TXN_ID, MARKER_TXN_ID, WalOperation } from './wal-constants';
import type { WalDamage } from './wal-damage';
import { WalEntry } from './wal-entry';

// Read per entry: module-local copies (see scan-batch.ts).
const OP_COMMIT = WalOperation.Commit;
const OP_ROLLBACK = WalOperation.Rollback;

export type ReplayCallback = (entry: WalEntry) => void | Promise<void>;

/** What a replay found and did (stoolap's `TwoPhaseRecoveryInfo`, plus the damage report). */
export interface TwoPhaseRecoveryInfo {
  /** The highest LSN seen (at least `fromLsn`). */
  readonly lastLsn: bigint;
  /** Committed transactions with a commit at or after `fromLsn` (DDL counts once, as in stoolap). */
  readonly committedTransactions: number;
  /** Transactions with a Rollback entry at or after `fromLsn`. */
  readonly abortedTransactions: number;
  /** Data entries handed to the callback (commit markers excluded). */
  readonly appliedEntries: number;
  /** Data entries not applied: uncommitted, dropped or damaged. */
  readonly skippedEntries: number;
  /** Transactions with entries but neither a commit nor a rollback (crashed in flight). */
  readonly inDoubtTransactions: number;
  /** The largest transaction id in any valid entry. */
  readonly maxTxnId: bigint;
  /** Damaged regions found (the torn tail included, if it was still there). */
  readonly damage: readonly WalDamage[];
  /** Committed transactions that were not applied because entries of theirs are missing. */
  readonly droppedTransactions: readonly DroppedTransaction[];
}

/** Yields the scan batches of one WAL file. */
export type BatchSource = (fileName: string) => AsyncIterable<ScanBatch> | Iterable<ScanBatch>;

const DDL_KEY = keyOf(DDL_TXN_ID);
const MARKER_KEY = keyOf(MARKER_TXN_ID);

interface Tally {
  applied: number;
  skipped: number;
  committed: Set<NumericKey>;
  aborted: Set<NumericKey>;
  ddlCommitted: boolean;
}

/** Replays the committed entries with LSN ≥ `fromLsn` of the files phase 1 analysed. */
export async function replayCommitted(
  analysis: WalAnalysis,
  source: BatchSource,
  fromLsn: bigint,
  callback: ReplayCallback,
): Promise<TwoPhaseRecoveryInfo> {
  const tally: Tally = { applied: 0, skipped: 0, committed: new Set(), aborted: new Set(), ddlCommitted: false };
  const fromKey = keyOf(fromLsn);
  for (const file of analysis.files) {
    const rejected = analysis.rejected.get(file.name);
    for await (const batch of source(file.name)) {
      const chosen = chooseEntries(batch, analysis, fromKey, rejected, tally);
      if (chosen.count === 0) continue;
      const payloads = new BatchPayloads(batch, chosen.indices, chosen.count, file.name);
      for (let k = 0; k < chosen.count; k += 1) {
        const result = callback(new WalEntry(batch, chosen.indices[k]!, file.name, payloads, k));
        if (result !== undefined) await result;
      }
    }
  }
  for (const region of analysis.damage) if (region.lsn === undefined || region.lsn >= fromLsn) tally.skipped += 1;
  return {
    lastLsn: analysis.lastLsn > fromLsn ? analysis.lastLsn : fromLsn,
    committedTransactions: tally.committed.size + (tally.ddlCommitted ? 1 : 0),
    abortedTransactions: tally.aborted.size,
    appliedEntries: tally.applied,
    skippedEntries: tally.skipped,
    inDoubtTransactions: analysis.inDoubtTransactions,
    maxTxnId: analysis.maxTxnId,
    damage: analysis.damage,
    droppedTransactions: analysis.droppedTransactions,
  };
}

/** Picks the entries of `batch` to deliver, counting the rest. */
function chooseEntries(
  batch: ScanBatch,
  analysis: WalAnalysis,
  fromKey: NumericKey,
  rejected: ReadonlySet<number> | undefined,
  tally: Tally,
): { indices: Int32Array; count: number } {
  const indices = new Int32Array(batch.count);
  let count = 0;
  for (let i = 0; i < batch.count; i += 1) {
    if (!batch.isEntry(i) || (rejected !== undefined && rejected.has(batch.offset(i)))) continue;
    const lsnNumber = batch.lsnNumber(i);
    const lsnKey: NumericKey = Number.isNaN(lsnNumber) ? batch.lsn(i) : lsnNumber;
    if (lsnKey < fromKey) continue;
    const txnNumber = batch.txnIdNumber(i);
    const txnKey: NumericKey = Number.isNaN(txnNumber) ? batch.txnId(i) : txnNumber;
    if (txnKey === MARKER_KEY) continue;
    const operation = batch.operation(i);
    if (operation === OP_ROLLBACK) {
      tally.aborted.add(txnKey);
      continue;
    }
    const isCommitted = txnKey === DDL_KEY ? analysis.committedDdl.has(lsnKey) : analysis.isCommitted(txnKey, lsnKey);
    if (operation === OP_COMMIT) {
      if (!isCommitted) continue;
      if (txnKey === DDL_KEY) tally.ddlCommitted = true;
      else tally.committed.add(txnKey);
    } else if (isCommitted) {
      tally.applied += 1;
    } else {
      tally.skipped += 1;
      continue;
    }
    indices[count] = i;
    count += 1;
  }
  return { indices, count };
}
