/**
 * `PersistenceManager`: the persistence surface of stoolap's `persistence.rs` (spec §8.0) for
 * Node — the directory lock, the WAL, checkpoints, truncation, two-phase replay and the schema
 * registry, behind one typed, async API. The engine above it decides *when* to call these.
 *
 * Lifecycle: `await PersistenceManager.open(dir, options)` takes `<dir>/db.lock` (failing with
 * `ERR_LOCKED` if any other handle, worker or process holds it) before reading or repairing
 * anything, then recovers the WAL. `close()` (idempotent; also `await using`) makes everything
 * durable, closes the files and releases the lock. After a failed write or fsync every write
 * rejects with `ERR_POISONED` until the directory is reopened; after `close()`, with `ERR_CLOSED`.
 *
 * Memory-only mode (no path, or `persistence: false`): every call succeeds and returns 0n,
 * exactly like stoolap's disabled manager; nothing touches the disk.
 */
import { closeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PermafrostError, ioError } from '../errors';
import { DirectoryLock } from '../io/directory-lock';
import { encodeRowVersion, type RowVersion } from '../codec/row-version';
import type { TableSchema } from '../codec/schema';
import type { WalRecoveryReport } from '../wal/recovery';
import type { ReplayCallback, TwoPhaseRecoveryInfo } from '../wal/replay';
import type { RowColumns } from '../wal/row-columns';
import { isDdlOperation, walOperationName, WalOperation } from '../wal/wal-constants';
import { damageError } from '../wal/wal-damage';
import { WalManager, type SyncMode } from '../wal/wal-manager';
import { type PersistenceOptions, type ResolvedOptions, resolveOptions } from './persistence-options';

export type PersistenceStatus = 'open' | 'poisoned' | 'closed';

/**
 * A safety net, not a way to close: a manager garbage-collected while open gets a warning and
 * its lock descriptor closed (releasing `db.lock`); it never fsyncs. Call `close()`.
 */
const unclosed = new FinalizationRegistry<{ readonly path: string; readonly fd: number }>(({ path, fd }) => {
  try {
    closeSync(fd);
  } catch {
    // already closed
  }
  process.emitWarning(`PersistenceManager for ${path} was garbage-collected without close()`, { code: 'PERMAFROST_UNCLOSED' });
});

const EMPTY_REPORT: WalRecoveryReport = Object.freeze({
  repairs: [],
  tornTail: undefined,
  corruption: [],
  droppedTransactions: [],
  inDoubtTransactions: 0,
  checkpointMetaError: undefined,
});

const EMPTY_REPLAY: TwoPhaseRecoveryInfo = Object.freeze({
  lastLsn: 0n,
  committedTransactions: 0,
  abortedTransactions: 0,
  appliedEntries: 0,
  skippedEntries: 0,
  inDoubtTransactions: 0,
  maxTxnId: 0n,
  damage: [],
  droppedTransactions: [],
});

// Module-local copies: recordDml reads them per call (see ts/wal/scan-batch.ts).
const OP_INSERT = WalOperation.Insert;
const OP_UPDATE = WalOperation.Update;
const OP_DELETE = WalOperation.Delete;

const I64_MIN = -(1n << 63n);
const I64_MAX = (1n << 63n) - 1n;

function checkI64(value: bigint, what: string): void {
  if (typeof value !== 'bigint' || value < I64_MIN || value > I64_MAX) {
    throw new PermafrostError('ERR_INVALID_ARGUMENT', `${what} must be an i64 bigint, got ${String(value)}`);
  }
}

export class PersistenceManager implements AsyncDisposable {
  /** The database directory, or null in memory-only mode. */
  readonly path: string | null;
  readonly #options: ResolvedOptions;
  readonly #wal: WalManager | undefined;
  readonly #lock: DirectoryLock | undefined;
  readonly #schemas = new Map<string, TableSchema>();
  #lastCheckpointTime = 0n;
  #memoryTxnId = 0n;
  #closing: Promise<void> | undefined;
  #closed = false;

  private constructor(path: string | null, options: ResolvedOptions, wal?: WalManager, lock?: DirectoryLock) {
    this.path = path;
    this.#options = options;
    this.#wal = wal;
    this.#lock = lock;
    const fd = lock?.descriptor;
    if (path !== null && fd !== undefined) unclosed.register(this, { path, fd }, this);
  }

