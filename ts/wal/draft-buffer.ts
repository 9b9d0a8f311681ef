/**
 * The writer's staging area: entries are laid out here as drafts (the final entry layout of
 * crates/core/src/wal_entry.rs with the payload uncompressed and the CRC and header checksum
 * still zero) by plain DataView writes, then sealed in place by one native call per batch
 * (`walSealDrafts`: LZ4 for payloads ≥ 64 bytes, CRC, header checksum). Appending copies the
 * caller's payload, so callers may reuse their buffers at once.
 */
import { PermafrostError } from '../errors';
import { callNative } from '../native';
import { EntryLayout } from './wal-constants';
import type { RowColumns } from './row-columns';

/** The fields of one entry. */
export interface EntryFields {
  readonly lsn: bigint;
  readonly previousLsn: bigint;
  /** COMMIT_MARKER / ABORT_MARKER bits; COMPRESSED is decided when sealing. */
  readonly flags: number;
  readonly txnId: bigint;
  /** UTF-8 of the table name (at most 65,535 bytes). */
  readonly tableName: Uint8Array;
  readonly rowId: bigint;
  readonly operation: number;
  readonly timestampNanos: bigint;
  readonly payload: Uint8Array;
}

// Module-local copies: the appender reads them per entry (see scan-batch.ts on why).
const { magic: MAGIC, version: VERSION, headerBytes: HEADER_BYTES, dataFixedBytes: FIXED_BYTES, crcBytes: CRC_BYTES } = EntryLayout;
const { flagsOffset: FLAGS_AT, headerSizeOffset: HEADER_SIZE_AT, lsnOffset: LSN_AT, previousLsnOffset: PREVIOUS_LSN_AT } = EntryLayout;
const { entrySizeOffset: ENTRY_SIZE_AT, headerChecksumOffset: CHECKSUM_AT, dataNameLengthOffset: NAME_LENGTH_AT } = EntryLayout;
const { dataNameOffset: NAME_AT, dataBytesMax: DATA_BYTES_MAX } = EntryLayout;
/** Draft bytes besides the name and payload: header, fixed data fields, CRC. */
const OVERHEAD_BYTES = HEADER_BYTES + FIXED_BYTES + CRC_BYTES;

/**
 * Rows `[firstRow, endRow)` of a columnar batch and what their Insert entries share: LSNs
 * `firstLsn`, `firstLsn + 1`, … chained from `previousLsn`, one transaction, table, operation
 * and timestamp. `rowIds` holds one i64 LE per row of the batch.
 */
export interface RowsDraft {
  readonly firstLsn: bigint;
  readonly previousLsn: bigint;
  readonly txnId: bigint;
  readonly tableName: Uint8Array;
  readonly operation: number;
  readonly timestampNanos: bigint;
  readonly rowIds: Uint8Array;
  readonly columns: RowColumns;
  readonly firstRow: number;
  readonly endRow: number;
}

/** The four 64-bit fields of a `walDraftRows` batch header, written into `into`. */
export function rowsHeader(rows: RowsDraft, into = new BigUint64Array(4)): Uint8Array {
  into[0] = rows.firstLsn;
  into[1] = rows.previousLsn;
  into[2] = BigInt.asUintN(64, rows.txnId);
  into[3] = BigInt.asUintN(64, rows.timestampNanos);
  return new Uint8Array(into.buffer, into.byteOffset, 32);
}

/** Reused by the synchronous calls. */
const HEADER = new BigUint64Array(4);
/** An output with no room: `walDraftRows` into it only checks and sizes. */
const NO_ROOM = Buffer.alloc(0);

/** `walDraftRows` of `rows` into `out[at..]`: bytes written, or −(bytes needed). */
function draftRows(out: Buffer, at: number, rows: RowsDraft): number {
  const { tableName, operation, rowIds, columns, firstRow, endRow } = rows;
  const header = rowsHeader(rows, HEADER);
  return callNative((binding) => binding.walDraftRows(out, at, header, tableName, operation, rowIds, columns.kinds, columns.nullTypes, columns.buffers, firstRow, endRow));
}

export class DraftBuffer {
  #buffer: Buffer;
  #view: DataView;
  #length = 0;

  constructor(initialBytes = 64 * 1024) {
    this.#buffer = Buffer.allocUnsafeSlow(initialBytes);
    this.#view = new DataView(this.#buffer.buffer, this.#buffer.byteOffset, this.#buffer.byteLength);
  }

  /** Bytes of drafts waiting to be sealed. */
  get length(): number {
    return this.#length;
  }

  /** The draft size of an entry with these name and payload lengths. */
  static draftBytes(tableNameBytes: number, payloadBytes: number): number {
    return OVERHEAD_BYTES + tableNameBytes + payloadBytes;
  }

