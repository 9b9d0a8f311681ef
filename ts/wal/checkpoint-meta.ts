/**
 * `wal/checkpoint.meta`, checkpoint format version 2 (spec §2.11).
 *
 * | offset | size | field                                                         |
 * |--------|------|---------------------------------------------------------------|
 * | 0      | 4    | magic `u32` 0x43504F49 (bytes "IOPC"; stoolap's source calls it CHKP) |
 * | 4      | 1    | version 2                                                     |
 * | 5      | 1    | flags 0                                                       |
 * | 6      | 2    | header size 32 (readers jump to it when larger)               |
 * | 8      | 8    | checkpoint LSN `u64`                                          |
 * | 16     | 8    | timestamp `i64`, ns since the epoch                           |
 * | 24     | 2    | section count `u16`                                           |
 * | 26     | 6    | reserved, zero                                                |
 * | 32     | 8×n  | section headers: type `u16`, flags `u16` (0), size `u32`      |
 * | …      | …    | section bodies in header order                                |
 * | end-4  | 4    | CRC32 of every preceding byte                                 |
 *
 * Sections: 1 WalFileInfo (`u8` consistent, `u16`+name of the current WAL file, `u16`+name of
 * the previous one, length 0 = none); 2 ActiveTransactions (`u64` count, count × `i64`);
 * 3 CommittedTransactions (`u64` count, count × (`i64` txn, `u64` commit LSN); written only
 * when non-empty). Writers emit 1, 2 and then 3.
 *
 * Reading is strict where stoolap is lenient (§11 item 13): the CRC is checked first
 * (`ERR_CHECKSUM`), then the magic (`ERR_CORRUPT`) and version (`ERR_UNSUPPORTED_VERSION`);
 * a section that overruns the file is `ERR_TRUNCATED`, an unknown section type
 * `ERR_UNKNOWN_TAG`, a count that does not match its section size `ERR_LIMIT`, a name that is
 * not UTF-8 `ERR_CORRUPT`. Every error carries its byte offset.
 */
import { crc32 } from '../checksum';
import { PermafrostError } from '../errors';
import { ByteReader } from '../codec/byte-reader';
import { ByteWriter } from '../codec/byte-writer';

const MAGIC = 0x43504f49;
const VERSION = 2;
const HEADER_BYTES = 32;
const SECTION_HEADER_BYTES = 8;
const CRC_BYTES = 4;
const SECTION_WAL_FILE_INFO = 1;
const SECTION_ACTIVE = 2;
const SECTION_COMMITTED = 3;

export interface CommittedTransaction {
  readonly txnId: bigint;
  readonly commitLsn: bigint;
}

export interface CheckpointMeta {
  /** Every entry up to this LSN is reflected in durable state other than the WAL. */
  readonly lsn: bigint;
  /** When the checkpoint was written, in nanoseconds since the epoch. */
  readonly timestampNanos: bigint;
  /** The WAL file that was current when it was written. */
  readonly walFile: string;
  /** The file before it (set by rotation), or undefined. */
  readonly previousWalFile: string | undefined;
  /** True when no transaction was active at the checkpoint. */
  readonly consistent: boolean;
  readonly activeTransactions: readonly bigint[];
  readonly committedTransactions: readonly CommittedTransaction[];
}

/** The bytes of `meta`, exactly as stoolap writes them. */
export function encodeCheckpointMeta(meta: CheckpointMeta): Buffer {
  const info = new ByteWriter(64)
    .u8(meta.consistent ? 1 : 0)
    .string16(meta.walFile, 'WAL file name')
    .string16(meta.previousWalFile ?? '', 'previous WAL file name')
    .toBuffer();
  const active = new ByteWriter(8 + 8 * meta.activeTransactions.length).u64(BigInt(meta.activeTransactions.length));
  for (const txnId of meta.activeTransactions) active.i64(txnId, 'active txn id');
  const sections: Array<[number, Buffer]> = [
    [SECTION_WAL_FILE_INFO, info],
    [SECTION_ACTIVE, active.toBuffer()],
  ];
  if (meta.committedTransactions.length > 0) {
    const committed = new ByteWriter(8 + 16 * meta.committedTransactions.length).u64(BigInt(meta.committedTransactions.length));
    for (const { txnId, commitLsn } of meta.committedTransactions) committed.i64(txnId, 'txn id').u64(commitLsn, 'commit LSN');
    sections.push([SECTION_COMMITTED, committed.toBuffer()]);
  }
  const out = new ByteWriter(128);
  out.u32(MAGIC).u8(VERSION).u8(0).u16(HEADER_BYTES).u64(meta.lsn, 'checkpoint LSN').i64(meta.timestampNanos, 'timestamp');
  out.u16(sections.length).bytes(new Uint8Array(6));
  for (const [type, body] of sections) out.u16(type).u16(0).u32(body.length);
  for (const [, body] of sections) out.bytes(body);
  out.u32(crc32(out.view()));
  return out.toBuffer();
}