  /**
   * Opens the database directory `path` (created if missing) or, with no path or
   * `persistence: false`, a memory-only manager. Resolves once the lock is held and the WAL
   * recovered (torn tail cut, interrupted truncation repaired; see `recoveryReport`).
   */
  static async open(path: string | null | undefined, options: PersistenceOptions = {}): Promise<PersistenceManager> {
    const resolved = resolveOptions(options);
    if (path === null || path === undefined || !resolved.persistence) return new PersistenceManager(null, resolved);
    if (typeof path !== 'string' || path === '') throw new PermafrostError('ERR_INVALID_ARGUMENT', 'path must be a non-empty string');
    const directory = resolve(path);
    const fileSystem = resolved.fileSystem;
    try {
      if (await fileSystem.mkdir(directory)) await fileSystem.fsyncDirectory(resolve(directory, '..'));
    } catch (error) {
      throw ioError('cannot create the database directory', error, directory);
    }
    const lock = await DirectoryLock.acquire(fileSystem, directory);
    let wal: WalManager;
    try {
      wal = await WalManager.open(join(directory, 'wal'), { ...resolved, fileSystem });
    } catch (error) {
      await lock.release();
      throw error;
    }
    warnAboutDamage(wal.report);
    return new PersistenceManager(directory, resolved, wal, lock);
  }

