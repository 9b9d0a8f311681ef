/**
 * Per-table manifest `volumes/<table>/manifest.bin`, "STMF" version 6 (spec §6.1): the source
 * of truth for which volumes belong to a table, which cold rows are deleted, and how columns
 * were renamed or dropped.
 *
 * | field                     | encoding                                                         |
 * |---------------------------|------------------------------------------------------------------|
 * | magic                     | "STMF"                                                           |
 * | version                   | u32 = 6 (the only version read)                                  |
 * | next segment id           | u64 (largest registered volume id + 1)                           |
 * | checkpoint LSN            | u64                                                              |
 * | table name                | u32 len + UTF-8 (lower case)                                     |
 * | segments                  | u32 count; per segment: u64 segment (= volume) id, u64 row count, i64 min row id, i64 max row id, u64 creation LSN, u64 seal sequence, u64 schema version, u32 len + file path (empty in 0.4.0) |
 * | tombstones (optional)     | u64 count; per tombstone: i64 row id, u64 commit sequence       |
 * | column renames (optional) | u32 count; per rename: u16 len + old name, u16 len + new name    |
 * | dropped columns (optional)| u32 count; per column: u16 len + name, u64 schema version        |
 * | CRC32                     | u32 over every preceding byte                                    |
 *
 * Segment order is precedence order: later segments are newer and win for duplicate row ids.
 * A trailing section is absent when nothing remains before the CRC; once its count is read,
 * running out of bytes is an error. The writer always writes all three sections.
 */
import { PermafrostError } from '../errors';
import { crc32 } from '../checksum';
import { ByteReader } from '../codec/byte-reader';
import { ByteWriter } from '../codec/byte-writer';

export const MANIFEST_MAGIC = 'STMF';
export const MANIFEST_VERSION = 6;
export const MANIFEST_FILE_NAME = 'manifest.bin';
/** stoolap's temp name: `manifest.bin` with its extension replaced by `manifest.tmp`. */
export const MANIFEST_TEMP_FILE_NAME = 'manifest.manifest.tmp';
const MINIMUM_BYTES = 28;
const SEGMENT_FIXED_BYTES = 7 * 8 + 4;

export interface ManifestSegment {
  /** The volume id (`vol_<16 hex>.vol`). */
  readonly segmentId: bigint;
  readonly rowCount: bigint;
  readonly minRowId: bigint;
  readonly maxRowId: bigint;
  /** Always 0 in stoolap 0.4.0. */
  readonly creationLsn: bigint;
  /** Commit-sequence cut-off at seal (0 for compaction output). */
  readonly sealSeq: bigint;
  readonly schemaVersion: bigint;
  /** Always empty in stoolap 0.4.0 (the file is found by segment id). */
  readonly filePath: string;
}

export interface Tombstone {
  readonly rowId: bigint;
  readonly commitSeq: bigint;
}

export interface ColumnRename {
  readonly oldName: string;
  readonly newName: string;
}

export interface DroppedColumn {
  readonly name: string;
  readonly schemaVersion: bigint;
}

export interface TableManifest {
  readonly nextSegmentId: bigint;
  readonly checkpointLsn: bigint;
  /** Lower-case table name. */
  readonly tableName: string;
  readonly segments: readonly ManifestSegment[];
  readonly tombstones: readonly Tombstone[];
  readonly columnRenames: readonly ColumnRename[];
  readonly droppedColumns: readonly DroppedColumn[];
}

export function encodeTableManifest(manifest: TableManifest): Buffer {
  const writer = new ByteWriter(64 + manifest.segments.length * 64 + manifest.tombstones.length * 16);
  writer.bytes(Buffer.from(MANIFEST_MAGIC, 'latin1')).u32(MANIFEST_VERSION);
  writer.u64(manifest.nextSegmentId, 'next segment id').u64(manifest.checkpointLsn, 'checkpoint LSN');
  writer.string32(manifest.tableName, 'table name');
  writer.u32(manifest.segments.length, 'segment count');
  for (const segment of manifest.segments) {
    writer.u64(segment.segmentId, 'segment id').u64(segment.rowCount, 'row count');
    writer.i64(segment.minRowId, 'min row id').i64(segment.maxRowId, 'max row id');
    writer.u64(segment.creationLsn, 'creation LSN').u64(segment.sealSeq, 'seal sequence').u64(segment.schemaVersion, 'schema version');
    writer.string32(segment.filePath, 'segment file path');
  }
  writer.u64(BigInt(manifest.tombstones.length), 'tombstone count');
  for (const tombstone of manifest.tombstones) writer.i64(tombstone.rowId, 'tombstone row id').u64(tombstone.commitSeq, 'commit sequence');
  writer.u32(manifest.columnRenames.length, 'rename count');
  for (const rename of manifest.columnRenames) writer.string16(rename.oldName, 'old column name').string16(rename.newName, 'new column name');
  writer.u32(manifest.droppedColumns.length, 'dropped column count');
  for (const dropped of manifest.droppedColumns) writer.string16(dropped.name, 'dropped column name').u64(dropped.schemaVersion, 'schema version');
  writer.u32(crc32(writer.view()));
  return writer.toBuffer();
}

