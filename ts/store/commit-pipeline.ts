/**
 * How a transaction's writes become committed data.
 *
 * 1. Validate (synchronously) against committed data plus commits that are logged but not
 *    yet durable ("pending"): an insert needs a free row id (else ERR_CONSTRAINT); an update
 *    or delete needs the row to still exist and not to have been written by a transaction
 *    that committed after this one began (else ERR_CONFLICT — first committer wins).
 * 2. Log (synchronously, so log order = validation order): one WAL entry per write, then the
 *    Commit entry (stoolap's order, spec §2.7). The writes join the pending overlay.
 * 3. Await durability (the sync mode's promise), then apply pending commits to the committed
 *    state strictly in log order. Readers only ever see durable commits.
 *
 * If durability fails, the persistence manager is poisoned (every later write refuses with
 * ERR_POISONED) and the failed commits are never applied: after reopen each is either fully
 * there or fully absent, as the WAL on disk says.
 *
 * A checkpoint takes the fence (`exclusive`): new commits wait at step 1, and the fence waits
 * until every pending commit is applied, so the checkpoint sees a quiet, fully applied state.
 */
import { PermafrostError } from '../errors';
import type { Value } from '../codec/values';
import type { PersistenceManager } from '../persistence/persistence-manager';
import { WalOperation } from '../wal/wal-constants';
import type { RowBatch } from './row-batch';
import type { TableState } from './table-state';

/** Rows a transaction inserts as one columnar batch (`insertColumns`); no row is hidden. */
export interface BatchWrite {
  readonly state: TableState;
  readonly batch: RowBatch;
}

/** A row write inside a transaction. `values === null` deletes. */
export interface RowWrite {
  readonly state: TableState;
  readonly rowId: bigint;
  readonly values: Value[] | null;
  /** True for `insert` (the row id must be free), false for update/delete (the row must exist). */
  readonly isInsert: boolean;
}

interface PendingCommit {
  readonly writes: readonly RowWrite[];
  readonly batches: readonly BatchWrite[];
  readonly seq: number;
  /** Set when the commit is durable and may be applied. */
  durable: boolean;
  /** Set when the commit failed; it is dropped instead of applied. */
  failed: boolean;
  /** Commit LSN (0n in memory-only mode). */
  lsn: bigint;
}

const EMPTY: readonly Value[] = Object.freeze([]);

export class CommitPipeline {
  readonly #pm: PersistenceManager;
  /** Sequence number of the last logged commit (stamps row writes for conflict checks). */
  #logSeq = 0;
  /** Oldest first; applied from the head as commits become durable. */
  readonly #pending: PendingCommit[] = [];
  /** Row id → the newest pending write of it (identity tells `#drain` whether a later one exists). */
  readonly #overlay = new Map<TableState, Map<bigint, RowWrite>>();
  /** Row id → seq of the last commit that wrote it (pruned at checkpoints). */
  readonly #lastWrite = new Map<TableState, Map<bigint, number>>();
  /** Batches logged but not yet applied, oldest first. */
  readonly #pendingBatches = new Map<TableState, RowBatch[]>();
  /** Batches with the seq of the commit that logged them (the batch form of `#lastWrite`). */
  readonly #batchStamps = new Map<TableState, Array<{ readonly batch: RowBatch; readonly seq: number }>>();
  readonly #activeStarts = new Map<bigint, number>();
  #fence: Promise<void> | undefined;
  #drained: (() => void) | undefined;

  constructor(pm: PersistenceManager) {
    this.#pm = pm;
  }

  /** Registers a new transaction; returns its start sequence. */
  begin(txnId: bigint): number {
    this.#activeStarts.set(txnId, this.#logSeq);
    return this.#logSeq;
  }

  end(txnId: bigint): void {
    this.#activeStarts.delete(txnId);
    // With no transaction active, every future one starts after every stamp, so none can
    // conflict: drop them now rather than letting them grow with the data until a checkpoint.
    if (this.#activeStarts.size === 0) {
      this.#lastWrite.clear();
      this.#batchStamps.clear();
    }
  }

  /** The row as committed plus pending commits would have it (undefined = absent). */
  currentRow(state: TableState, rowId: bigint): Value[] | undefined {
    const pending = this.#overlay.get(state)?.get(rowId);
    if (pending !== undefined) return pending.values ?? undefined;
    const batches = this.#pendingBatches.get(state);
    if (batches !== undefined) {
      for (const batch of batches) {
        const index = batch.indexOf(rowId);
        if (index >= 0) return batch.values(index);
      }
    }
    return state.get(rowId);
  }

