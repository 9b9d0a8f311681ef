// tidy: long file — LSN assignment, draft staging and group commit share the writer's
// private state; the ordered write queue is already split out (write-queue.ts).
/**
 * The WAL writer: assigns LSNs, stages entries as drafts, writes them to the current file and
 * makes them durable with group commit. It knows nothing about rotation or truncation policy;
 * `wal-manager.ts` drives those through `rotateTo`, `pause`/`resume` and `replaceSegment`.
 *
 * Durability pipeline ("rounds"). A caller that needs durability registers a waiter tagged
 * with the LSN of the last entry staged before it. A round (one at a time, back to back while
 * anyone waits) writes queued and staged entries until the file reaches the oldest waiter's
 * LSN, plus whatever is sealed behind them, fdatasyncs every open file that has unsynced bytes
 * (older rotated files first), fsyncs the directory when a file is new, and then resolves every
 * waiter whose LSN the written bytes reach. Commits that arrive while a round's fsync runs join
 * the next round: concurrent commits share one fsync, a commit whose batch is still being
 * drafted on the pool does not hold back the commits before it, and none is acknowledged
 * before its bytes are. The next round is started (its write and fdatasync issued, when its
 * batches are sealed) before the previous round's committers are released, so the disk works
 * while they run rather than after.
 *
 * What a crash leaves, by step: drafts not yet written — nothing of them on disk; written but
 * not synced — present after a process crash, possibly torn or missing after a power cut (the
 * opener cuts a torn tail); synced — present. A failed write or fsync poisons the writer: the
 * failing call and every pending waiter reject with `ERR_IO`, every later call with
 * `ERR_POISONED`; fsync is never retried (after a failed fsync the page cache may already have
 * dropped the dirty pages, so a retry that "succeeds" would lie).
 *
 * The ordered path from drafts to the file (background sealing, queued file switches) is in
 * `write-queue.ts`. (Over the 300-line budget: rounds, pause/resume and segments share state.)
 */
import { PermafrostError, ioError } from '../errors';
import { type FileSystem, writeFullySync } from '../io/file-system';
import { encodeCommitDigest } from './commit-digest';
import { DraftBuffer } from './draft-buffer';
import type { RowColumns } from './row-columns';
import { DDL_TXN_ID, WalFlag, WalOperation } from './wal-constants';
import { WriteQueue } from './write-queue';

/** An open WAL file. */
export interface WalSegment {
  readonly name: string;
  readonly path: string;
  readonly fd: number;
  /** Bytes handed to the OS. */
  writtenBytes: number;
  /** Bytes covered by a completed fdatasync. */
  durableBytes: number;
  /** Whether the file's directory entry is durable. */
  directoryDurable: boolean;
}

interface Waiter {
  /** Resolved once every entry up to this LSN is durable. */
  readonly lsn: bigint;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

interface Tally {
  count: number;
  firstLsn: bigint;
  lastLsn: bigint;
}

export interface WalWriterOptions {
  /** Drafts are written once this many bytes are staged. */
  readonly flushTriggerBytes: number;
  /** Nanoseconds since the epoch, for entry timestamps. */
  readonly clock: () => bigint;
}

const U64_MAX = (1n << 64n) - 1n;
const EMPTY = new Uint8Array(0);
const NAME_CACHE_LIMIT = 4096;
/**
 * Draft bytes per chunk of a columnar batch: each chunk is one job on the libuv pool, so
 * smaller chunks spread one commit over more cores and larger ones cost fewer thread hand-offs.
 */
const ROWS_CHUNK_BYTES = 256 * 1024;

export class WalWriter {
  readonly #fs: FileSystem;
  readonly #directory: string;
  readonly #options: WalWriterOptions;
  readonly #drafts = new DraftBuffer();
  readonly #names = new Map<string, Uint8Array>();
  readonly #tallies = new Map<bigint, Tally>();
  /** The transaction of the last append and its tally (runs of one transaction skip the map). */
  #lastTxnId: bigint | undefined;
  #lastTally: Tally | undefined;
  #segments: WalSegment[];
  #lsn: bigint;
  #previousLsn: bigint;
  #waiters: Waiter[] = [];
  #round: Promise<void> | undefined;
  /** Settles when the round under way (if any) has; never rejects. */
  #roundInFlight: Promise<void> | undefined;
  #paused = false;
  #closed = false;
  #resumed: Promise<void> = Promise.resolve();
  #wake: () => void = () => undefined;
  #failure: PermafrostError | undefined;
  #lastSyncMs = Date.now();
  /** The ordered path from drafts to the file (background sealing, queued switches). */
  readonly #queue: WriteQueue<WalSegment>;

