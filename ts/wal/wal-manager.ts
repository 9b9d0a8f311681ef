/**
 * The WAL of one database directory (stoolap's `WALManager`): the writer plus the policies
 * around it — what each sync mode waits for, rotation, checkpoints, truncation and replay.
 * Maintenance (rotation, checkpoint.meta writes, truncation, replay) runs one task at a time.
 *
 * | sync mode | commit resolves after            | DDL resolves after | fsync also at                       |
 * |-----------|----------------------------------|--------------------|-------------------------------------|
 * | `none`    | write() to the OS                | write()            | rotation, checkpoint, truncation, close |
 * | `normal`  | write(); an fsync follows within `syncIntervalMs` | fsync | same                          |
 * | `full`    | fdatasync (group commit)          | fdatasync          | same                                |
 *
 * Rotation: after a commit, rollback or DDL, when the current file holds `maxFileBytes` or
 * more, appends switch (synchronously, so no entry lands on the wrong side of the name's LSN)
 * to `wal_<SEQ>-<now>-lsn-<current LSN>.log`; then the old file and the directory are synced
 * and checkpoint.meta is rewritten to name the new file (LSN unchanged), as stoolap does.
 * A crash before the sync leaves the new file (maybe without its directory entry after a power
 * cut) and the old file intact: both are read in name order.
 *
 * (Over the 300-line budget: the policies above are one table and share one maintenance queue.)
 */
import { join } from 'node:path';
import { PermafrostError, ioError } from '../errors';
import { writeFileAtomic } from '../io/atomic-file';
import type { FileSystem } from '../io/file-system';
import { type CheckpointMeta, encodeCheckpointMeta } from './checkpoint-meta';
import { analyzeWalFiles, recoverWal, type WalRecoveryReport } from './recovery';
import { replayCommitted, type ReplayCallback, type TwoPhaseRecoveryInfo } from './replay';
import { listWalFiles, truncateWal, type TruncationResult } from './truncation';
import type { WalAnalysis } from './wal-analysis';
import { CHECKPOINT_META_NAME, checkpointTempName, rotatedWalFileName, rotationSequence } from './wal-file-names';
import { scanWalFile } from './wal-scanner';
import type { RowColumns } from './row-columns';
import { WalOperation } from './wal-constants';
import { WalWriter } from './wal-writer';

export type SyncMode = 'none' | 'normal' | 'full';

export interface WalManagerOptions {
  readonly fileSystem: FileSystem;
  readonly clock: () => bigint;
  readonly syncMode: SyncMode;
  readonly syncIntervalMs: number;
  readonly maxFileBytes: number;
  readonly flushTriggerBytes: number;
  readonly onCorruption: 'report' | 'throw';
}

export class WalManager {
  readonly walDir: string;
  readonly report: WalRecoveryReport;
  readonly #options: WalManagerOptions;
  readonly #fs: FileSystem;
  readonly #writer: WalWriter;
  readonly #recoveredMaxTxnId: bigint;
  #nextTxnId: bigint;
  #maintenance: Promise<unknown> = Promise.resolve();
  #rotationSequence: number;
  #rotationQueued = false;
  #previousFile: string | undefined;
  #checkpointLsn: bigint;
  #checkpointMetaExists: boolean;
  #analysis: WalAnalysis | undefined;
  #analysisLsn: bigint;
  #syncTimer: NodeJS.Timeout | undefined;
  #closed = false;
  #lastCheckedTxn: bigint | undefined;

  private constructor(walDir: string, options: WalManagerOptions, writer: WalWriter, recovered: RecoveredState) {
    this.walDir = walDir;
    this.#options = options;
    this.#fs = options.fileSystem;
    this.#writer = writer;
    this.report = recovered.report;
    this.#recoveredMaxTxnId = recovered.analysis.maxTxnId;
    this.#nextTxnId = recovered.analysis.maxTxnId + 1n;
    this.#rotationSequence = recovered.rotationSequence;
    this.#checkpointLsn = recovered.checkpointMeta?.lsn ?? 0n;
    this.#checkpointMetaExists = recovered.checkpointMeta !== undefined;
    this.#analysis = recovered.analysis;
    this.#analysisLsn = writer.currentLsn;
  }

