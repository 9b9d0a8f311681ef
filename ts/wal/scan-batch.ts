/**
 * A batch of scanned WAL records: the compact index the native scanner writes (one 96-byte
 * record per entry or damaged region, crates/core/src/wal_scan.rs) plus the window of file
 * bytes it describes. Fields are read through typed-array views, so walking a batch creates
 * no per-entry objects unless the caller asks for one.
 */
import { EntryLayout, IndexLayout as X } from './wal-constants';

const SLOTS = X.recordBytes / 8;
const utf8 = new TextDecoder('utf-8', { fatal: true });

export class ScanBatch {
  /** File bytes; `windowOffset` is the file offset of `window[0]`. */
  readonly window: Buffer;
  readonly windowOffset: number;
  readonly count: number;
  readonly #f64: Float64Array;
  readonly #i64: BigInt64Array;
  readonly #u64: BigUint64Array;
  readonly #u32: Uint32Array;
  readonly #u16: Uint16Array;
  readonly #u8: Uint8Array;

  /** `index` must start at offset 0 of its ArrayBuffer (8-byte aligned views). */
  constructor(window: Buffer, windowOffset: number, index: Buffer, count: number) {
    this.window = window;
    this.windowOffset = windowOffset;
    this.count = count;
    const buffer = index.buffer;
    const bytes = count * X.recordBytes;
    this.#f64 = new Float64Array(buffer, index.byteOffset, bytes / 8);
    this.#i64 = new BigInt64Array(buffer, index.byteOffset, bytes / 8);
    this.#u64 = new BigUint64Array(buffer, index.byteOffset, bytes / 8);
    this.#u32 = new Uint32Array(buffer, index.byteOffset, bytes / 4);
    this.#u16 = new Uint16Array(buffer, index.byteOffset, bytes / 2);
    this.#u8 = new Uint8Array(buffer, index.byteOffset, bytes);
  }

  isEntry(i: number): boolean {
    return this.#u8[i * X.recordBytes + X.kind] === X.kindEntry;
  }
  /** Damage reason (`WAL_DAMAGE_*`), 0 for entries. */
  reason(i: number): number {
    return this.#u8[i * X.recordBytes + X.reason]!;
  }
  /** File offset of the entry or of the first damaged byte. */
  offset(i: number): number {
    return this.#f64[i * SLOTS + X.offset / 8]!;
  }
  lsn(i: number): bigint {
    return this.#u64[i * SLOTS + X.lsn / 8]!;
  }
  /** The LSN as a number (NaN above 2^53). */
  lsnNumber(i: number): number {
    return this.#f64[i * SLOTS + X.lsnNumber / 8]!;
  }
  previousLsn(i: number): bigint {
    return this.#u64[i * SLOTS + X.previousLsn / 8]!;
  }
  txnId(i: number): bigint {
    return this.#i64[i * SLOTS + X.txnId / 8]!;
  }
  /** The transaction id as a number (NaN beyond ±2^53). */
  txnIdNumber(i: number): number {
    return this.#f64[i * SLOTS + X.txnIdNumber / 8]!;
  }
  rowId(i: number): bigint {
    return this.#i64[i * SLOTS + X.rowId / 8]!;
  }
  timestamp(i: number): bigint {
    return this.#i64[i * SLOTS + X.timestamp / 8]!;
  }
  entryBytes(i: number): number {
    return this.#u32[i * (X.recordBytes / 4) + X.entryBytes / 4]!;
  }
  dataCrc(i: number): number {
    return this.#u32[i * (X.recordBytes / 4) + X.dataCrc / 4]!;
  }
  payloadOffset(i: number): number {
    return this.#u32[i * (X.recordBytes / 4) + X.payloadOffset / 4]!;
  }
  payloadStoredBytes(i: number): number {
    return this.#u32[i * (X.recordBytes / 4) + X.payloadStoredBytes / 4]!;
  }
  payloadRawBytes(i: number): number {
    return this.#u32[i * (X.recordBytes / 4) + X.payloadRawBytes / 4]!;
  }
  tableNameBytes(i: number): number {
    return this.#u16[i * (X.recordBytes / 2) + X.tableNameBytes / 2]!;
  }
  headerBytes(i: number): number {
    return this.#u16[i * (X.recordBytes / 2) + X.headerBytes / 2]!;
  }
  flags(i: number): number {
    return this.#u8[i * X.recordBytes + X.flags]!;
  }
  operation(i: number): number {
    return this.#u8[i * X.recordBytes + X.operation]!;
  }
  /** `WAL_INDEX_HAS_*` / `HEADER_VERIFIED` bits. */
  present(i: number): number {
    return this.#u8[i * X.recordBytes + X.present]!;
  }
  /** True when the entry carried a header checksum that held (written by permafrost). */
  headerVerified(i: number): boolean {
    return (this.present(i) & X.headerVerified) !== 0;
  }

  /** Position of entry `i` in `window`. */
  windowPosition(i: number): number {
    return this.offset(i) - this.windowOffset;
  }
  /** The table name of entry `i` (decoded on demand; the scanner checked it is UTF-8). */
  tableName(i: number): string {
    const at = this.windowPosition(i) + this.headerBytes(i) + EntryLayout.dataNameOffset;
    return utf8.decode(this.window.subarray(at, at + this.tableNameBytes(i)));
  }
  /** The payload of entry `i` as stored (compressed when the COMPRESSED flag is set). */
  storedPayload(i: number): Buffer {
    const at = this.windowPosition(i) + this.payloadOffset(i);
    return this.window.subarray(at, at + this.payloadStoredBytes(i));
  }
}
