/**
 * A batch of scanned WAL records: the compact index the native scanner writes (one 96-byte
 * record per entry or damaged region, crates/core/src/wal_scan.rs) plus the window of file
 * bytes it describes. Fields are read through typed-array views, so walking a batch creates
 * no per-entry objects unless the caller asks for one.
 */
import { EntryLayout, IndexLayout as X } from './wal-constants';

// Hot accessors read module-local numbers: an imported object's properties can sit behind
// getters (CommonJS interop), which costs more than the read itself in a per-entry loop.
const RECORD = X.recordBytes;
const SLOTS = RECORD / 8;
const WORDS = RECORD / 4;
const HALVES = RECORD / 2;
const OFFSET = X.offset / 8;
const LSN = X.lsn / 8;
const LSN_NUMBER = X.lsnNumber / 8;
const PREVIOUS_LSN = X.previousLsn / 8;
const TXN_ID = X.txnId / 8;
const TXN_ID_NUMBER = X.txnIdNumber / 8;
const ROW_ID = X.rowId / 8;
const TIMESTAMP = X.timestamp / 8;
const ENTRY_BYTES = X.entryBytes / 4;
const DATA_CRC = X.dataCrc / 4;
const PAYLOAD_OFFSET = X.payloadOffset / 4;
const PAYLOAD_STORED_BYTES = X.payloadStoredBytes / 4;
const PAYLOAD_RAW_BYTES = X.payloadRawBytes / 4;
const TABLE_NAME_BYTES = X.tableNameBytes / 2;
const HEADER_BYTES = X.headerBytes / 2;
const KIND = X.kind;
const REASON = X.reason;
const FLAGS = X.flags;
const OPERATION = X.operation;
const PRESENT = X.present;
const KIND_ENTRY = X.kindEntry;
const HEADER_VERIFIED = X.headerVerified;
const NAME_OFFSET = EntryLayout.dataNameOffset;
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
    const bytes = count * RECORD;
    this.#f64 = new Float64Array(buffer, index.byteOffset, bytes / 8);
    this.#i64 = new BigInt64Array(buffer, index.byteOffset, bytes / 8);
    this.#u64 = new BigUint64Array(buffer, index.byteOffset, bytes / 8);
    this.#u32 = new Uint32Array(buffer, index.byteOffset, bytes / 4);
    this.#u16 = new Uint16Array(buffer, index.byteOffset, bytes / 2);
    this.#u8 = new Uint8Array(buffer, index.byteOffset, bytes);
  }

  /** The same batch with an index buffer of exactly its size (to keep it around cheaply). */
  compacted(): ScanBatch {
    const bytes = this.count * RECORD;
    const index = Buffer.allocUnsafeSlow(bytes);
    index.set(this.#u8.subarray(0, bytes));
    return new ScanBatch(this.window, this.windowOffset, index, this.count);
  }

  isEntry(i: number): boolean {
    return this.#u8[i * RECORD + KIND] === KIND_ENTRY;
  }
  /** Damage reason (`WAL_DAMAGE_*`), 0 for entries. */
  reason(i: number): number {
    return this.#u8[i * RECORD + REASON]!;
  }
  /** File offset of the entry or of the first damaged byte. */
  offset(i: number): number {
    return this.#f64[i * SLOTS + OFFSET]!;
  }
  lsn(i: number): bigint {
    return this.#u64[i * SLOTS + LSN]!;
  }
  /** The LSN as a number (NaN above 2^53). */
  lsnNumber(i: number): number {
    return this.#f64[i * SLOTS + LSN_NUMBER]!;
  }
  previousLsn(i: number): bigint {
    return this.#u64[i * SLOTS + PREVIOUS_LSN]!;
  }
  txnId(i: number): bigint {
    return this.#i64[i * SLOTS + TXN_ID]!;
  }
  /** The transaction id as a number (NaN beyond ±2^53). */
  txnIdNumber(i: number): number {
    return this.#f64[i * SLOTS + TXN_ID_NUMBER]!;
  }
  rowId(i: number): bigint {
    return this.#i64[i * SLOTS + ROW_ID]!;
  }
  timestamp(i: number): bigint {
    return this.#i64[i * SLOTS + TIMESTAMP]!;
  }
  entryBytes(i: number): number {
    return this.#u32[i * WORDS + ENTRY_BYTES]!;
  }
  dataCrc(i: number): number {
    return this.#u32[i * WORDS + DATA_CRC]!;
  }
  payloadOffset(i: number): number {
    return this.#u32[i * WORDS + PAYLOAD_OFFSET]!;
  }
  payloadStoredBytes(i: number): number {
    return this.#u32[i * WORDS + PAYLOAD_STORED_BYTES]!;
  }
  payloadRawBytes(i: number): number {
    return this.#u32[i * WORDS + PAYLOAD_RAW_BYTES]!;
  }
  tableNameBytes(i: number): number {
    return this.#u16[i * HALVES + TABLE_NAME_BYTES]!;
  }
  headerBytes(i: number): number {
    return this.#u16[i * HALVES + HEADER_BYTES]!;
  }
  flags(i: number): number {
    return this.#u8[i * RECORD + FLAGS]!;
  }
  operation(i: number): number {
    return this.#u8[i * RECORD + OPERATION]!;
  }
  /** `WAL_INDEX_HAS_*` / `HEADER_VERIFIED` bits. */
  present(i: number): number {
    return this.#u8[i * RECORD + PRESENT]!;
  }
  /** True when the entry carried a header checksum that held (written by permafrost). */
  headerVerified(i: number): boolean {
    return (this.present(i) & HEADER_VERIFIED) !== 0;
  }

  /** Position of entry `i` in `window`. */
  windowPosition(i: number): number {
    return this.offset(i) - this.windowOffset;
  }
  /** The table name of entry `i` (decoded on demand; the scanner checked it is UTF-8). */
  tableName(i: number): string {
    const at = this.windowPosition(i) + this.headerBytes(i) + NAME_OFFSET;
    return utf8.decode(this.window.subarray(at, at + this.tableNameBytes(i)));
  }
  /** The payload of entry `i` as stored (compressed when the COMPRESSED flag is set). */
  storedPayload(i: number): Buffer {
    const at = this.windowPosition(i) + this.payloadOffset(i);
    return this.window.subarray(at, at + this.payloadStoredBytes(i));
  }
}