function readSegments(reader: ByteReader): ManifestSegment[] {
  const count = reader.count32(SEGMENT_FIXED_BYTES, 'segment');
  const segments: ManifestSegment[] = [];
  for (let index = 0; index < count; index += 1) {
    segments.push({
      segmentId: reader.u64('segment id'),
      rowCount: reader.u64('segment row count'),
      minRowId: reader.i64('segment min row id'),
      maxRowId: reader.i64('segment max row id'),
      creationLsn: reader.u64('segment creation LSN'),
      sealSeq: reader.u64('segment seal sequence'),
      schemaVersion: reader.u64('segment schema version'),
      filePath: reader.string32('segment file path'),
    });
  }
  return segments;
}

function readTombstones(reader: ByteReader): Tombstone[] {
  if (reader.remaining === 0) return [];
  const countAt = reader.offset;
  const count = reader.u64('tombstone count');
  if (count * 16n > BigInt(reader.remaining)) {
    throw new PermafrostError('ERR_LIMIT', `tombstone count ${count} needs ${count * 16n} bytes but only ${reader.remaining} remain`, {
      offset: countAt,
    });
  }
  return Array.from({ length: Number(count) }, () => ({ rowId: reader.i64('tombstone row id'), commitSeq: reader.u64('tombstone commit sequence') }));
}

function readRenames(reader: ByteReader): ColumnRename[] {
  if (reader.remaining === 0) return [];
  const count = reader.count32(4, 'column rename');
  return Array.from({ length: count }, () => ({ oldName: reader.string16('old column name'), newName: reader.string16('new column name') }));
}

function readDropped(reader: ByteReader): DroppedColumn[] {
  if (reader.remaining === 0) return [];
  const count = reader.count32(10, 'dropped column');
  return Array.from({ length: count }, () => ({ name: reader.string16('dropped column name'), schemaVersion: reader.u64('dropped column schema version') }));
}

/** Decodes a manifest; `file` names it in errors. */
export function decodeTableManifest(bytes: Uint8Array, file?: string): TableManifest {
  try {
    return decodeChecked(bytes);
  } catch (error) {
    throw error instanceof PermafrostError ? error.locate(file) : error;
  }
}

function decodeChecked(bytes: Uint8Array): TableManifest {
  if (bytes.length < MINIMUM_BYTES) {
    throw new PermafrostError('ERR_TRUNCATED', `manifest has ${bytes.length} bytes; at least ${MINIMUM_BYTES} needed`, { offset: 0 });
  }
  if (Buffer.from(bytes.subarray(0, 4)).toString('latin1') !== MANIFEST_MAGIC) {
    throw new PermafrostError('ERR_CORRUPT', 'bad manifest magic (expected "STMF")', { offset: 0 });
  }
  const stored = new ByteReader(bytes, bytes.length - 4).u32('manifest CRC');
  const actual = crc32(bytes.subarray(0, bytes.length - 4));
  if (stored !== actual) {
    throw new PermafrostError('ERR_CHECKSUM', `manifest CRC 0x${stored.toString(16)} ≠ computed 0x${actual.toString(16)}`, {
      offset: bytes.length - 4,
    });
  }
  const reader = new ByteReader(bytes.subarray(0, bytes.length - 4), 4);
  const version = reader.u32('manifest version');
  if (version !== MANIFEST_VERSION) {
    throw new PermafrostError('ERR_UNSUPPORTED_VERSION', `manifest version ${version}; this build reads version 6`, { offset: 4 });
  }
  const nextSegmentId = reader.u64('next segment id');
  const checkpointLsn = reader.u64('checkpoint LSN');
  const tableName = reader.string32('table name');
  const segments = readSegments(reader);
  const tombstones = readTombstones(reader);
  const columnRenames = readRenames(reader);
  const droppedColumns = readDropped(reader);
  if (reader.remaining !== 0) {
    throw new PermafrostError('ERR_CORRUPT', `${reader.remaining} unexpected bytes before the manifest CRC`, { offset: reader.offset });
  }
  return { nextSegmentId, checkpointLsn, tableName, segments, tombstones, columnRenames, droppedColumns };
}
