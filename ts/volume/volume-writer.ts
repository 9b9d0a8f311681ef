/**
 * Writes a frozen volume as an STV4 file (spec §5.2), byte for byte what stoolap writes
 * for the same rows. TypeScript encodes the metadata (§5.3) and plans nothing else: one
 * native call (`volumeEncode`) compresses the metadata and every block of every column
 * (LZ4 when strictly shorter, else raw; all raw with `compress: false`) into one output
 * slab, writes the block index and header in place and computes the CRC32 of each piece
 * while it is still in cache (combined in file order, so the file is never read again).
 * It returns the file as a list of slab ranges, written with `writev` — no copy.
 *
 * The async form runs that call on the libuv pool with up to `concurrency` threads of its
 * own (the metadata block first, then the column blocks from a shared queue), so both
 * cores compress and the event loop stays free. The bytes do not depend on the thread
 * count.
 *
 * Publication (`writeVolume`): `volumes/<table>/vol_<16 hex>.vol.tmp`, fsync, rename to
 * `vol_<16 hex>.vol`, fsync the directory (`io/publish-file.ts` lists what a crash between
 * any two steps leaves behind). A crash before the rename leaves only a `.vol.tmp`, which
 * `listVolumes` ignores and `removeVolumeTempFiles` deletes.
 */
import { mkdir } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { ByteWriter } from '../codec/byte-writer';
import { ioError } from '../errors';
import { publishFile } from '../io/publish-file';
import { callNative, callNativeAsync } from '../native';
import type { BytesColumnData } from './column-data';
import { valueByteView } from './column-data';
import { tableDirectory, volumeFileName } from './volume-files';
import { groupCount, groupRowCount } from './volume-format';
import { encodeVolumeMetadata } from './volume-metadata';
import { releaseScratch, takeScratch } from './scratch-pool';
import type { FrozenVolume } from './volume-summary';

export interface VolumeWriteOptions {
  /** LZ4-compress blocks (each kept only when smaller). @default true */
  readonly compress?: boolean;
  /** Threads compressing at once in the async forms. @default min(available parallelism, 8) */
  readonly concurrency?: number;
}

/** The file as pieces to write in order (no copy into one buffer), with its total size. */
export interface EncodedVolume {
  readonly pieces: readonly Uint8Array[];
  readonly byteLength: number;
}

/** Threads the async forms use unless told otherwise. */
export function defaultVolumeThreads(): number {
  return Math.max(1, Math.min(availableParallelism(), 8));
}

const EMPTY = new Uint8Array(0);

/** BYTES blocks (rare, variable-width) are serialized here, back to back (spec §5.5). */
function serializeBytesBlocks(column: BytesColumnData, rowCount: number): Buffer {
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
    blocks.push(w.view());
    start += rows;
  }
  return Buffer.concat(blocks);
}

interface Job {
  readonly rowCount: number;
  readonly kinds: Uint8Array;
  readonly columns: Uint8Array[];
  readonly metadata: Buffer;
  readonly compress: boolean;
  readonly out: Buffer;
  readonly pieces: Float64Array;
}

function prepare(volume: FrozenVolume, options: VolumeWriteOptions, slab: (size: number) => Buffer = (size) => Buffer.allocUnsafe(size)): Job {
  const { rowCount } = volume.metadata;
  const compress = options.compress ?? true;
  const kinds = Uint8Array.from(volume.columns, (column) => column.kind);
  const columns = volume.columns.flatMap((column) =>
    column.form === 'bytes' ? [EMPTY, serializeBytesBlocks(column, rowCount)] : [column.nulls, valueByteView(column)],
  );
  const metadata = encodeVolumeMetadata(volume.metadata);
  const bound = callNative((b) => b.volumeEncodeBound(rowCount, kinds, columns, metadata.length, compress));
  // Pieces: [header + metadata + index], at most one per block, the CRC.
  const pieces = new Float64Array(2 * (volume.columns.length * groupCount(rowCount) + 2));
  return { rowCount, kinds, columns, metadata, compress, out: slab(bound), pieces };
}

function assemble(job: Job, count: number): EncodedVolume {
  const pieces: Uint8Array[] = [];
  let byteLength = 0;
  for (let i = 0; i < count; i += 1) {
    const start = job.pieces[2 * i]!;
    const length = job.pieces[2 * i + 1]!;
    pieces.push(job.out.subarray(start, start + length));
    byteLength += length;
  }
  return { pieces, byteLength };
}

const piecesBuffer = (job: Job): Buffer => Buffer.from(job.pieces.buffer, job.pieces.byteOffset, job.pieces.byteLength);

/** Encodes a volume on the calling thread. */
export function encodeVolumeSync(volume: FrozenVolume, options: VolumeWriteOptions = {}): EncodedVolume {
  const job = prepare(volume, options);
  const count = callNative((b) => b.volumeEncode(job.rowCount, job.kinds, job.columns, job.metadata, job.compress, job.out, piecesBuffer(job)));
  return assemble(job, count);
}

async function encodeJob(job: Job, options: VolumeWriteOptions): Promise<EncodedVolume> {
  const threads = Math.max(1, Math.floor(options.concurrency ?? defaultVolumeThreads()));
  const count = await callNativeAsync((b) =>
    b.volumeEncodeAsync(job.rowCount, job.kinds, job.columns, job.metadata, job.compress, threads, job.out, piecesBuffer(job)),
  );
  return assemble(job, count);
}

/** Encodes a volume on the libuv pool, compressing on up to `concurrency` threads. */
export function encodeVolume(volume: FrozenVolume, options: VolumeWriteOptions = {}): Promise<EncodedVolume> {
  return encodeJob(prepare(volume, options), options);
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
  // The slab never leaves this function: it is reused by the next write (scratch-pool.ts).
  const job = prepare(volume, options, takeScratch);
  try {
    const encoded = await encodeJob(job, options);
    try {
      await mkdir(dir, { recursive: true });
    } catch (error) {
      throw ioError(`cannot create volume directory ${dir}`, error, dir);
    }
    return await publishFile(dir, `${name}.tmp`, name, encoded.pieces);
  } finally {
    releaseScratch(job.out);
  }
}