function decodeWalFileInfo(reader: ByteReader): Pick<CheckpointMeta, 'consistent' | 'walFile' | 'previousWalFile'> {
  const consistent = reader.u8('consistent flag') !== 0;
  const walFile = reader.string16('WAL file name');
  const previous = reader.string16('previous WAL file name');
  return { consistent, walFile, previousWalFile: previous === '' ? undefined : previous };
}

function decodeCount(reader: ByteReader, elementBytes: number, what: string): number {
  const at = reader.offset;
  const count = reader.u64(`${what} count`);
  if (count * BigInt(elementBytes) !== BigInt(reader.remaining)) {
    throw new PermafrostError('ERR_LIMIT', `${what} count ${count} does not match the ${reader.remaining} bytes of its section`, {
      offset: at,
    });
  }
  return Number(count);
}

/** Decodes `checkpoint.meta` bytes; errors carry the offset of the bad field. */
export function decodeCheckpointMeta(bytes: Uint8Array): CheckpointMeta {
  if (bytes.length < HEADER_BYTES + CRC_BYTES) {
    throw new PermafrostError('ERR_TRUNCATED', `checkpoint.meta has ${bytes.length} bytes; at least ${HEADER_BYTES + CRC_BYTES} needed`, {
      offset: 0,
    });
  }
  const body = bytes.subarray(0, bytes.length - CRC_BYTES);
  const stored = new DataView(bytes.buffer, bytes.byteOffset + body.length, CRC_BYTES).getUint32(0, true);
  if (crc32(body) !== stored) {
    throw new PermafrostError('ERR_CHECKSUM', 'checkpoint.meta CRC32 does not match its contents', { offset: body.length });
  }
  const reader = new ByteReader(body);
  if (reader.u32('magic') !== MAGIC) throw new PermafrostError('ERR_CORRUPT', 'checkpoint.meta magic is not "IOPC"', { offset: 0 });
  const version = reader.u8('version');
  if (version !== VERSION) {
    throw new PermafrostError('ERR_UNSUPPORTED_VERSION', `checkpoint.meta version ${version}; this build reads version ${VERSION}`, {
      offset: 4,
    });
  }
  reader.u8('flags');
  const headerBytes = reader.u16('header size');
  const lsn = reader.u64('checkpoint LSN');
  const timestampNanos = reader.i64('timestamp');
  const sectionCount = reader.u16('section count');
  if (headerBytes < HEADER_BYTES || headerBytes > body.length) {
    throw new PermafrostError('ERR_CORRUPT', `checkpoint.meta header size ${headerBytes} is out of range`, { offset: 6 });
  }
  const sections = new ByteReader(body, headerBytes);
  sections.requireElements(sectionCount, SECTION_HEADER_BYTES, 'checkpoint.meta section');
  const headers: Array<{ type: number; size: number; at: number }> = [];
  for (let index = 0; index < sectionCount; index += 1) {
    const at = sections.offset;
    const type = sections.u16('section type');
    sections.u16('section flags');
    headers.push({ type, size: sections.u32('section size'), at });
  }
  let meta: CheckpointMeta = {
    lsn,
    timestampNanos,
    walFile: '',
    previousWalFile: undefined,
    consistent: true,
    activeTransactions: [],
    committedTransactions: [],
  };
  for (const { type, size, at } of headers) {
    const start = sections.offset;
    const section = new ByteReader(sections.bytesView(size, `section ${type}`));
    try {
      if (type === SECTION_WAL_FILE_INFO) meta = { ...meta, ...decodeWalFileInfo(section) };
      else if (type === SECTION_ACTIVE) {
        const count = decodeCount(section, 8, 'active transaction');
        meta = { ...meta, activeTransactions: Array.from({ length: count }, () => section.i64('active txn id')) };
      } else if (type === SECTION_COMMITTED) {
        const count = decodeCount(section, 16, 'committed transaction');
        const committed = Array.from({ length: count }, () => ({ txnId: section.i64('txn id'), commitLsn: section.u64('commit LSN') }));
        meta = { ...meta, committedTransactions: committed };
      } else {
        throw new PermafrostError('ERR_UNKNOWN_TAG', `unknown checkpoint.meta section type ${type}`, { offset: at - start });
      }
    } catch (error) {
      throw error instanceof PermafrostError ? error.locate(undefined, start) : error;
    }
  }
  return meta;
}