  /** ERR_CONSTRAINT unless every row id of `batch` is free in committed plus pending data. */
  #assertBatchFree(state: TableState, batch: RowBatch): void {
    const overlay = this.#overlay.get(state);
    const pending = this.#pendingBatches.get(state);
    const inRange = (rowId: bigint): boolean => rowId >= batch.firstId && rowId <= batch.lastId;
    // The usual case, decided without a lookup per row: the batch lies above every committed
    // id, and no pending write or batch reaches into its range.
    const clear =
      batch.firstId >= state.committedBound &&
      (overlay === undefined || overlay.size === 0 || (overlay.size < batch.length && ![...overlay.keys()].some(inRange))) &&
      (pending === undefined || pending.every((other) => other.lastId < batch.firstId || other.firstId > batch.lastId));
    if (clear) return;
    for (const rowId of batch.rowIds) {
      if (this.currentRow(state, rowId) !== undefined) {
        throw new PermafrostError('ERR_CONSTRAINT', `row ${rowId} already exists in table '${state.schema.tableName}'`);
      }
    }
  }

  /** Seq of the newest logged batch of `state` holding `rowId`, if any. */
  #batchStamp(state: TableState, rowId: bigint): number | undefined {
    let newest: number | undefined;
    for (const { batch, seq } of this.#batchStamps.get(state) ?? []) {
      if (batch.contains(rowId) && (newest === undefined || seq > newest)) newest = seq;
    }
    return newest;
  }

  #validate(writes: readonly RowWrite[], batches: readonly BatchWrite[], startSeq: number): void {
    for (const { state, batch } of batches) this.#assertBatchFree(state, batch);
    for (const write of writes) {
      const exists = this.currentRow(write.state, write.rowId) !== undefined;
      const table = write.state.schema.tableName;
      if (write.isInsert) {
        if (exists) throw new PermafrostError('ERR_CONSTRAINT', `row ${write.rowId} already exists in table '${table}'`);
        continue;
      }
      const stamped = this.#lastWrite.get(write.state)?.get(write.rowId);
      const writtenAt = this.#batchStamps.size === 0 ? stamped : Math.max(stamped ?? -1, this.#batchStamp(write.state, write.rowId) ?? -1);
      if (!exists || (writtenAt !== undefined && writtenAt > startSeq)) {
        throw new PermafrostError('ERR_CONFLICT', `row ${write.rowId} of table '${table}' was changed by a transaction that committed first`);
      }
    }
  }

  /** Logs one write as stoolap does at commit (spec §2.7). */
  #log(txnId: bigint, write: RowWrite): void {
    const { state, rowId, values } = write;
    const coldVisible = !write.isInsert && !state.hot.has(rowId) && !this.#overlay.get(state)?.has(rowId) && state.hasVisibleColdRow(rowId);
    if (coldVisible) {
      // A cold row that is deleted or replaced: a Delete entry under the lower-case name, no values.
      this.#pm.recordDml(txnId, state.key, rowId, WalOperation.Delete, { txnId, deletedAtTxnId: txnId, createTime: 0n, values: EMPTY });
    }
    if (values !== null) {
      this.#pm.recordDml(txnId, state.schema.tableName, rowId, WalOperation.Insert, { txnId, deletedAtTxnId: 0n, createTime: 0n, values });
    } else if (!coldVisible) {
      const last = this.currentRow(state, rowId) ?? [];
      this.#pm.recordDml(txnId, state.schema.tableName, rowId, WalOperation.Delete, { txnId, deletedAtTxnId: txnId, createTime: 0n, values: last });
    }
  }

  /** Validates, logs and (once durable) applies a transaction's writes. */
  async commit(txnId: bigint, writes: readonly RowWrite[], batches: readonly BatchWrite[] = []): Promise<bigint> {
    while (this.#fence !== undefined) await this.#fence;
    const startSeq = this.#activeStarts.get(txnId) ?? this.#logSeq;
    this.#validate(writes, batches, startSeq);
    if (writes.length === 0 && batches.length === 0) return 0n;
    for (const write of writes) this.#log(txnId, write);
    for (const { state, batch } of batches) {
      this.#pm.recordInsertBatch(txnId, state.schema.tableName, batch.rowIdBytes, batch.length, batch.walColumns());
    }
    const durable = this.#pm.commit(txnId);
    const seq = ++this.#logSeq;
    const entry: PendingCommit = { writes, batches, seq, durable: false, failed: false, lsn: 0n };
    this.#pending.push(entry);
    // Stamps only matter to transactions already running: one that begins later starts at
    // or after `seq`. With none but this one (the usual serial writer), skip them.
    const othersActive = this.#activeStarts.size > (this.#activeStarts.has(txnId) ? 1 : 0);
    for (const { state, batch } of batches) {
      let list = this.#pendingBatches.get(state);
      if (!list) this.#pendingBatches.set(state, (list = []));
      list.push(batch);
      if (!othersActive) continue;
      let stamps = this.#batchStamps.get(state);
      if (!stamps) this.#batchStamps.set(state, (stamps = []));
      stamps.push({ batch, seq });
    }
    for (const write of writes) {
      let overlay = this.#overlay.get(write.state);
      if (!overlay) this.#overlay.set(write.state, (overlay = new Map()));
      overlay.set(write.rowId, write);
      if (!othersActive) continue;
      let stamps = this.#lastWrite.get(write.state);
      if (!stamps) this.#lastWrite.set(write.state, (stamps = new Map()));
      stamps.set(write.rowId, seq);
    }
    try {
      entry.lsn = await durable;
      entry.durable = true;
    } catch (error) {
      entry.failed = true;
      throw error;
    } finally {
      this.#drain();
    }
    return entry.lsn;
  }

  #drain(): void {
    while (this.#pending.length > 0) {
      const head = this.#pending[0]!;
      if (!head.durable && !head.failed) break;
      this.#pending.shift();
      if (head.durable) {
        for (const write of head.writes) applyWrite(write, head.lsn);
        for (const { state, batch } of head.batches) {
          state.hot.addBatch(batch);
          state.noteRowId(batch.lastId);
        }
      }
      for (const { state, batch } of head.batches) {
        const list = this.#pendingBatches.get(state);
        const index = list?.indexOf(batch) ?? -1;
        if (index >= 0) list!.splice(index, 1);
      }
      for (const write of head.writes) {
        const overlay = this.#overlay.get(write.state);
        // Only clear the overlay if no later pending commit wrote the same row (it would be
        // the overlay's entry then); an identity check keeps draining O(1) per write.
        if (overlay?.get(write.rowId) === write) {
          overlay.delete(write.rowId);
        }
      }
    }
    if (this.#pending.length === 0) this.#drained?.();
  }

  /**
   * Runs `task` with no commit in flight: waits until pending commits are applied and holds
   * new ones back until `task` settles.
   */
  async exclusive<T>(task: () => Promise<T>): Promise<T> {
    while (this.#fence !== undefined) await this.#fence;
    let release!: () => void;
    this.#fence = new Promise<void>((resolve) => (release = resolve));
    try {
      if (this.#pending.length > 0) await new Promise<void>((resolve) => (this.#drained = resolve));
      this.#drained = undefined;
      return await task();
    } finally {
      this.#fence = undefined;
      release();
    }
  }

  /** Forgets write stamps no active transaction can conflict with any more. */
  pruneWriteStamps(): void {
    const oldest = Math.min(this.#logSeq, ...this.#activeStarts.values());
    for (const stamps of this.#lastWrite.values()) {
      for (const [rowId, seq] of stamps) if (seq <= oldest) stamps.delete(rowId);
    }
    for (const [state, stamps] of this.#batchStamps) this.#batchStamps.set(state, stamps.filter(({ seq }) => seq > oldest));
  }

  /** Drops every trace of a table (after DROP TABLE). */
  forgetTable(state: TableState): void {
    this.#overlay.delete(state);
    this.#lastWrite.delete(state);
    this.#pendingBatches.delete(state);
    this.#batchStamps.delete(state);
  }
}

/** Applies one durable write to the committed state (also used by WAL replay). */
export function applyWrite(write: Pick<RowWrite, 'state' | 'rowId' | 'values'>, commitLsn: bigint): void {
  const { state, rowId, values } = write;
  if (values === null) {
    state.hot.delete(rowId);
    if (state.coldLocation(rowId) !== undefined) state.tombstones.set(rowId, commitLsn);
  } else {
    state.hot.set(rowId, values);
    if (state.coldLocation(rowId) !== undefined) state.tombstones.set(rowId, commitLsn);
  }
  state.noteRowId(rowId);
}