  constructor(fileSystem: FileSystem, directory: string, segment: WalSegment, lsn: bigint, options: WalWriterOptions) {
    this.#fs = fileSystem;
    this.#directory = directory;
    this.#segments = [segment];
    this.#lsn = lsn;
    this.#previousLsn = lsn;
    this.#options = options;
    this.#queue = new WriteQueue<WalSegment>(
      this.#drafts,
      {
        write: (bytes, length) => this.#writeBytes(bytes, length),
        switchTo: (next) => void this.#segments.push(next),
        stagedLsn: () => this.#lsn,
        assertWritable: () => this.#assertWritable(),
        fail: (error) => this.#poison(error, 'WAL sealing failed', this.current.path),
      },
      lsn,
    );
  }

  /** The last LSN assigned. */
  get currentLsn(): bigint {
    return this.#lsn;
  }
  get current(): WalSegment {
    return this.#segments[this.#segments.length - 1]!;
  }
  /** True while maintenance (truncation) holds the writer. */
  get paused(): boolean {
    return this.#paused;
  }
  /** The error that poisoned the writer, if any. */
  get failure(): PermafrostError | undefined {
    return this.#failure;
  }
  /** Milliseconds (Date.now) when the last round completed. */
  get lastSyncMs(): number {
    return this.#lastSyncMs;
  }
  /** LSN of the first entry of the oldest transaction still open (neither committed nor rolled back). */
  get oldestOpenLsn(): bigint | undefined {
    let oldest: bigint | undefined;
    for (const tally of this.#tallies.values()) if (oldest === undefined || tally.firstLsn < oldest) oldest = tally.firstLsn;
    return oldest;
  }
  /** True when `txnId` has entries in this session but no commit or rollback yet. */
  isOpen(txnId: bigint): boolean {
    return this.#tallies.has(txnId);
  }

  #assertWritable(): void {
    if (this.#closed) throw new PermafrostError('ERR_CLOSED', 'the WAL is closed');
    if (this.#failure !== undefined) {
      throw new PermafrostError('ERR_POISONED', 'the WAL refuses writes after an earlier write or fsync failed; reopen it', {
        cause: this.#failure,
      });
    }
  }

  #nameBytes(tableName: string): Uint8Array {
    let bytes = this.#names.get(tableName);
    if (bytes === undefined) {
      if (!tableName.isWellFormed()) throw new PermafrostError('ERR_INVALID_ARGUMENT', 'table name contains a lone surrogate');
      bytes = Buffer.from(tableName, 'utf8');
      if (this.#names.size >= NAME_CACHE_LIMIT) this.#names.clear();
      this.#names.set(tableName, bytes);
    }
    return bytes;
  }

  #stage(txnId: bigint, tableName: Uint8Array, rowId: bigint, operation: number, payload: Uint8Array, flags: number): bigint {
    this.#assertWritable();
    if (this.#lsn >= U64_MAX) throw new PermafrostError('ERR_LIMIT', 'the WAL has used every LSN');
    const lsn = this.#lsn + 1n;
    const timestampNanos = this.#options.clock();
    this.#drafts.appendFields(lsn, this.#previousLsn, flags, txnId, tableName, rowId, operation, timestampNanos, payload);
    this.#lsn = lsn;
    this.#previousLsn = lsn;
    if (this.#drafts.length >= this.#options.flushTriggerBytes && !this.#paused) this.#queue.sealInBackground();
    return lsn;
  }

  /** Stages a data or DDL entry of `txnId`; returns its LSN. */
  append(txnId: bigint, tableName: string, rowId: bigint, operation: number, payload: Uint8Array): bigint {
    const lsn = this.#stage(txnId, this.#nameBytes(tableName), rowId, operation, payload, 0);
    this.#count(txnId, 1, lsn, lsn);
    return lsn;
  }

  /** Adds `entries` entries (LSNs `firstLsn`..`lastLsn`) to the tally of `txnId` (the commit digest). */
  #count(txnId: bigint, entries: number, firstLsn: bigint, lastLsn: bigint): void {
    let tally = txnId === this.#lastTxnId ? this.#lastTally : this.#tallies.get(txnId);
    if (tally === undefined) this.#tallies.set(txnId, (tally = { count: entries, firstLsn, lastLsn }));
    else {
      tally.count += entries;
      tally.lastLsn = lastLsn;
    }
    this.#lastTxnId = txnId;
    this.#lastTally = tally;
  }

  /**
   * Stages one Insert entry per row of a columnar batch of `txnId` (LSNs assigned in row
   * order, one clock reading for the batch); returns the LSN of the last one. Every row is
   * checked here (a sizing pass); the rows are then drafted and sealed on the libuv pool in
   * chunks of about `ROWS_CHUNK_BYTES`, one job each, written in LSN order by the queue.
   * While maintenance holds the writer they are staged here instead.
   */
  appendRows(txnId: bigint, tableName: string, operation: number, rowIds: Uint8Array, rowCount: number, columns: RowColumns): bigint {
    this.#assertWritable();
    if (rowCount === 0) return this.#lsn;
    const count = BigInt(rowCount);
    if (this.#lsn >= U64_MAX - count) throw new PermafrostError('ERR_LIMIT', 'the WAL has used every LSN');
    const firstLsn = this.#lsn + 1n;
    const lastLsn = this.#lsn + count;
    const name = this.#nameBytes(tableName);
    const timestampNanos = this.#options.clock();
    const batch = { txnId, tableName: name, operation, timestampNanos, rowIds, columns };
    // Checks every row here, so an over-long row is refused now rather than failing the pool job
    // (which would poison the writer); the size also guides each chunk's buffer.
    const draftBytes = DraftBuffer.measureRows({ ...batch, firstLsn, previousLsn: this.#previousLsn, firstRow: 0, endRow: rowCount });
    const rowBytes = Math.ceil(draftBytes / rowCount);
    const chunkRows = Math.max(16, Math.floor(ROWS_CHUNK_BYTES / rowBytes));
    for (let start = 0; start < rowCount; start += chunkRows) {
      const end = Math.min(rowCount, start + chunkRows);
      const rows = { ...batch, firstLsn: this.#lsn + 1n, previousLsn: this.#previousLsn, firstRow: start, endRow: end };
      // While maintenance holds the writer, stage here (as `append` does) until `resume`.
      if (this.#paused) this.#drafts.appendRows(rows);
      else this.#queue.draftRowsInBackground(rows, Math.ceil((end - start) * rowBytes * 1.25));
      this.#lsn += BigInt(end - start);
      this.#previousLsn = this.#lsn;
    }
    this.#count(txnId, rowCount, firstLsn, lastLsn);
    return lastLsn;
  }

  #forget(txnId: bigint): void {
    this.#tallies.delete(txnId);
    if (txnId === this.#lastTxnId) this.#lastTally = undefined;
  }

  /** Stages the Commit entry of `txnId`, carrying the digest of its entries (commit-digest.ts). */
  appendCommit(txnId: bigint): bigint {
    const tally = this.#tallies.get(txnId);
    const digest = encodeCommitDigest({
      entryCount: tally?.count ?? 0,
      firstLsn: tally?.firstLsn ?? 0n,
      lastLsn: tally?.lastLsn ?? 0n,
    });
    const lsn = this.#stage(txnId, EMPTY, 0n, WalOperation.Commit, digest, WalFlag.CommitMarker);
    this.#forget(txnId);
    return lsn;
  }

  /** Stages the Rollback entry of `txnId`. */
  appendRollback(txnId: bigint): bigint {
    const lsn = this.#stage(txnId, EMPTY, 0n, WalOperation.Rollback, EMPTY, WalFlag.AbortMarker);
    this.#forget(txnId);
    return lsn;
  }

  /** Stages a DDL entry and its Commit(−2) together. Returns the DDL entry's LSN. */
  appendDdl(tableName: string, operation: number, payload: Uint8Array): bigint {
    const lsn = this.append(DDL_TXN_ID, tableName, 0n, operation, payload);
    this.appendCommit(DDL_TXN_ID);
    return lsn;
  }

  /** Raises the LSN counter (truncation's marker takes an LSN the writer did not assign). */
  advanceLsnTo(lsn: bigint): void {
    if (lsn > this.#lsn) this.#lsn = lsn;
  }

  #poison(error: unknown, what: string, file: string): PermafrostError {
    const failure = error instanceof PermafrostError ? error : ioError(what, error, file);
    this.#failure ??= failure;
    this.#drafts.clear();
    this.#queue.clear();
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const waiter of waiters) waiter.reject(failure);
    return failure;
  }

  /** Poisons the writer from outside (maintenance whose fsync or rename failed). */
  fail(error: unknown, what: string, file: string): PermafrostError {
    return this.#poison(error, what, file);
  }

  /** True while sealed batches or file switches wait to be written. */
  get writing(): boolean {
    return this.#queue.busy;
  }

  /** True while a file switch waits behind sealed batches. */
  get switchPending(): boolean {
    return this.#queue.switchPending;
  }

  #writeBytes(bytes: Uint8Array, length: number): void {
    const segment = this.current;
    try {
      writeFullySync(this.#fs, segment.fd, bytes, 0, length, segment.writtenBytes);
    } catch (error) {
      throw this.#poison(error, 'WAL write failed', segment.path);
    }
    segment.writtenBytes += length;
  }

  /** Hands every staged entry to the OS (waits while maintenance holds the writer). */
  async writeThrough(): Promise<void> {
    while (this.#paused) await this.#resumed;
    this.#assertWritable();
    await this.#queue.drain();
  }

  /** Resolves once every entry staged before the call is durable (group commit). */
  sync(): Promise<void> {
    this.#assertWritable();
    const lsn = this.#lsn;
    const promise = new Promise<void>((resolve, reject) => this.#waiters.push({ lsn, resolve, reject }));
    this.#kick();
    return promise;
  }

  #kick(): void {
    if (this.#round !== undefined) return;
    this.#round = (async () => {
      await null; // let commits issued in the same tick join this round
      let round: Promise<bigint> | undefined;
      while (this.#failure === undefined) {
        if (round === undefined) {
          while (this.#paused) await this.#resumed;
          const oldest = this.#waiters[0];
          if (oldest === undefined || this.#failure !== undefined) break;
          round = this.#startRound(oldest.lsn);
        }
        let covered: bigint;
        try {
          covered = await round;
        } catch (error) {
          this.#poison(error, 'WAL fsync failed', this.current.path);
          break;
        }
        this.#lastSyncMs = Date.now();
        const pending = this.#waiters.filter((waiter) => waiter.lsn > covered);
        // The next round starts before this one's committers are released: its write and
        // fsync are then under way while they run, instead of queued behind their work.
        round = pending.length > 0 && !this.#paused ? this.#startRound(pending[0]!.lsn) : undefined;
        for (const waiter of this.#waiters) if (waiter.lsn <= covered) waiter.resolve();
        this.#waiters = pending;
      }
    })().finally(() => {
      this.#round = undefined;
      this.#roundInFlight = undefined;
      if (this.#waiters.length > 0 && this.#failure === undefined) this.#kick();
    });
  }

  /**
   * Starts a round for waiters from `neededLsn` on: writes the queue until the file reaches
   * `neededLsn` plus whatever is sealed behind it, fdatasyncs what is unsynced, fsyncs the
   * directory if needed; resolves with the LSN the synced bytes reach. When nothing it needs
   * is still being sealed, the write and the first fdatasync are issued before this returns.
   */
  #startRound(neededLsn: bigint): Promise<bigint> {
    let round: Promise<bigint>;
    try {
      const covered = this.#queue.writeReadyNow(neededLsn);
      round =
        covered !== undefined
          ? this.#syncSegments().then(() => covered)
          : (async () => {
              const reached = await this.#queue.drainReady(neededLsn);
              await this.#syncSegments();
              return reached;
            })();
    } catch (error) {
      round = Promise.reject(error);
    }
    this.#roundInFlight = round.then(
      () => undefined,
      () => undefined,
    );
    return round;
  }

  async #syncSegments(): Promise<void> {
    const segments = this.#segments.slice();
    for (const segment of segments) {
      const target = segment.writtenBytes;
      if (segment.durableBytes >= target) continue;
      try {
        await this.#fs.fdatasync(segment.fd);
      } catch (error) {
        throw ioError('WAL fdatasync failed', error, segment.path);
      }
      segment.durableBytes = Math.max(segment.durableBytes, target);
    }
    const newFiles = segments.filter((segment) => !segment.directoryDurable);
    if (newFiles.length > 0) {
      try {
        await this.#fs.fsyncDirectory(this.#directory);
      } catch (error) {
        throw ioError('WAL directory fsync failed', error, this.#directory);
      }
      for (const segment of newFiles) segment.directoryDurable = true;
    }
    const current = this.current;
    for (const segment of segments) {
      if (segment === current || segment.durableBytes < segment.writtenBytes) continue;
      this.#segments = this.#segments.filter((open) => open !== segment);
      await this.#fs.close(segment.fd).catch(() => undefined);
    }
  }

  /**
   * Rotation: everything staged so far goes to the current file, everything staged from now on
   * to `segment` (queued behind batches still being sealed, so the order of bytes is kept).
   */
  rotateTo(segment: WalSegment): void {
    this.#assertWritable();
    if (this.#paused) throw new PermafrostError('ERR_INTERNAL', 'cannot switch WAL files while maintenance holds the writer');
    this.#queue.switchTo(segment);
  }

  /** Holds the writer for maintenance: no writes until `resume`; waits for a running round. */
  async pause(): Promise<void> {
    if (!this.#paused) {
      this.#paused = true;
      this.#resumed = new Promise((resolve) => (this.#wake = resolve));
    }
    // A round already past its pause check finishes first; the loop then parks on `#resumed`.
    await this.#roundInFlight;
  }

  /** While paused: flushes the drafts and makes every open file durable (no waiter involved). */
  async syncWhilePaused(): Promise<void> {
    this.#assertWritable();
    try {
      await this.#queue.drain();
      await this.#syncSegments();
    } catch (error) {
      throw this.#poison(error, 'WAL fsync failed', this.current.path);
    }
  }

  /** While paused: replaces the current file (truncation) and closes the old one. */
  async replaceSegment(segment: WalSegment): Promise<void> {
    const old = this.#segments;
    this.#segments = [segment];
    for (const previous of old) await this.#fs.close(previous.fd).catch(() => undefined);
  }

  /** Ends maintenance: staged drafts go to the current file, parked rounds continue. */
  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    this.#wake();
    if (this.#failure === undefined) this.#queue.drain().catch(() => undefined); // a failure poisons; waiters are rejected
    if (this.#waiters.length > 0) this.#kick();
  }

  /** Makes everything durable (unless poisoned) and closes the files. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    const unsynced = this.#drafts.length > 0 || this.writing || this.#segments.some((s) => s.durableBytes < s.writtenBytes);
    if (this.#failure === undefined && unsynced) {
      await this.sync().catch(() => undefined);
    }
    await this.#round?.catch(() => undefined);
    const segments = this.#segments;
    this.#segments = [];
    for (const segment of segments) await this.#fs.close(segment.fd).catch(() => undefined);
    this.#closed = true;
  }
}
