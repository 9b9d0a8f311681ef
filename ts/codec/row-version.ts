/**
 * RowVersion: the payload of WAL Insert/Update/Delete entries and of snapshot row records
 * (spec §4.3, `serialize_row_version` / `deserialize_row_version`).
 *
 * v2 (the only form written):
 *
 * | offset | size | field                                                    |
 * |--------|------|----------------------------------------------------------|
 * | 0      | 8    | magic `52 56 32 00 00 00 00 80` ("RV2\0", negative as i64) |
 * | 8      | 8    | txn_id i64                                               |
 * | 16     | 8    | deleted_at_txn_id i64 (0 = not deleted)                  |
 * | 24     | 8    | create_time i64                                          |
 * | 32     | 4    | value_count u32                                          |
 * | 36     | …    | value_count × (u32 len, value bytes §4.2)                |
 *
 * v1 (read only; chosen when the first 8 bytes are not the magic): txn_id, deleted_at,
 * row_id (ignored), create_time, then the same value list. Both need at least 32 bytes.
 */
import { PermafrostError } from '../errors';
import { ByteReader } from './byte-reader';
import { ByteWriter } from './byte-writer';
import { encodeValue, readValue } from './value-codec';
import type { Value } from './values';

/** The 8 bytes that start a v2 RowVersion. */
export const ROW_VERSION_MAGIC_V2: readonly number[] = Object.freeze([0x52, 0x56, 0x32, 0x00, 0x00, 0x00, 0x00, 0x80]);
const MAGIC_BYTES = Uint8Array.from(ROW_VERSION_MAGIC_V2);
const MINIMUM_BYTES = 32;

export interface RowVersion {
  /** The transaction that wrote this version. */
  readonly txnId: bigint;
  /** The transaction that deleted the row, or 0n. */
  readonly deletedAtTxnId: bigint;
  /** stoolap's create time (always 0 in logged versions). */
  readonly createTime: bigint;
  /** The row's column values, by position. */
  readonly values: readonly Value[];
}

/** Appends the v2 encoding of `version` to `writer`. */
export function writeRowVersion(version: RowVersion, writer: ByteWriter): void {
  writer.bytes(MAGIC_BYTES);
  writer.i64(version.txnId, 'txn id').i64(version.deletedAtTxnId, 'deleted-at txn id').i64(version.createTime, 'create time');
  writer.u32(version.values.length, 'value count');
  for (const value of version.values) {
    const lengthAt = writer.length;
    writer.u32(0);
    encodeValue(value, writer);
    writer.patchU32(lengthAt, writer.length - lengthAt - 4, 'value length');
  }
}

/** The v2 encoding of `version`. */
export function encodeRowVersion(version: RowVersion): Buffer {
  const writer = new ByteWriter(40 + version.values.length * 16);
  writeRowVersion(version, writer);
  return writer.view(); // the writer is private to this call: its bytes need no copy
}

function isV2(bytes: Uint8Array): boolean {
  if (bytes.length < 8) return false;
  for (let index = 0; index < 8; index += 1) {
    if (bytes[index] !== MAGIC_BYTES[index]) return false;
  }
  return true;
}

/** Decodes a v2 or v1 RowVersion. Errors carry the offset within `bytes`. */
export function decodeRowVersion(bytes: Uint8Array): RowVersion {
  if (bytes.length < MINIMUM_BYTES) {
    throw new PermafrostError('ERR_TRUNCATED', `row version has ${bytes.length} bytes; at least ${MINIMUM_BYTES} needed`, {
      offset: 0,
    });
  }
  const reader = new ByteReader(bytes);
  const v2 = isV2(bytes);
  if (v2) reader.skip(8, 'row version magic');
  const txnId = reader.i64('txn id');
  const deletedAtTxnId = reader.i64('deleted-at txn id');
  if (!v2) reader.skip(8, 'v1 row id');
  const createTime = reader.i64('create time');
  const count = reader.count32(4, 'row value');
  const values: Value[] = new Array<Value>(count);
  for (let index = 0; index < count; index += 1) {
    const length = reader.u32(`value ${index} length`);
    const slotAt = reader.offset;
    reader.skip(length, `value ${index}`); // checks that the slot is there
    if (length === 0) throw new PermafrostError('ERR_TRUNCATED', `value ${index} is empty`, { offset: slotAt });
    // Read the slot in place (one reader per row, not per value: this is replay's hot path);
    // bytes after the value inside its slot are ignored, as stoolap ignores them.
    const resume = reader.offset;
    const end = reader.limit(resume);
    reader.seek(slotAt);
    try {
      values[index] = readValue(reader);
    } finally {
      reader.limit(end);
      reader.seek(resume);
    }
  }
  return { txnId, deletedAtTxnId, createTime, values };
}
