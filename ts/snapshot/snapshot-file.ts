/**
 * Per-table snapshot files `snapshots/<table>/snapshot-<TS>.bin`, format v3 (spec §3.2–3.5),
 * read only: stoolap ≤ 0.3.7 kept table data in them, and 0.4.0 still writes them as backups.
 *
 * | region        | layout                                                                 |
 * |---------------|------------------------------------------------------------------------|
 * | header (64)   | u64 magic 0x5354534456534844 ("DHSVDSTS" on disk), u32 version 3, u32 flags, u32 header size 64, i64 created (ns), u64 source LSN, u64 previous snapshot LSN, u32 schema version, u8 compression, 15 reserved |
 * | schema        | u32 length + snapshot schema (§3.4)                                    |
 * | row records   | per row: u32 (bit 31 = LZ4+size compressed, low 31 bits = length), RowVersion v2 bytes |
 * | row index     | n × (i64 row id, u64 absolute offset of the row's record), ascending    |
 * | txn section   | m × (i64 txn id, i64 create time)                                      |
 * | footer (64)   | u64 index offset, u64 index size (16 n), u64 row count, u64 txn offset, u64 txn count, u32 CRC32 of the row-record region, 12 reserved, u64 magic 0x53544E445354454E ("NETSDNTS") |
 * | trailer       | u32 CRC32 of every byte before it                                      |
 *
 * Beyond stoolap's reader, this one also verifies the data checksum, the index order, and
 * that every index entry points at a record inside the row region.
 */
import { readFile } from 'node:fs/promises';
import { PermafrostError, ioError } from '../errors';
import { crc32 } from '../checksum';
import { ByteReader } from '../codec/byte-reader';
import { decodeRowVersion, type RowVersion } from '../codec/row-version';
import { decodeSnapshotSchema, type SnapshotSchema } from '../codec/schema';
import { lz4DecompressSizePrepended } from '../lz4';

export const SNAPSHOT_HEADER_MAGIC = 0x5354_5344_5653_4844n;
export const SNAPSHOT_FOOTER_MAGIC = 0x5354_4e44_5354_454en;
export const SNAPSHOT_VERSION = 3;
const HEADER_BYTES = 64;
const FOOTER_BYTES = 64;
const CRC_BYTES = 4;
const COMPRESSED_FLAG = 0x8000_0000;
/** Largest decompressed row a snapshot may declare (stoolap rows are far smaller). */
export const SNAPSHOT_ROW_BYTES_MAX = 64 * 1024 * 1024;

export interface SnapshotHeader {
  readonly version: number;
  readonly createdAtNanos: bigint;
  readonly sourceLsn: bigint;
  readonly previousSnapshotLsn: bigint;
  readonly schemaVersion: number;
}

export interface SnapshotRow {
  readonly rowId: bigint;
  readonly version: RowVersion;
}

export interface SnapshotFile {
  readonly header: SnapshotHeader;
  readonly schema: SnapshotSchema;
  /** Rows in ascending row-id order. */
  readonly rows: readonly SnapshotRow[];
  /** The txn section: txn id → create time. */
  readonly txnCreateTimes: ReadonlyMap<bigint, bigint>;
}

function corrupt(what: string, file: string | undefined, offset: number): PermafrostError {
  return new PermafrostError('ERR_CORRUPT', what, { file, offset });
}

function toOffset(value: bigint, what: string, limit: number, file: string | undefined, at: number): number {
  if (value > BigInt(limit)) throw corrupt(`${what} ${value} lies beyond ${limit}`, file, at);
  return Number(value);
}

function readHeader(reader: ByteReader, file: string | undefined): SnapshotHeader {
  if (reader.u64('header magic') !== SNAPSHOT_HEADER_MAGIC) throw corrupt('bad snapshot header magic', file, 0);
  const version = reader.u32('version');
  if (version !== SNAPSHOT_VERSION) {
    throw new PermafrostError('ERR_UNSUPPORTED_VERSION', `snapshot format v${version}; this build reads v3`, { file, offset: 8 });
  }
  reader.u32('feature flags');
  const headerBytes = reader.u32('header size');
  if (headerBytes !== HEADER_BYTES) throw corrupt(`snapshot header size ${headerBytes}; 64 expected`, file, 16);
  const createdAtNanos = reader.i64('creation time');
  const sourceLsn = reader.u64('source LSN');
  const previousSnapshotLsn = reader.u64('previous snapshot LSN');
  const schemaVersion = reader.u32('schema version');
  return { version, createdAtNanos, sourceLsn, previousSnapshotLsn, schemaVersion };
}

function readRecord(bytes: Uint8Array, offset: number, end: number, file: string | undefined): RowVersion {
  const reader = new ByteReader(bytes.subarray(0, end), offset);
  const lengthAndFlag = reader.u32('row record length');
  const length = lengthAndFlag & ~COMPRESSED_FLAG;
  const payloadAt = reader.offset;
  const payload = reader.bytesView(length, 'row record');
  try {
    const raw = lengthAndFlag & COMPRESSED_FLAG ? lz4DecompressSizePrepended(payload, SNAPSHOT_ROW_BYTES_MAX) : payload;
    return decodeRowVersion(raw);
  } catch (error) {
    throw error instanceof PermafrostError ? error.locate(file, payloadAt) : error;
  }
}

