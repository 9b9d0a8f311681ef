/**
 * `snapshots/snapshot_meta.bin` (spec §3.6): which WAL LSN the legacy snapshots cover.
 *
 * | offset | size | field                                   |
 * |--------|------|-----------------------------------------|
 * | 0      | 4    | magic u32 0x50414E53 (bytes "SNAP")     |
 * | 4      | 4    | version u32 = 1 (newer is unsupported)  |
 * | 8      | 8    | lsn u64                                 |
 * | 16     | 8    | timestamp u64, milliseconds since epoch |
 * | 24     | 4    | CRC32 of bytes 0..24                    |
 *
 * stoolap treats any problem as LSN 0 (replay everything); this decoder reports the problem
 * with a code and leaves that policy to the caller.
 */
import { PermafrostError } from '../errors';
import { crc32 } from '../checksum';
import { ByteReader } from '../codec/byte-reader';

export const SNAPSHOT_META_MAGIC = 0x50414e53;
export const SNAPSHOT_META_VERSION = 1;
export const SNAPSHOT_META_BYTES = 28;

export interface SnapshotMeta {
  readonly lsn: bigint;
  readonly timestampMillis: bigint;
}

export function decodeSnapshotMeta(bytes: Uint8Array, file?: string): SnapshotMeta {
  if (bytes.length < SNAPSHOT_META_BYTES) {
    throw new PermafrostError('ERR_TRUNCATED', `snapshot metadata has ${bytes.length} bytes; ${SNAPSHOT_META_BYTES} expected`, { file });
  }
  const reader = new ByteReader(bytes);
  const magic = reader.u32('magic');
  if (magic !== SNAPSHOT_META_MAGIC) {
    throw new PermafrostError('ERR_CORRUPT', `bad snapshot metadata magic 0x${magic.toString(16)}`, { file, offset: 0 });
  }
  const version = reader.u32('version');
  if (version > SNAPSHOT_META_VERSION) {
    throw new PermafrostError('ERR_UNSUPPORTED_VERSION', `snapshot metadata version ${version}; this build reads ≤ 1`, { file, offset: 4 });
  }
  const lsn = reader.u64('lsn');
  const timestampMillis = reader.u64('timestamp');
  const stored = reader.u32('crc');
  const actual = crc32(bytes.subarray(0, 24));
  if (stored !== actual) {
    throw new PermafrostError('ERR_CHECKSUM', `snapshot metadata CRC 0x${stored.toString(16)} ≠ 0x${actual.toString(16)}`, { file, offset: 24 });
  }
  return { lsn, timestampMillis };
}