  /** Opens (recovering) the WAL in `walDir`. The caller holds the directory lock. */
  static async open(walDir: string, options: WalManagerOptions): Promise<WalManager> {
    const recovered = await recoverWal(options.fileSystem, walDir, options);
    const writer = new WalWriter(options.fileSystem, walDir, recovered.segment, recovered.lastLsn, {
      flushTriggerBytes: options.flushTriggerBytes,
      clock: options.clock,
    });
    const names = await listWalFiles(options.fileSystem, walDir);
    const rotation = Math.max(0, ...names.map(rotationSequence));
    return new WalManager(walDir, options, writer, { ...recovered, rotationSequence: rotation });
  }

  get currentLsn(): bigint {
    return this.#writer.currentLsn;
  }
  /** The LSN of the last checkpoint (from checkpoint.meta at open, then from `createCheckpoint`). */
  get checkpointLsn(): bigint {
    return this.#checkpointLsn;
  }
  /** The largest transaction id in any valid entry at open. */
  get recoveredMaxTxnId(): bigint {
    return this.#recoveredMaxTxnId;
  }
  get currentFile(): string {
    return this.#writer.current.name;
  }
  get failure(): PermafrostError | undefined {
    return this.#writer.failure;
  }

  #assertOpen(): void {
    if (this.#closed) throw new PermafrostError('ERR_CLOSED', 'the WAL is closed');
  }