  /** Grows the buffer (keeping the drafts) so that `size` more bytes fit. */
  #ensure(size: number): void {
    const at = this.#length;
    if (at + size > this.#buffer.length) {
      const grown = Buffer.allocUnsafeSlow(Math.max(at + size, this.#buffer.length * 2));
      this.#buffer.copy(grown, 0, 0, at);
      this.#buffer = grown;
      this.#view = new DataView(grown.buffer, grown.byteOffset, grown.byteLength);
    }
  }

  #reserve(size: number): number {
    this.#ensure(size);
    const at = this.#length;
    this.#length = at + size;
    return at;
  }

  /** Appends one entry draft. */
  append(entry: EntryFields): void {
    this.appendFields(
      entry.lsn,
      entry.previousLsn,
      entry.flags,
      entry.txnId,
      entry.tableName,
      entry.rowId,
      entry.operation,
      entry.timestampNanos,
      entry.payload,
    );
  }

  /** `append` with positional fields (the writer's hot path: no object per entry). */
  appendFields(
    lsn: bigint,
    previousLsn: bigint,
    flags: number,
    txnId: bigint,
    tableName: Uint8Array,
    rowId: bigint,
    operation: number,
    timestampNanos: bigint,
    payload: Uint8Array,
  ): void {
    const nameBytes = tableName.length;
    const payloadBytes = payload.length;
    if (nameBytes > 0xffff) throw new PermafrostError('ERR_LIMIT', `table name of ${nameBytes} bytes exceeds 65535`);
    const dataBytes = FIXED_BYTES + nameBytes + payloadBytes;
    if (dataBytes > DATA_BYTES_MAX) {
      throw new PermafrostError('ERR_LIMIT', `WAL entry of ${dataBytes} bytes exceeds the ${DATA_BYTES_MAX}-byte limit`);
    }
    const at = this.#reserve(HEADER_BYTES + dataBytes + CRC_BYTES);
    const view = this.#view;
    view.setUint32(at, MAGIC, true);
    view.setUint8(at + 4, VERSION);
    view.setUint8(at + FLAGS_AT, flags);
    view.setUint16(at + HEADER_SIZE_AT, HEADER_BYTES, true);
    view.setBigUint64(at + LSN_AT, lsn, true);
    view.setBigUint64(at + PREVIOUS_LSN_AT, previousLsn, true);
    view.setUint32(at + ENTRY_SIZE_AT, dataBytes, true);
    view.setUint32(at + CHECKSUM_AT, 0, true);
    const data = at + HEADER_BYTES;
    view.setBigInt64(data, txnId, true);
    view.setUint16(data + NAME_LENGTH_AT, nameBytes, true);
    if (nameBytes > 0) this.#buffer.set(tableName, data + NAME_AT);
    const afterName = data + NAME_AT + nameBytes;
    view.setBigInt64(afterName, rowId, true);
    view.setUint8(afterName + 8, operation);
    view.setBigInt64(afterName + 9, timestampNanos, true);
    view.setUint32(afterName + 17, payloadBytes, true);
    if (payloadBytes > 0) this.#buffer.set(payload, afterName + 21);
    view.setUint32(afterName + 21 + payloadBytes, 0, true);
  }

  /**
   * Appends one Insert draft per row of `rows` (one native call; see
   * crates/core/src/wal_rows.rs).
   */
  appendRows(rows: RowsDraft): void {
    let written = draftRows(this.#buffer, this.#length, rows);
    if (written < 0) {
      this.#ensure(-written);
      written = draftRows(this.#buffer, this.#length, rows);
    }
    this.#length += written;
  }

  /**
   * The draft bytes of `rows` after the checks `appendRows` makes (ERR_LIMIT for an entry
   * over the size limit, naming the row): a sizing pass that writes nothing.
   */
  static measureRows(rows: RowsDraft): number {
    return rows.endRow <= rows.firstRow ? 0 : -draftRows(NO_ROOM, 0, rows);
  }

  /**
   * Seals every draft (one native call) and returns the final bytes: a view that stays valid
   * until the next `append` or `clear`.
   */
  seal(): Buffer {
    const sealed = callNative((binding) => binding.walSealDrafts(this.#buffer, this.#length));
    return this.#buffer.subarray(0, sealed);
  }

  /** Forgets every draft. */
  clear(): void {
    this.#length = 0;
  }

  /**
   * Hands the staged drafts over (for sealing elsewhere) and continues in `replacement`, or a
   * fresh buffer of the same size. The returned buffer is no longer touched by this object.
   */
  detach(replacement?: Buffer): { buffer: Buffer; length: number } {
    const detached = { buffer: this.#buffer, length: this.#length };
    this.#buffer = replacement ?? Buffer.allocUnsafeSlow(this.#buffer.length);
    this.#view = new DataView(this.#buffer.buffer, this.#buffer.byteOffset, this.#buffer.byteLength);
    this.#length = 0;
    return detached;
  }
}
