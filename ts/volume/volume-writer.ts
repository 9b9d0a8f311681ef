/**
 * Writes a frozen volume as an STV4 file (spec §5.2), byte for byte what stoolap writes
 * for the same rows. TypeScript plans the file; the Rust core serializes and compresses
 * the blocks of each column into one output buffer per column (LZ4 when strictly
 * shorter, else raw; all raw with `compress: false`), filling the block index in place.
 * The async form runs one task per column on the libuv pool, so compression uses both
 * cores, and compresses the metadata alongside.
 *
 * Publication (`writeVolume`): `volumes/<table>/vol_<16 hex>.vol.tmp`, fsync, rename to
 * `vol_<16 hex>.vol`, fsync the directory (`io/publish-file.ts` lists what a crash between
 * any two steps leaves behind). A crash before the rename leaves only a `.vol.tmp`, which
 * `listVolumes` ignores and `removeVolumeTempFiles` deletes.
 */
import { mkdir } from 'node:fs/promises';
import { ByteWriter } from '../codec/byte-writer';
import { ioError } from '../errors';
import { publishFile } from '../io/publish-file';
import { lz4CompressBound } from '../lz4';
import { callNative, callNativeAsync, native } from '../native';
import { crc32 } from '../checksum';
import type { BytesColumnData, ColumnData } from './column-data';
import { valueByteView } from './column-data';
import { valueBytes } from './column-kind';
import { tableDirectory, volumeFileName } from './volume-files';
import { encodeHeader, groupCount, groupRowCount } from './volume-format';
import { encodeVolumeMetadata } from './volume-metadata';
import type { FrozenVolume } from './volume-summary';

export interface VolumeWriteOptions {
  /** LZ4-compress blocks (each kept only when smaller). @default true */
  readonly compress?: boolean;
  /** Column tasks in flight at once for the async forms. @default 4 */
  readonly concurrency?: number;
}

/** The file as pieces to write in order (no copy into one buffer), with its total size. */
export interface EncodedVolume {
  readonly pieces: readonly Uint8Array[];
  readonly byteLength: number;
}

interface ColumnPlan {
  readonly out: Buffer;
  readonly index: Buffer;
  run(sync: boolean): Promise<number> | number;
}

/** BYTES blocks are serialized here (rare, variable-width) and compressed natively. */
function serializeBytesBlocks(column: BytesColumnData, rowCount: number, index: Buffer): Buffer {
  const blocks: Buffer[] = [];
  for (let g = 0, start = 0; start < rowCount; g += 1) {
    const rows = groupRowCount(rowCount, g);
    const payloads = column.payloads.slice(start, start + rows);
    const blobBytes = payloads.reduce((total, p) => total + p.length, 0);
    const w = new ByteWriter(rows * 17 + 16 + blobBytes);
    w.bytes(column.nulls.subarray(start, start + rows)).u64(BigInt(rows));
    let offset = 0;
    for (const payload of payloads) {
      w.u64(BigInt(offset)).u64(BigInt(payload.length));
      offset += payload.length;
    }
    w.u64(BigInt(blobBytes));
    for (const payload of payloads) w.bytes(payload);
    const block = w.view();
    index.writeBigUInt64LE(BigInt(block.length), g * 16 + 8);
    blocks.push(block);
    start += rows;
  }
  return Buffer.concat(blocks);
}

function planColumn(column: ColumnData, rowCount: number, index: Buffer, compress: boolean): ColumnPlan {
  const groups = groupCount(rowCount);
  if (column.form === 'bytes') {
    const raw = serializeBytesBlocks(column, rowCount, index);
    let bound = 0;
    for (let g = 0; g < groups; g += 1) bound += callNative((b) => b.volumeOutputBound(Number(index.readBigUInt64LE(g * 16 + 8)), compress));
    const out = Buffer.allocUnsafe(bound);
    return {
      out,
      index,
      run: (sync) =>
        sync
          ? callNative((b) => b.volumeCompressBlocks(raw, compress, out, index))
          : callNativeAsync((b) => b.volumeCompressBlocksAsync(raw, compress, out, index)),
    };
  }
  const width = valueBytes(column.kind)! + 1;
  let bound = 0;
  for (let g = 0; g < groups; g += 1) bound += callNative((b) => b.volumeOutputBound(groupRowCount(rowCount, g) * width, compress));
  const out = Buffer.allocUnsafe(bound);
  const values = valueByteView(column);
  return {
    out,
    index,
    run: (sync) =>
      sync
        ? callNative((b) => b.volumeEncodeFixedColumn(column.kind, column.nulls, values, compress, out, index))
        : callNativeAsync((b) => b.volumeEncodeFixedColumnAsync(column.kind, column.nulls, values, compress, out, index)),
  };
}