  #checkUserTxn(txnId: bigint): void {
    if (txnId === this.#lastCheckedTxn) return; // the common case: entries of one transaction in a row
    if (typeof txnId !== 'bigint' || txnId <= 0n || txnId >= 1n << 63n) {
      throw new PermafrostError('ERR_INVALID_ARGUMENT', `transaction id must be a positive i64 bigint, got ${String(txnId)}`);
    }
    if (txnId <= this.#recoveredMaxTxnId) {
      throw new PermafrostError(
        'ERR_INVALID_ARGUMENT',
        `transaction id ${txnId} was already used before the WAL was reopened (ids up to ${this.#recoveredMaxTxnId} are taken)`,
      );
    }
    if (txnId >= this.#nextTxnId) this.#nextTxnId = txnId + 1n;
    this.#lastCheckedTxn = txnId;
  }

  /** A transaction id never used in this WAL before (✱ stoolap may reuse ids after a crash). */
  allocateTxnId(): bigint {
    this.#assertOpen();
    const id = this.#nextTxnId;
    this.#nextTxnId += 1n;
    return id;
  }

  /** Stages a row entry; durable with its transaction's commit. */
  appendDml(txnId: bigint, tableName: string, rowId: bigint, operation: number, payload: Uint8Array): bigint {
    this.#assertOpen();
    if (this.#analysis?.batches !== undefined) this.#analysis.releaseBatches(); // the scan is stale now
    this.#checkUserTxn(txnId);
    return this.#writer.append(txnId, tableName, rowId, operation, payload);
  }

  /** Stages one Insert entry per row of a columnar batch; returns the last LSN. */
  appendRows(txnId: bigint, tableName: string, rowIds: Uint8Array, rowCount: number, columns: RowColumns): bigint {
    this.#assertOpen();
    if (this.#analysis?.batches !== undefined) this.#analysis.releaseBatches();
    this.#checkUserTxn(txnId);
    return this.#writer.appendRows(txnId, tableName, WalOperation.Insert, rowIds, rowCount, columns);
  }

  /** Commits `txnId`; resolves with the commit LSN once the sync mode's promise holds. */
  async commit(txnId: bigint): Promise<bigint> {
    this.#assertOpen();
    this.#checkUserTxn(txnId);
    const lsn = this.#writer.appendCommit(txnId);
    await this.#settle(false);
    return lsn;
  }

  /** Rolls `txnId` back (a Rollback entry, written through). */
  async rollback(txnId: bigint): Promise<bigint> {
    this.#assertOpen();
    this.#checkUserTxn(txnId);
    const lsn = this.#writer.appendRollback(txnId);
    await this.#writer.writeThrough();
    this.#maybeRotate();
    return lsn;
  }

  /** Logs an auto-committed DDL entry (txn −2) and its Commit(−2). */
  async appendDdl(tableName: string, operation: number, payload: Uint8Array): Promise<bigint> {
    this.#assertOpen();
    const lsn = this.#writer.appendDdl(tableName, operation, payload);
    await this.#settle(true);
    return lsn;
  }

  async #settle(ddl: boolean): Promise<void> {
    const mode = this.#options.syncMode;
    if (mode === 'full' || (mode === 'normal' && ddl)) await this.#writer.sync();
    else {
      await this.#writer.writeThrough();
      if (mode === 'normal') this.#scheduleSync();
    }
    this.#maybeRotate();
  }

  /** Normal mode: an fsync within `syncIntervalMs` of every acknowledged commit. */
  #scheduleSync(): void {
    if (this.#syncTimer !== undefined) return;
    const dueInMs = Math.max(0, this.#writer.lastSyncMs + this.#options.syncIntervalMs - Date.now());
    this.#syncTimer = setTimeout(() => {
      this.#syncTimer = undefined;
      if (!this.#closed) this.#writer.sync().catch(() => undefined);
    }, dueInMs);
    this.#syncTimer.unref();
  }

  /** Resolves once everything logged before the call is durable. */
  async sync(): Promise<void> {
    this.#assertOpen();
    await this.#writer.sync();
  }

  /** Runs maintenance tasks one at a time; an I/O failure in one poisons the writer. */
  #serialize<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#maintenance.then(async () => {
      try {
        return await task();
      } catch (caught) {
        // Any file-system failure in maintenance poisons writes: the files may be half-changed.
        const error = caught instanceof PermafrostError ? caught : ioError('WAL maintenance failed', caught, this.walDir);
        if (error.code === 'ERR_IO') this.#writer.fail(error, error.what, error.file ?? this.walDir);
        throw error;
      }
    });
    this.#maintenance = run.catch(() => undefined);
    return run;
  }

  /**
   * Rotation check (after commits, rollbacks and DDL). The switch to the new file happens
   * synchronously unless truncation holds the writer; syncing the old file and rewriting
   * checkpoint.meta follow as maintenance (coalesced when several switches queue up).
   */
  #maybeRotate(): void {
    if (this.#writer.current.writtenBytes < this.#options.maxFileBytes || this.#writer.failure !== undefined || this.#closed) return;
    if (this.#writer.switchPending) return; // a switch is already queued behind sealed batches
    if (this.#writer.paused) {
      if (!this.#rotationQueued) {
        this.#rotationQueued = true;
        this.#queueRotationFollowUp(true);
      }
      return;
    }
    this.#switchFile();
    if (!this.#rotationQueued) {
      this.#rotationQueued = true;
      this.#queueRotationFollowUp(false);
    }
  }

  #queueRotationFollowUp(switchFirst: boolean): void {
    this.#serialize(async () => {
      this.#rotationQueued = false;
      if (switchFirst && !this.#writer.switchPending && this.#writer.current.writtenBytes >= this.#options.maxFileBytes) this.#switchFile();
      await this.#writer.sync();
      await this.#writeCheckpointMeta({
        walFile: this.#writer.current.name,
        previousWalFile: this.#previousFile,
        lsn: this.#checkpointLsn,
        activeTransactions: [],
      });
    }).catch(() => undefined);
  }

  /** Switches appends to a new rotated file; synchronous from naming to switching. */
  #switchFile(): void {
    const previous = this.#writer.current;
    const name = rotatedWalFileName(this.#rotationSequence + 1, this.#options.clock(), this.#writer.currentLsn);
    const path = join(this.walDir, name);
    let fd: number;
    try {
      fd = this.#fs.openSync(path, 'wx', 0o644);
    } catch {
      return; // cannot create the file now (e.g. out of descriptors): keep appending, retry later
    }
    this.#rotationSequence += 1;
    this.#previousFile = previous.name;
    this.#writer.rotateTo({ name, path, fd, writtenBytes: 0, durableBytes: 0, directoryDurable: false });
  }

  async #writeCheckpointMeta(fields: Pick<CheckpointMeta, 'walFile' | 'previousWalFile' | 'lsn' | 'activeTransactions'>): Promise<void> {
    const meta: CheckpointMeta = {
      ...fields,
      timestampNanos: this.#options.clock(),
      consistent: fields.activeTransactions.length === 0,
      committedTransactions: [],
    };
    const tempName = checkpointTempName(this.#options.clock());
    await writeFileAtomic(this.#fs, this.walDir, CHECKPOINT_META_NAME, tempName, encodeCheckpointMeta(meta));
    this.#checkpointMetaExists = true;
  }

  /**
   * Makes everything logged so far durable and records it in checkpoint.meta; returns the
   * checkpoint LSN (every entry up to it is durable when this resolves).
   */
  createCheckpoint(activeTransactions: readonly bigint[], checkpointLsn?: bigint): Promise<bigint> {
    this.#assertOpen();
    return this.#serialize(async () => {
      const current = this.#writer.currentLsn;
      if (checkpointLsn !== undefined && (checkpointLsn < 0n || checkpointLsn > current)) {
        throw new PermafrostError('ERR_INVALID_ARGUMENT', `checkpoint LSN ${checkpointLsn} is not in [0, ${current}]`);
      }
      const lsn = checkpointLsn ?? current;
      await this.#writer.sync();
      await this.#writeCheckpointMeta({ walFile: this.#writer.current.name, previousWalFile: undefined, lsn, activeTransactions });
      this.#checkpointLsn = lsn;
      return lsn;
    });
  }

  /** Removes entries with LSN ≤ `upToLsn` (see truncation.ts). */
  truncate(upToLsn: bigint): Promise<TruncationResult> {
    this.#assertOpen();
    return this.#serialize(async () => {
      const result = await truncateWal({ fileSystem: this.#fs, walDir: this.walDir, writer: this.#writer, clock: this.#options.clock }, upToLsn);
      if (result.newFile !== undefined && this.#checkpointMetaExists) {
        await this.#writeCheckpointMeta({ walFile: result.newFile, previousWalFile: undefined, lsn: this.#checkpointLsn, activeTransactions: [] });
      }
      this.#analysis = undefined;
      return result;
    });
  }

  /** Two-phase replay of committed entries with LSN ≥ `fromLsn` (see replay.ts). */
  replayTwoPhase(fromLsn: bigint, callback: ReplayCallback): Promise<TwoPhaseRecoveryInfo> {
    this.#assertOpen();
    return this.#serialize(async () => {
      await this.#writer.writeThrough();
      let analysis = this.#analysis;
      if (analysis === undefined || this.#analysisLsn !== this.#writer.currentLsn) {
        analysis = await analyzeWalFiles(this.#fs, this.walDir, await listWalFiles(this.#fs, this.walDir));
      }
      // Phase 2 needs no byte past a file's last valid entry (a torn tail may be gone by now).
      const sizes = new Map(analysis.files.map((file) => [file.name, file.validEndBytes]));
      const kept = analysis.batches;
      const source = (name: string) => kept?.get(name) ?? scanWalFile(this.#fs, join(this.walDir, name), { sizeBytes: sizes.get(name)! });
      try {
        return await replayCommitted(analysis, source, fromLsn, callback);
      } finally {
        analysis.releaseBatches();
      }
    });
  }

  /** Waits for maintenance, makes everything durable and closes the files. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#syncTimer !== undefined) clearTimeout(this.#syncTimer);
    await this.#maintenance;
    await this.#writer.close();
  }
}

interface RecoveredState {
  readonly report: WalRecoveryReport;
  readonly analysis: WalAnalysis;
  readonly checkpointMeta: CheckpointMeta | undefined;
  readonly rotationSequence: number;
}
