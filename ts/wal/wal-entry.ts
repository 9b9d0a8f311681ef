/**
 * One WAL entry as delivered to a replay callback or a dump: a light object over the scan
 * index (fields are read on demand, so delivering millions of entries stays cheap) plus the
 * decompressed payload. See crates/core/src/wal_entry.rs for the byte layout.
 */
import type { BatchPayloads } from './payloads';
import type { ScanBatch } from './scan-batch';
import { DDL_TXN_ID, MARKER_TXN_ID, WalFlag, WalOperation, walOperationName } from './wal-constants';

export class WalEntry {
  readonly #batch: ScanBatch;
  readonly #i: number;
  readonly #payloads: BatchPayloads;
  readonly #k: number;
  #payload: Buffer | undefined;
  /** The WAL file the entry was read from. */
  readonly file: string;

  constructor(batch: ScanBatch, i: number, file: string, payloads: BatchPayloads, k: number) {
    this.#batch = batch;
    this.#i = i;
    this.file = file;
    this.#payloads = payloads;
    this.#k = k;
  }

  /**
   * The payload, decompressed (on first access, together with the rest of its batch). It is a
   * view into a buffer shared with nearby entries; copy it to keep it without retaining them.
   */
  get payload(): Buffer {
    this.#payload ??= this.#payloads.get(this.#k);
    return this.#payload;
  }

  get lsn(): bigint {
    return this.#batch.lsn(this.#i);
  }
  get previousLsn(): bigint {
    return this.#batch.previousLsn(this.#i);
  }
  get txnId(): bigint {
    return this.#batch.txnId(this.#i);
  }
  get tableName(): string {
    return this.#batch.tableName(this.#i);
  }
  get rowId(): bigint {
    return this.#batch.rowId(this.#i);
  }
  /** Operation code (`WalOperation`). */
  get operation(): number {
    return this.#batch.operation(this.#i);
  }
  get operationName(): string {
    return walOperationName(this.operation);
  }
  /** Nanoseconds since the epoch, taken when the entry was created. */
  get timestamp(): bigint {
    return this.#batch.timestamp(this.#i);
  }
  get flags(): number {
    return this.#batch.flags(this.#i);
  }
  /** Byte offset of the entry in `file`. */
  get offset(): number {
    return this.#batch.offset(this.#i);
  }
  /** Bytes the entry occupies on disk. */
  get sizeBytes(): number {
    return this.#batch.entryBytes(this.#i);
  }
  get isCompressed(): boolean {
    return (this.flags & WalFlag.Compressed) !== 0;
  }
  get isCommitMarker(): boolean {
    return this.operation === WalOperation.Commit && this.txnId !== MARKER_TXN_ID;
  }
  get isAbortMarker(): boolean {
    return this.operation === WalOperation.Rollback;
  }
  /** True for the marker truncation writes when it copied nothing (txn −1000). */
  get isTruncationMarker(): boolean {
    return this.txnId === MARKER_TXN_ID;
  }
  get isDdl(): boolean {
    return this.txnId === DDL_TXN_ID && this.operation !== WalOperation.Commit;
  }
  /** True when the entry carried a permafrost header checksum that held. */
  get headerVerified(): boolean {
    return this.#batch.headerVerified(this.#i);
  }
}
