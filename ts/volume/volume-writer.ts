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
import { constants } from 'node:fs';
import { mkdir, open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { ByteWriter } from '../codec/byte-writer';
import { ioError, isPermafrostError } from '../errors';
import { fsyncDirectory, writeAll } from '../io/publish-file';
import { callNative, callNativeAsync, native } from '../native';
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
  // Pooled slabs come with pooled metadata bytes (both given back by the caller).
  const { rowCount } = volume.metadata;
  const compress = options.compress ?? true;
  const kinds = Uint8Array.from(volume.columns, (column) => column.kind);
  const columns = volume.columns.flatMap((column) =>
    column.form === 'bytes' ? [EMPTY, serializeBytesBlocks(column, rowCount)] : [column.nulls, valueByteView(column)],
  );
  const metadata = encodeVolumeMetadata(volume.metadata, slab);
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

function threadsOf(options: VolumeWriteOptions): number {
  return Math.max(1, Math.floor(options.concurrency ?? defaultVolumeThreads()));
}

async function encodeJob(job: Job, options: VolumeWriteOptions): Promise<EncodedVolume> {
  const threads = threadsOf(options);
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
 * Encodes `job` and writes it to `dir/tmpName` in an overlapped pipeline, then publishes
 * it as `dir/finalName` exactly as `publishFile` does (fsync, rename, directory fsync; a
 * crash leaves at most a `.tmp`). The jobs run in chunks — the metadata with the first
 * column's blocks, then one column per chunk — and each chunk's blocks are written at
 * their final offsets (known once the metadata is compressed), as is the compressed
 * metadata, while the next chunk compresses; after each write the disk is asked to flush
 * in the background (fdatasync), so the final fsync has little left to wait for. The
 * header and the block index (known last) go in place at the end, the CRC after the
 * blocks. Same bytes as `encodeVolume`.
 */
async function streamVolume(dir: string, tmpName: string, finalName: string, job: Job, threads: number): Promise<string> {
  const n = native();
  const tmpPath = join(dir, tmpName);
  const finalPath = join(dir, finalName);
  const jobs = callNative((b) => b.volumeEncodeJobCount(job.rowCount, job.kinds, job.columns));
  const results = Buffer.alloc(jobs * RESULT_BYTES);
  const record = (k: number, field: number): number => Number(results.readBigUInt64LE(k * RESULT_BYTES + field * 8));
  const groups = groupCount(job.rowCount);
  const indexBytes = (jobs - 1) * n.VOLUME_BLOCK_INDEX_ENTRY_BYTES;
  // Chunk ends (exclusive job numbers): the metadata + column 0, then a column each.
  const ends = groups === 0 ? [jobs] : job.kinds.length === 0 ? [1] : Array.from(job.kinds, (_, c) => 1 + (c + 1) * groups);
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | (constants.O_NOFOLLOW ?? 0);
  // Writes and background flushes in flight; they never reject (the first failure is kept
  // in `failure` and thrown at the next step), so none can go unhandled.
  const inFlight: Promise<void>[] = [];
  let failure: { error: unknown } | undefined;
  const track = (work: Promise<unknown>): void => {
    inFlight.push(work.then(() => undefined, (error: unknown) => void (failure ??= { error })));
  };
  const check = (): void => {
    if (failure !== undefined) throw failure.error;
  };
  const settle = async (): Promise<void> => {
    // Work started while waiting (a flush after a write) is waited for too.
    for (let k = 0; k < inFlight.length; k += 1) await inFlight[k];
  };
  let syncing = false;
  let handle: FileHandle | undefined;
  try {
    handle = await open(tmpPath, flags, 0o644);
    const file = handle;
    let position = 0;
    let metaEnd = 0;
    let first = 0;
    for (const end of ends) {
      await callNativeAsync((b) => b.volumeEncodeJobsAsync(job.rowCount, job.kinds, job.columns, job.metadata, job.compress, threads, job.out, first, end - first, results));
      check();
      if (first === 0) {
        // The compressed metadata goes out now, with the first column: only the header and
        // the block index (known last) are left for the end, so the final fsync has little
        // to flush.
        metaEnd = n.VOLUME_HEADER_BYTES + record(0, 2);
        position = metaEnd + indexBytes;
        track(writeAll(file, [job.out.subarray(n.VOLUME_HEADER_BYTES, metaEnd)], n.VOLUME_HEADER_BYTES));
      }
      const pieces: Uint8Array[] = [];
      const at = position;
      for (let k = Math.max(1, first); k < end; k += 1) {
        const start = record(k, 0);
        const written = record(k, 2);
        pieces.push(job.out.subarray(start, start + written));
        position += written;
      }
      track(
        writeAll(file, pieces, at).then(() => {
          if (syncing) return;
          syncing = true;
          track(file.datasync().finally(() => (syncing = false)));
        }),
      );
      first = end;
    }
    const count = callNative((b) => b.volumeEncodeFinish(job.rowCount, job.kinds, job.columns, job.metadata.length, job.compress, job.out, results, piecesBuffer(job)));
    const last = job.pieces[2 * (count - 1)]! + job.pieces[2 * (count - 1) + 1]!;
    track(writeAll(file, [job.out.subarray(0, n.VOLUME_HEADER_BYTES)], 0));
    track(writeAll(file, [job.out.subarray(metaEnd, job.pieces[1]!)], metaEnd));
    track(writeAll(file, [job.out.subarray(last - n.VOLUME_CRC_BYTES, last)], position));
    await settle();
    check();
    await file.sync();
    await file.close();
    handle = undefined;
    await rename(tmpPath, finalPath);
  } catch (error) {
    await settle();
    await handle?.close().catch(() => undefined);
    await unlink(tmpPath).catch(() => undefined);
    throw isPermafrostError(error) ? error : ioError(`cannot write ${finalPath}`, error, finalPath);
  }
  await fsyncDirectory(dir);
  return finalPath;
}

const RESULT_BYTES = 32;

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
    try {
      await mkdir(dir, { recursive: true });
    } catch (error) {
      throw ioError(`cannot create volume directory ${dir}`, error, dir);
    }
    return await streamVolume(dir, `${name}.tmp`, name, job, threadsOf(options));
  } finally {
    releaseScratch(job.out);
    releaseScratch(job.metadata);
  }
}
