/**
 * The STV4 container (spec §5.2). Every number comes from the Rust core's constants.
 *
 * | offset | size | field                                                         |
 * |--------|------|---------------------------------------------------------------|
 * | 0      | 4    | magic "STV4"                                                  |
 * | 4      | 4    | version u32 = 1                                               |
 * | 8      | 4    | col_count u32                                                 |
 * | 12     | 4    | num_groups u32 = ceil(row_count / 65,536), 0 for no rows      |
 * | 16     | 4    | meta_len u32                                                  |
 * | 20     | …    | metadata, LZ4+size, always compressed (`volume-metadata.ts`)  |
 * | …      | …    | block index: col_count × num_groups × (u64 stored, u64 raw)   |
 * | …      | …    | blocks, column-major (col 0 group 0, col 0 group 1, …)        |
 * | end-4  | 4    | CRC32 of every preceding byte                                 |
 *
 * A block is stored raw when stored == raw, else as an LZ4 raw block.
 */
import { PermafrostError } from '../errors';
import { native } from '../native';

export interface VolumeHeader {
  readonly columnCount: number;
  readonly groupCount: number;
  readonly metadataBytes: number;
}

export function rowGroupRows(): number {
  return native().VOLUME_ROW_GROUP_ROWS;
}

/** ceil(rowCount / 65,536); 0 for an empty volume. */
export function groupCount(rowCount: number): number {
  return Math.ceil(rowCount / rowGroupRows());
}

/** Rows in group `group` of a volume of `rowCount` rows. */
export function groupRowCount(rowCount: number, group: number): number {
  const size = rowGroupRows();
  return Math.max(0, Math.min(size, rowCount - group * size));
}

export function encodeHeader(header: VolumeHeader): Buffer {
  const n = native();
  const bytes = Buffer.alloc(n.VOLUME_HEADER_BYTES);
  bytes.writeUInt32LE(n.VOLUME_MAGIC, 0);
  bytes.writeUInt32LE(n.VOLUME_VERSION, 4);
  bytes.writeUInt32LE(header.columnCount, 8);
  bytes.writeUInt32LE(header.groupCount, 12);
  bytes.writeUInt32LE(header.metadataBytes, 16);
  return bytes;
}

/** Parses the 20-byte header (magic, version, column count limit). */
export function decodeHeader(bytes: Uint8Array): VolumeHeader {
  const n = native();
  if (bytes.length < n.VOLUME_HEADER_BYTES) {
    throw new PermafrostError('ERR_TRUNCATED', `volume header needs ${n.VOLUME_HEADER_BYTES} bytes, got ${bytes.length}`, {
      offset: 0,
    });
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== n.VOLUME_MAGIC) {
    throw new PermafrostError('ERR_CORRUPT', `bad volume magic ${Buffer.from(bytes.subarray(0, 4)).toString('hex')} (expected "STV4")`, {
      offset: 0,
    });
  }
  const version = view.getUint32(4, true);
  if (version !== n.VOLUME_VERSION) {
    throw new PermafrostError('ERR_UNSUPPORTED_VERSION', `volume version ${version}; this build reads version ${n.VOLUME_VERSION}`, {
      offset: 4,
    });
  }
  const columnCount = view.getUint32(8, true);
  if (columnCount > n.VOLUME_COLUMNS_MAX) {
    throw new PermafrostError('ERR_LIMIT', `volume declares ${columnCount} columns; the limit is ${n.VOLUME_COLUMNS_MAX}`, { offset: 8 });
  }
  return { columnCount, groupCount: view.getUint32(12, true), metadataBytes: view.getUint32(16, true) };
}