/** Decodes a whole snapshot file held in memory. `file` names it in errors. */
export function decodeSnapshotFile(bytes: Uint8Array, file?: string): SnapshotFile {
  try {
    return decodeVerified(bytes, file);
  } catch (error) {
    if (error instanceof PermafrostError && error.file === undefined) throw error.locate(file);
    throw error;
  }
}

function decodeVerified(bytes: Uint8Array, file: string | undefined): SnapshotFile {
  const minimum = HEADER_BYTES + 4 + FOOTER_BYTES + CRC_BYTES;
  if (bytes.length < minimum) {
    throw new PermafrostError('ERR_TRUNCATED', `snapshot file has ${bytes.length} bytes; at least ${minimum} needed`, { file });
  }
  const footerAt = bytes.length - CRC_BYTES - FOOTER_BYTES;
  const storedCrc = new ByteReader(bytes, bytes.length - CRC_BYTES).u32('file CRC');
  const actualCrc = crc32(bytes.subarray(0, bytes.length - CRC_BYTES));
  if (storedCrc !== actualCrc) {
    throw new PermafrostError('ERR_CHECKSUM', `snapshot CRC 0x${storedCrc.toString(16)} ≠ computed 0x${actualCrc.toString(16)}`, {
      file,
      offset: bytes.length - CRC_BYTES,
    });
  }
  const reader = new ByteReader(bytes.subarray(0, footerAt));
  const header = readHeader(reader, file);
  reader.skip(HEADER_BYTES - reader.offset, 'header reserved bytes');
  const schemaLength = reader.u32('schema length');
  const schemaAt = reader.offset;
  const schemaBytes = reader.bytesView(schemaLength, 'schema');
  let schema: SnapshotSchema;
  try {
    schema = decodeSnapshotSchema(schemaBytes);
  } catch (error) {
    throw error instanceof PermafrostError ? error.locate(file, schemaAt) : error;
  }
  const recordsAt = reader.offset;

  const footer = new ByteReader(bytes.subarray(0, footerAt + FOOTER_BYTES), footerAt);
  const indexAt = toOffset(footer.u64('index offset'), 'row index offset', footerAt, file, footerAt);
  const indexBytes = toOffset(footer.u64('index size'), 'row index size', footerAt, file, footerAt + 8);
  const rowCount = toOffset(footer.u64('row count'), 'row count', footerAt, file, footerAt + 16);
  const txnAt = toOffset(footer.u64('txn section offset'), 'txn section offset', footerAt, file, footerAt + 24);
  const txnCount = toOffset(footer.u64('txn count'), 'txn count', footerAt, file, footerAt + 32);
  const dataCrc = footer.u32('data checksum');
  footer.skip(12, 'footer reserved bytes');
  if (footer.u64('footer magic') !== SNAPSHOT_FOOTER_MAGIC) throw corrupt('bad snapshot footer magic', file, footerAt + 56);
  if (indexAt < recordsAt || indexBytes !== rowCount * 16 || txnAt !== indexAt + indexBytes || txnAt + txnCount * 16 !== footerAt) {
    throw corrupt(
      `snapshot sections do not tile the file (records ${recordsAt}, index ${indexAt}+${indexBytes}, txns ${txnAt}+${txnCount}×16, footer ${footerAt})`,
      file,
      footerAt,
    );
  }
  const actualDataCrc = crc32(bytes.subarray(recordsAt, indexAt));
  if (actualDataCrc !== dataCrc) {
    throw new PermafrostError('ERR_CHECKSUM', `snapshot row-data CRC 0x${dataCrc.toString(16)} ≠ computed 0x${actualDataCrc.toString(16)}`, {
      file,
      offset: footerAt + 40,
    });
  }

  const index = new ByteReader(bytes.subarray(0, txnAt), indexAt);
  const rows: SnapshotRow[] = [];
  let previousRowId: bigint | undefined;
  for (let position = 0; position < rowCount; position += 1) {
    const entryAt = index.offset;
    const rowId = index.i64('row id');
    const recordAt = index.u64('record offset');
    if (previousRowId !== undefined && rowId <= previousRowId) throw corrupt(`row index not ascending at row id ${rowId}`, file, entryAt);
    if (recordAt < BigInt(recordsAt) || recordAt >= BigInt(indexAt)) {
      throw corrupt(`row ${rowId} points at offset ${recordAt}, outside the row records`, file, entryAt + 8);
    }
    rows.push({ rowId, version: readRecord(bytes, Number(recordAt), indexAt, file) });
    previousRowId = rowId;
  }
  const txns = new ByteReader(bytes.subarray(0, footerAt), txnAt);
  const txnCreateTimes = new Map<bigint, bigint>();
  for (let position = 0; position < txnCount; position += 1) {
    txnCreateTimes.set(txns.i64('txn id'), txns.i64('txn create time'));
  }
  return { header, schema, rows, txnCreateTimes };
}

/** Reads and decodes a snapshot file. */
export async function readSnapshotFile(path: string): Promise<SnapshotFile> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw ioError('cannot read snapshot file', error, path);
  }
  return decodeSnapshotFile(bytes, path);
}