function plan(volume: FrozenVolume, compress: boolean): { metadata: Buffer; index: Buffer; columns: ColumnPlan[] } {
  const { rowCount } = volume.metadata;
  const groups = groupCount(rowCount);
  const entry = native().VOLUME_BLOCK_INDEX_ENTRY_BYTES;
  const index = Buffer.alloc(volume.columns.length * groups * entry);
  const columns = volume.columns.map((column, c) => planColumn(column, rowCount, index.subarray(c * groups * entry, (c + 1) * groups * entry), compress));
  return { metadata: encodeVolumeMetadata(volume.metadata), index, columns };
}

function assemble(volume: FrozenVolume, wrappedMetadata: Buffer, index: Buffer, outs: readonly Buffer[]): EncodedVolume {
  const header = encodeHeader({
    columnCount: volume.columns.length,
    groupCount: groupCount(volume.metadata.rowCount),
    metadataBytes: wrappedMetadata.length,
  });
  const pieces: Uint8Array[] = [header, wrappedMetadata, index, ...outs];
  let crc = 0;
  let byteLength = 0;
  for (const piece of pieces) {
    crc = crc32(piece, crc);
    byteLength += piece.length;
  }
  const trailer = Buffer.alloc(native().VOLUME_CRC_BYTES);
  trailer.writeUInt32LE(crc, 0);
  pieces.push(trailer);
  return { pieces, byteLength: byteLength + trailer.length };
}

function metadataTarget(metadata: Buffer): Buffer {
  const prefix = native().LZ4_SIZE_PREFIX_BYTES;
  const target = Buffer.allocUnsafe(prefix + lz4CompressBound(metadata.length));
  target.writeUInt32LE(metadata.length, 0);
  return target;
}

/** Encodes a volume on the calling thread. */
export function encodeVolumeSync(volume: FrozenVolume, options: VolumeWriteOptions = {}): EncodedVolume {
  const { metadata, index, columns } = plan(volume, options.compress ?? true);
  const target = metadataTarget(metadata);
  const prefix = native().LZ4_SIZE_PREFIX_BYTES;
  const metaBytes = callNative((b) => b.lz4CompressInto(metadata, target.subarray(prefix)));
  const outs = columns.map((column) => column.out.subarray(0, column.run(true) as number));
  return assemble(volume, target.subarray(0, prefix + metaBytes), index, outs);
}

/** Runs `tasks` with at most `limit` in flight. */
async function runLimited<T>(tasks: readonly (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results: T[] = new Array<T>(tasks.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i]!();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, tasks.length)) }, worker));
  return results;
}

/** Encodes a volume with column compression (and the metadata's) on the libuv pool. */
export async function encodeVolume(volume: FrozenVolume, options: VolumeWriteOptions = {}): Promise<EncodedVolume> {
  const { metadata, index, columns } = plan(volume, options.compress ?? true);
  const target = metadataTarget(metadata);
  const prefix = native().LZ4_SIZE_PREFIX_BYTES;
  const metaTask = callNativeAsync((b) => b.lz4CompressIntoAsync(metadata, target.subarray(prefix)));
  const written = await runLimited(
    columns.map((column) => () => column.run(false) as Promise<number>),
    options.concurrency ?? 4,
  );
  const metaBytes = await metaTask;
  const outs = columns.map((column, c) => column.out.subarray(0, written[c]));
  return assemble(volume, target.subarray(0, prefix + metaBytes), index, outs);
}

/**
 * Writes `volume` durably as `<volumesDir>/<table>/vol_<16 hex id>.vol` and returns the
 * path. The table name is validated and lower-cased (`table-name.ts`).
 */
export async function writeVolume(
  volumesDir: string,
  tableName: string,
  volumeId: bigint,
  volume: FrozenVolume,
  options: VolumeWriteOptions = {},
): Promise<string> {
  const dir = tableDirectory(volumesDir, tableName);
  const name = volumeFileName(volumeId);
  const encoded = await encodeVolume(volume, options);
  try {
    await mkdir(dir, { recursive: true });
  } catch (error) {
    throw ioError(`cannot create volume directory ${dir}`, error, dir);
  }
  return publishFile(dir, `${name}.tmp`, name, encoded.pieces);
}
