/**
 * The WAL's numbers, read once from the addon (defined in crates/core/src/constants.rs,
 * never retyped here): operation codes, flag bits, special transaction ids, the entry
 * layout and the scan-index layout. Everything else in `ts/wal/` imports them from here.
 */
import { native } from '../native';

const n = native();

/** Operation codes of WAL entries (spec §2.5). */
export const WalOperation = Object.freeze({
  Insert: n.WAL_OP_INSERT,
  Update: n.WAL_OP_UPDATE,
  Delete: n.WAL_OP_DELETE,
  Commit: n.WAL_OP_COMMIT,
  Rollback: n.WAL_OP_ROLLBACK,
  CreateTable: n.WAL_OP_CREATE_TABLE,
  DropTable: n.WAL_OP_DROP_TABLE,
  AlterTable: n.WAL_OP_ALTER_TABLE,
  CreateIndex: n.WAL_OP_CREATE_INDEX,
  DropIndex: n.WAL_OP_DROP_INDEX,
  CreateView: n.WAL_OP_CREATE_VIEW,
  DropView: n.WAL_OP_DROP_VIEW,
  TruncateTable: n.WAL_OP_TRUNCATE_TABLE,
});

/** An operation code (1..13). */
export type WalOperation = number;

const OPERATION_NAMES = new Map<number, string>(Object.entries(WalOperation).map(([name, code]) => [code, name]));

/** The name of an operation code, e.g. `Insert` (or `Operation(99)` for an unknown one). */
export function walOperationName(operation: number): string {
  return OPERATION_NAMES.get(operation) ?? `Operation(${operation})`;
}

/** True for the DDL operations (CreateTable ... TruncateTable), which are auto-committed. */
export function isDdlOperation(operation: number): boolean {
  return operation >= WalOperation.CreateTable && operation <= n.WAL_OP_MAX;
}

/** True for row operations (Insert, Update, Delete). */
export function isDmlOperation(operation: number): boolean {
  return operation === WalOperation.Insert || operation === WalOperation.Update || operation === WalOperation.Delete;
}

/** Header flag bits (spec §2.4). */
export const WalFlag = Object.freeze({
  Compressed: n.WAL_FLAG_COMPRESSED,
  CommitMarker: n.WAL_FLAG_COMMIT_MARKER,
  AbortMarker: n.WAL_FLAG_ABORT_MARKER,
});

/** Transaction id of every DDL entry and of its commit marker. */
export const DDL_TXN_ID = BigInt(n.WAL_DDL_TXN_ID);
/** Transaction id of the marker entry truncation writes when it copied nothing. */
export const MARKER_TXN_ID = BigInt(n.WAL_MARKER_TXN_ID);

/** Entry layout (offsets within an entry; data offsets within the data portion). */
export const EntryLayout = Object.freeze({
  magic: n.WAL_ENTRY_MAGIC,
  version: n.WAL_ENTRY_VERSION,
  headerBytes: n.WAL_HEADER_BYTES,
  flagsOffset: n.WAL_HEADER_FLAGS_OFFSET,
  headerSizeOffset: n.WAL_HEADER_SIZE_OFFSET,
  lsnOffset: n.WAL_HEADER_LSN_OFFSET,
  previousLsnOffset: n.WAL_HEADER_PREVIOUS_LSN_OFFSET,
  entrySizeOffset: n.WAL_HEADER_ENTRY_SIZE_OFFSET,
  headerChecksumOffset: n.WAL_HEADER_CHECKSUM_OFFSET,
  dataFixedBytes: n.WAL_DATA_FIXED_BYTES,
  dataNameLengthOffset: n.WAL_DATA_NAME_LENGTH_OFFSET,
  dataNameOffset: n.WAL_DATA_NAME_OFFSET,
  crcBytes: n.WAL_CRC_BYTES,
  dataBytesMax: n.WAL_ENTRY_DATA_BYTES_MAX,
  compressionThresholdBytes: n.WAL_COMPRESSION_THRESHOLD_BYTES,
});

/** Scan-index layout (crates/core/src/wal_scan.rs). */
export const IndexLayout = Object.freeze({
  recordBytes: n.WAL_INDEX_RECORD_BYTES,
  offset: n.WAL_INDEX_OFFSET,
  lsn: n.WAL_INDEX_LSN,
  previousLsn: n.WAL_INDEX_PREVIOUS_LSN,
  txnId: n.WAL_INDEX_TXN_ID,
  txnIdNumber: n.WAL_INDEX_TXN_ID_NUMBER,
  rowId: n.WAL_INDEX_ROW_ID,
  timestamp: n.WAL_INDEX_TIMESTAMP,
  lsnNumber: n.WAL_INDEX_LSN_NUMBER,
  entryBytes: n.WAL_INDEX_ENTRY_BYTES,
  dataCrc: n.WAL_INDEX_DATA_CRC,
  payloadOffset: n.WAL_INDEX_PAYLOAD_OFFSET,
  payloadStoredBytes: n.WAL_INDEX_PAYLOAD_STORED_BYTES,
  payloadRawBytes: n.WAL_INDEX_PAYLOAD_RAW_BYTES,
  tableNameBytes: n.WAL_INDEX_TABLE_NAME_BYTES,
  headerBytes: n.WAL_INDEX_HEADER_BYTES,
  kind: n.WAL_INDEX_KIND,
  reason: n.WAL_INDEX_REASON,
  flags: n.WAL_INDEX_FLAGS,
  operation: n.WAL_INDEX_OPERATION,
  present: n.WAL_INDEX_PRESENT,
  hasHeader: n.WAL_INDEX_HAS_HEADER,
  hasTxn: n.WAL_INDEX_HAS_TXN,
  headerVerified: n.WAL_INDEX_HEADER_VERIFIED,
  kindEntry: n.WAL_RECORD_ENTRY,
  kindDamage: n.WAL_RECORD_DAMAGE,
  stopEnd: n.WAL_SCAN_END,
  stopNeedMore: n.WAL_SCAN_NEED_MORE,
  stopIndexFull: n.WAL_SCAN_INDEX_FULL,
});