  /** False in memory-only mode. */
  get enabled(): boolean {
    return this.#wal !== undefined;
  }
  get status(): PersistenceStatus {
    if (this.#closed) return 'closed';
    return this.#wal?.failure === undefined ? 'open' : 'poisoned';
  }
  get syncMode(): SyncMode {
    return this.#options.syncMode;
  }
  /** What opening found and repaired (empty in memory-only mode). */
  get recoveryReport(): WalRecoveryReport {
    return this.#wal?.report ?? EMPTY_REPORT;
  }
  /** The last LSN assigned (0n in memory-only mode). */
  get currentLsn(): bigint {
    return this.#wal?.currentLsn ?? 0n;
  }
  /** LSN of the last checkpoint (checkpoint.meta at open, then `createCheckpoint`). */
  get checkpointLsn(): bigint {
    return this.#wal?.checkpointLsn ?? 0n;
  }
  /** When `createCheckpoint` last succeeded, in nanoseconds since the epoch (0n = never). */
  get lastCheckpointTime(): bigint {
    return this.#lastCheckpointTime;
  }
  /** How often the engine should checkpoint, in milliseconds. */
  get checkpointIntervalMs(): number {
    return this.#options.checkpointIntervalMs;
  }
  /** How many backup snapshots the engine keeps. */
  get keepSnapshots(): number {
    return this.#options.keepSnapshots;
  }
  /** The largest transaction id found in the WAL at open; new ids must be above it. */
  get maxRecoveredTxnId(): bigint {
    return this.#wal?.recoveredMaxTxnId ?? 0n;
  }

  #assertOpen(): void {
    if (this.#closed || this.#closing !== undefined) throw new PermafrostError('ERR_CLOSED', 'the persistence manager is closed');
  }

  /**
   * A transaction id never used in this WAL before (above every id found at open); in
   * memory-only mode, 1n, 2n, 3n, ...
   */
  allocateTxnId(): bigint {
    this.#assertOpen();
    if (this.#wal !== undefined) return this.#wal.allocateTxnId();
    this.#memoryTxnId += 1n;
    return this.#memoryTxnId;
  }

  /**
   * Logs a DDL operation (CreateTable … TruncateTable) as an auto-committed entry of txn −2
   * followed by its Commit(−2). Resolves with the entry's LSN once it is durable (written to
   * the OS in `none` mode, fsynced otherwise).
   */
  async recordDdl(tableName: string, operation: number, payload: Uint8Array): Promise<bigint> {
    this.#assertOpen();
    if (!isDdlOperation(operation)) {
      throw new PermafrostError('ERR_INVALID_ARGUMENT', `recordDdl needs a DDL operation, got ${walOperationName(operation)}`);
    }
    return (await this.#wal?.appendDdl(tableName, operation, payload)) ?? 0n;
  }

  /** Logs an index operation (CreateIndex, DropIndex); identical to `recordDdl`, as in stoolap. */
  recordIndexOperation(tableName: string, operation: number, payload: Uint8Array): Promise<bigint> {
    return this.recordDdl(tableName, operation, payload);
  }

  /**
   * Stages a row operation (Insert, Update, Delete) of transaction `txnId` with the row's
   * RowVersion (encoded as v2; pre-encoded bytes are accepted). Returns the entry's LSN; the
   * entry becomes durable with the transaction's `commit`. The payload is copied.
   */
  recordDml(txnId: bigint, tableName: string, rowId: bigint, operation: number, version: RowVersion | Uint8Array): bigint {
    this.#assertOpen();
    if (operation !== OP_INSERT && operation !== OP_UPDATE && operation !== OP_DELETE) {
      throw new PermafrostError('ERR_INVALID_ARGUMENT', `recordDml needs Insert, Update or Delete, got ${walOperationName(operation)}`);
    }
    checkI64(rowId, 'row id');
    if (this.#wal === undefined) return 0n;
    const payload = version instanceof Uint8Array ? version : encodeRowVersion(version);
    return this.#wal.appendDml(txnId, tableName, rowId, operation, payload);
  }

  /**
   * Stages one Insert entry per row of a columnar batch of transaction `txnId`: row `i` has
   * row id `rowIds[i]` (i64 LE) and the values of `columns` (ts/wal/row-columns.ts), written
   * as the RowVersion `recordDml` would write for the same values (txn id `txnId`, not
   * deleted, create time 0). Returns the last entry's LSN (0n in memory-only mode).
   */
  recordInsertBatch(txnId: bigint, tableName: string, rowIds: Uint8Array, rowCount: number, columns: RowColumns): bigint {
    this.#assertOpen();
    if (rowIds.byteLength !== rowCount * 8) {
      throw new PermafrostError('ERR_INVALID_ARGUMENT', `${rowIds.byteLength} row id bytes for ${rowCount} rows`);
    }
    if (this.#wal === undefined) return 0n;
    return this.#wal.appendRows(txnId, tableName, rowIds, rowCount, columns);
  }

  /** Commits `txnId`: resolves with the commit LSN once the sync mode's guarantee holds. */
  async commit(txnId: bigint): Promise<bigint> {
    this.#assertOpen();
    return (await this.#wal?.commit(txnId)) ?? 0n;
  }

  /** Logs the rollback of `txnId` (its entries are never replayed). */
  async rollback(txnId: bigint): Promise<bigint> {
    this.#assertOpen();
    return (await this.#wal?.rollback(txnId)) ?? 0n;
  }

  /** Resolves once everything logged before the call is durable (fsynced), in any sync mode. */
  async sync(): Promise<void> {
    this.#assertOpen();
    await this.#wal?.sync();
  }

  /**
   * Two-phase replay (spec §2.16): finds the committed transactions, then calls `callback` with
   * every committed entry whose LSN ≥ `fromLsn`, in log order. `fromLsn` is used as given
   * (✱ stoolap replaces 0 by checkpoint.meta's LSN; pass `checkpointLsn` for that).
   */
  async replayTwoPhase(fromLsn: bigint, callback: ReplayCallback): Promise<TwoPhaseRecoveryInfo> {
    this.#assertOpen();
    checkI64(fromLsn, 'fromLsn');
    if (this.#wal === undefined) return EMPTY_REPLAY;
    return this.#wal.replayTwoPhase(fromLsn, callback);
  }

  /**
   * Makes everything logged so far durable and writes checkpoint.meta with the active
   * transactions; resolves with the checkpoint LSN (0n in memory-only mode). The LSN is the
   * current one unless `checkpointLsn` names an earlier point (the store records the LSN its
   * volumes were sealed at, below the DDL it re-records afterwards, as stoolap does).
   */
  async createCheckpoint(activeTransactions: readonly bigint[] = [], checkpointLsn?: bigint): Promise<bigint> {
    this.#assertOpen();
    if (this.#wal === undefined) return 0n;
    for (const txnId of activeTransactions) checkI64(txnId, 'active transaction id');
    if (checkpointLsn !== undefined) checkI64(checkpointLsn, 'checkpointLsn');
    const lsn = await this.#wal.createCheckpoint(activeTransactions, checkpointLsn);
    this.#lastCheckpointTime = this.#options.clock();
    return lsn;
  }

  /**
   * Removes WAL entries with LSN ≤ `upToLsn` (✱ never those of a transaction still open in this
   * session). Old files are deleted, the current one rewritten (spec §2.13).
   */
  async truncateWal(upToLsn: bigint): Promise<void> {
    this.#assertOpen();
    checkI64(upToLsn, 'upToLsn');
    if (this.#wal === undefined || upToLsn <= 0n) return;
    await this.#wal.truncate(upToLsn);
  }

  /** Remembers the schema of table `name` (kept in memory only, as in stoolap). */
  registerSchema(name: string, schema: TableSchema): void {
    this.#schemas.set(name, schema);
  }
  getSchema(name: string): TableSchema | undefined {
    return this.#schemas.get(name);
  }
  removeSchema(name: string): void {
    this.#schemas.delete(name);
  }

  /** Makes everything durable, closes the WAL and releases the lock. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      unclosed.unregister(this);
      try {
        await this.#wal?.close();
      } finally {
        await this.#lock?.release();
        this.#closed = true;
      }
    })();
    return this.#closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

function warnAboutDamage(report: WalRecoveryReport): void {
  for (const region of report.corruption) {
    process.emitWarning(`WAL damage skipped: ${damageError(region).message}`, { code: 'PERMAFROST_WAL_DAMAGE' });
  }
  for (const dropped of report.droppedTransactions) {
    process.emitWarning(`committed transaction ${dropped.txnId} (commit LSN ${dropped.commitLsn}) not replayed: ${dropped.reason}`, {
      code: 'PERMAFROST_WAL_DAMAGE',
    });
  }
}
