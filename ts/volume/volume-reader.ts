// tidy: long file — VolumeReader is one class (both block sources, per-group and bulk
// decoding, typed accessors) whose state is private to it; splitting it would expose that state.
/**
 * Reads an STV4 volume (spec §5.2, §5.8). Two ways to hold the blocks (`blocks` option):
 *
 * - `'in-memory'` (default): `open` reads the file into one (pooled) buffer — the header
 *   and metadata first, then the rest while one native task inflates the metadata and
 *   checksums what was read, side by side (two threads); the CRC then continues over the
 *   rest. Groups are decoded from that buffer the first time they are touched, straight
 *   into the column's typed arrays (one native call per block), or all at once with
 *   `loadAll()` (one native call for every column, on both cores) or into the caller's
 *   arrays with `loadInto()`.
 * - `'on-demand'`: `open` streams the file once through a fixed 4 MiB double buffer to
 *   verify the CRC, and keeps only the header, the metadata and the block index, and the
 *   file open. A group is read with one positioned read of its block and decoded into
 *   arrays of that group's size, so reading one group costs the same — time and memory —
 *   whatever the size of the file. Whole-column views read the column's blocks with one
 *   positioned read. `close()` releases the file. Opened with `loadAll` or `loadInto`
 *   (every block decoded while opening anyway), the file is instead read once into a
 *   pooled buffer, checked and decoded as in memory, and the buffer given back before
 *   `open` resolves.
 *
 * In both modes every structural problem is found and every length is checked against
 * what remains before anything is allocated; the CRC is verified before `open` resolves
 * (ERR_CHECKSUM naming the file), after the structural checks, as before.
 *
 * `close()` (idempotent, also `[Symbol.asyncDispose]`) releases the buffers and the file;
 * later calls throw ERR_CLOSED.
 */
import { constants as bufferConstants } from 'node:buffer';
import { read as fsRead, readSync as fsReadSync } from 'node:fs';
import { open as openFile, type FileHandle } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { ByteReader } from '../codec/byte-reader';
import { DataType } from '../codec/data-type';
import { FloatBits, Timestamp, type Value } from '../codec/values';
import { crc32 } from '../checksum';
import { PermafrostError, ioError, isPermafrostError } from '../errors';
import { lz4Decompress } from '../lz4';
import { callNative, callNativeAsync, native } from '../native';
import { columnKinds, valueBytes } from './column-kind';
import type { ColumnStats } from './column-stats';
import { decodeHeader, groupCount, groupRowCount, rowGroupRows, type VolumeHeader } from './volume-format';
import { decodeVolumeMetadata, type ColumnMeta, type VolumeMetadata } from './volume-metadata';
import { releaseScratch, takeScratch } from './scratch-pool';
import { extensionValue, nullOf } from './volume-value';
import type { RowGroup, ZoneMap } from './zone-map';

/** A column decoded into arrays the caller owns (`loadInto`). */
export interface LoadTarget {
  readonly column: number;
  readonly nulls: Uint8Array;
  readonly values: BigInt64Array | Float64Array | Uint8Array | Uint32Array;
}

/** The array type `loadInto` needs for a kind, or undefined for BYTES. */
function arrayTypeOf(kind: number): typeof BigInt64Array | typeof Float64Array | typeof Uint8Array | typeof Uint32Array | undefined {
  const k = columnKinds();
  return kind === k.INT64 || kind === k.TIMESTAMP ? BigInt64Array : kind === k.FLOAT64 ? Float64Array : kind === k.BOOLEAN ? Uint8Array : kind === k.DICTIONARY ? Uint32Array : undefined;
}

/** Why `targets` do not fit columns of these kinds and `rowCount` rows (`loadInto`'s rules), or undefined. */
function loadTargetProblem(targets: readonly LoadTarget[], kindOf: (column: number) => number | undefined, nameOf: (column: number) => string, rowCount: number): string | undefined {
  for (const t of targets) {
    const kind = kindOf(t.column);
    if (kind === undefined) return `no column ${t.column}`;
    const type = arrayTypeOf(kind);
    if (type === undefined) return `column ${t.column} (${nameOf(t.column)}) is a BYTES column`;
    if (!(t.values instanceof type) || t.values.length !== rowCount || !(t.nulls instanceof Uint8Array) || t.nulls.length !== rowCount) {
      return `column ${t.column} (${nameOf(t.column)}) needs nulls: Uint8Array and values: ${type.name} of ${rowCount} elements`;
    }
  }
  const buffers = targets.flatMap((t) => [t.nulls.buffer, t.values.buffer]);
  // Disjoint views of one buffer would be fine, but overlapping ones are not: keep it simple.
  if (new Set(buffers).size !== buffers.length) return 'every target array needs a buffer of its own';
  return undefined;
}

/** Positioned reads on an open file descriptor (node:fs by default). */
export interface VolumeFileReader {
  read(fd: number, buffer: Uint8Array, offset: number, length: number, position: number): Promise<number>;
  readSync(fd: number, buffer: Uint8Array, offset: number, length: number, position: number): number;
}

export interface VolumeReadOptions {
  /** Largest decompressed metadata accepted. @default VOLUME_METADATA_BYTES_MAX (1 GiB) */
  readonly metadataBytesMax?: number;
  /**
   * Where the blocks are read from after `open` (see the module comment).
   * @default 'in-memory', or 'on-demand' for a file larger than one Buffer can hold
   */
  readonly blocks?: 'in-memory' | 'on-demand';
  /** Decode every column while opening, as `loadAll()` would (a full scan). @default false */
  readonly loadAll?: boolean;
  /**
   * Decode these columns into the caller's arrays while opening, as `loadInto()` would
   * (same rules); in memory the decoding starts beside the metadata's inflation. The
   * arrays must not be touched until `open` settles.
   */
  readonly loadInto?: readonly LoadTarget[];
  /** Threads for the open-time work and `loadAll`. @default min(available parallelism, 8) */
  readonly concurrency?: number;
  /** The positioned reads used on the file (instrumentation, tests). @default node:fs read / readSync */
  readonly fileReader?: VolumeFileReader;
}

const nodeFileReader: VolumeFileReader = {
  read: (fd, buffer, offset, length, position) =>
    new Promise((resolve, reject) => {
      fsRead(fd, buffer, offset, length, position, (error, bytesRead) => (error ? reject(error) : resolve(bytesRead)));
    }),
  readSync: (fd, buffer, offset, length, position) => fsReadSync(fd, buffer, offset, length, position),
};

/** Largest single read (Node caps a read at 2 GiB - 1). */
const READ_BYTES_MAX = 1 << 30;
/** The on-demand open streams the blocks through two buffers of this size. */
const STREAM_BYTES = 4 << 20;

/** An open volume file read at positions, completing short reads. */
class VolumeFile {
  constructor(
    readonly handle: FileHandle,
    readonly size: number,
    readonly io: VolumeFileReader,
  ) {}

  async readAt(into: Uint8Array, position: number): Promise<void> {
    for (let done = 0; done < into.length; ) {
      const bytesRead = await this.io.read(this.handle.fd, into, done, Math.min(into.length - done, READ_BYTES_MAX), position + done);
      if (bytesRead === 0) throw new PermafrostError('ERR_TRUNCATED', 'file shrank while being read', { offset: position + done });
      done += bytesRead;
    }
  }

  readAtSync(into: Uint8Array, position: number): void {
    for (let done = 0; done < into.length; ) {
      const bytesRead = this.io.readSync(this.handle.fd, into, done, Math.min(into.length - done, READ_BYTES_MAX), position + done);
      if (bytesRead === 0) throw new PermafrostError('ERR_TRUNCATED', 'file shrank while being read', { offset: position + done });
      done += bytesRead;
    }
  }
}

/** Everything `open` keeps besides the blocks themselves. */
interface Layout {
  readonly metadata: VolumeMetadata;
  readonly index: Uint8Array;
  /** File offset of the first block. */
  readonly blocksAt: number;
  readonly blocksLength: number;
  /** Per block (column-major): offset from `blocksAt`, stored and decompressed sizes. */
  readonly offsets: Float64Array;
  readonly stored: Float64Array;
  readonly raw: Float64Array;
}

/** Decoded rows of a column: the whole column (`base` 0) or one group. */
interface Rows {
  readonly base: number;
  readonly nulls: Uint8Array;
  readonly values: BigInt64Array | Float64Array | Uint8Array | Uint32Array | undefined;
  readonly payloads: Uint8Array[] | undefined;
}

/** A column's decoded state: whole-column arrays (with per-group flags) and/or single groups. */
interface ColumnState {
  whole: (Rows & { readonly loaded: Uint8Array }) | undefined;
  readonly groups: Map<number, Rows>;
}

const CANONICAL_NAN_BITS = 0x7ff8000000000000n;

function threadsOf(options: VolumeReadOptions): number {
  return Math.max(1, Math.floor(options.concurrency ?? Math.min(availableParallelism(), 8)));
}

function truncatedBefore(what: string, length: number, position: number, end: number): PermafrostError {
  return new PermafrostError('ERR_TRUNCATED', `${what} needs ${length} bytes; only ${Math.max(0, end - position)} remain before the CRC`, { offset: position });
}

/** The decompressed size the metadata's LZ4+size prefix declares, checked against the cap. */
function metadataLength(wrapped: Uint8Array, options: VolumeReadOptions): number {
  const n = native();
  const cap = Math.min(options.metadataBytesMax ?? n.VOLUME_METADATA_BYTES_MAX, n.VOLUME_METADATA_BYTES_MAX);
  return callNative((b) => b.lz4SizePrependedLength(wrapped, Math.max(0, Math.floor(cap))));
}

/** Parses decompressed metadata; errors name the offset within it. */
function parseMetadata(raw: Uint8Array): VolumeMetadata {
  try {
    return decodeVolumeMetadata(raw);
  } catch (error) {
    if (!isPermafrostError(error)) throw error;
    throw new PermafrostError(error.code, `metadata: ${error.what}${error.offset === undefined ? '' : ` (offset ${error.offset} of the decompressed metadata)`}`, { cause: error });
  }
}

/**
 * Inflates the metadata (native, off the event loop, with the CRC of `covered` computed
 * side by side). Errors are located as the streaming reader located them.
 */
async function inflateMetadataBytes(wrapped: Uint8Array, covered: Uint8Array, metaAt: number, file: string | undefined, options: VolumeReadOptions): Promise<{ raw: Buffer; crc: number }> {
  const prefix = native().LZ4_SIZE_PREFIX_BYTES;
  try {
    const raw = Buffer.allocUnsafe(metadataLength(wrapped, options));
    try {
      const crc = await callNativeAsync((b) => b.volumeCrcAndMetadataAsync(covered, wrapped.subarray(prefix), raw, Math.min(2, threadsOf(options))));
      return { raw, crc };
    } catch (error) {
      throw isPermafrostError(error) ? error.locate(undefined, prefix) : error;
    }
  } catch (error) {
    throw locateMetadataError(error, file, metaAt);
  }
}

function locateMetadataError(error: unknown, file: string | undefined, metaAt: number): unknown {
  return isPermafrostError(error) && error.offset !== undefined ? error.locate(file, metaAt) : error;
}

/** `inflateMetadataBytes`, then the metadata parsed. */
async function inflateMetadata(wrapped: Uint8Array, covered: Uint8Array, metaAt: number, file: string | undefined, options: VolumeReadOptions): Promise<{ metadata: VolumeMetadata; crc: number }> {
  const { raw, crc } = await inflateMetadataBytes(wrapped, covered, metaAt, file, options);
  try {
    return { metadata: parseMetadata(raw), crc };
  } catch (error) {
    throw locateMetadataError(error, file, metaAt);
  }
}

/** Checks the metadata against the header; returns the size of the block index. */
function checkCounts(header: VolumeHeader, metadata: VolumeMetadata): number {
  if (metadata.columns.length !== header.columnCount) {
    throw new PermafrostError('ERR_CORRUPT', `header says ${header.columnCount} columns, metadata says ${metadata.columns.length}`, { offset: 8 });
  }
  const groups = groupCount(metadata.rowCount);
  if (header.groupCount !== groups) {
    throw new PermafrostError('ERR_CORRUPT', `header says ${header.groupCount} row groups; ${metadata.rowCount} rows make ${groups}`, { offset: 12 });
  }
  return metadata.columns.length * groups * native().VOLUME_BLOCK_INDEX_ENTRY_BYTES;
}

/** Checks the block index against the metadata and the bytes that remain; returns the layout. */
function checkLayout(metadata: VolumeMetadata, index: Uint8Array, indexAt: number, available: number, file: string | undefined): Layout {
  const groups = groupCount(metadata.rowCount);
  const kinds = Uint8Array.from(metadata.columns, (c) => c.kind);
  let total: number;
  try {
    total = callNative((b) => b.volumeCheckBlockIndex(index, kinds, metadata.rowCount, available));
  } catch (error) {
    throw isPermafrostError(error) ? error.locate(file, indexAt) : error;
  }
  const blocksAt = indexAt + index.length;
  if (total !== available) {
    throw new PermafrostError('ERR_CORRUPT', `blocks take ${total} bytes but ${available} bytes precede the CRC`, { offset: blocksAt });
  }
  const count = metadata.columns.length * groups;
  const offsets = new Float64Array(count);
  const stored = new Float64Array(count);
  const raw = new Float64Array(count);
  const view = new DataView(index.buffer, index.byteOffset, index.byteLength);
  let at = 0;
  for (let k = 0; k < count; k += 1) {
    offsets[k] = at;
    stored[k] = Number(view.getBigUint64(k * 16, true));
    raw[k] = Number(view.getBigUint64(k * 16 + 8, true));
    at += stored[k]!;
  }
  return { metadata, index, blocksAt, blocksLength: total, offsets, stored, raw };
}

function checksumError(stored: number, computed: number, position: number): PermafrostError {
  return new PermafrostError('ERR_CHECKSUM', `volume CRC32 is 0x${stored.toString(16).padStart(8, '0')}; the bytes give 0x${computed.toString(16).padStart(8, '0')}`, { offset: position });
}

/**
 * A volume's bytes as they arrive: `[0, ready)` is in `bytes` already, the rest is being
 * read (`tail`). `open` reads the header and the metadata first, so the metadata inflates
 * while the blocks are still being read.
 */
interface Arriving {
  readonly ready: number;
  readonly tail: Promise<void>;
}

const ARRIVED: Arriving = { ready: Number.POSITIVE_INFINITY, tail: Promise.resolve() };

/** Reads `source` into `bytes`: header and metadata awaited, the rest left in flight. */
async function readArriving(source: VolumeFile, bytes: Buffer): Promise<Arriving> {
  const n = native();
  const HEADER = n.VOLUME_HEADER_BYTES;
  const whole = async (): Promise<Arriving> => {
    await source.readAt(bytes, 0);
    return ARRIVED;
  };
  if (bytes.length < HEADER + n.VOLUME_CRC_BYTES) return whole();
  await source.readAt(bytes.subarray(0, HEADER), 0);
  const metaEnd = HEADER + bytes.readUInt32LE(16);
  if (metaEnd > bytes.length - n.VOLUME_CRC_BYTES) {
    await source.readAt(bytes.subarray(HEADER), HEADER);
    return ARRIVED;
  }
  const tail = source.readAt(bytes.subarray(metaEnd), metaEnd);
  tail.catch(() => undefined); // awaited later; never unhandled meanwhile
  try {
    await source.readAt(bytes.subarray(HEADER, metaEnd), HEADER);
  } catch (error) {
    await tail.catch(() => undefined);
    throw error;
  }
  return { ready: metaEnd, tail };
}

/** Columns decoded while the metadata was still inflating (`open` with `loadAll` or `loadInto`). */
interface EarlyColumns {
  readonly rowCount: number;
  readonly targets: readonly (LoadTarget & { readonly kind: number; readonly dictSize: number })[];
}

/** Whole-column arrays for `rows` rows of a fixed-width kind, uninitialized (they are overwritten whole). */
function uninitializedColumn(kind: number, rows: number): { nulls: Uint8Array; values: BigInt64Array | Float64Array | Uint8Array | Uint32Array } | undefined {
  const k = columnKinds();
  const width = valueBytes(kind as never);
  if (width === undefined) return undefined;
  const bytes = Buffer.allocUnsafeSlow(rows * width).buffer;
  const values = kind === k.FLOAT64 ? new Float64Array(bytes) : width === 8 ? new BigInt64Array(bytes) : width === 4 ? new Uint32Array(bytes) : new Uint8Array(bytes);
  return { nulls: new Uint8Array(Buffer.allocUnsafeSlow(rows).buffer), values };
}

/**
 * Starts decoding every fixed-width column of an arriving in-memory volume before its
 * metadata is inflated, so the column blocks decode on both cores beside the metadata's
 * one (sequential) LZ4 block. What it needs comes from the header, the first bytes of the
 * metadata (row count and column directory, inflated on their own: `volumeLz4Prefix`) and
 * the block index, which it checks as `open` will (`volumeCheckBlockIndex`) before
 * allocating anything. It never rejects: on anything unexpected it resolves to undefined
 * and `loadAll` decodes the ordinary way after `open`'s checks, reporting errors as ever.
 * Its arrays are adopted only after those checks, the CRC and a comparison with the
 * parsed metadata (`VolumeReader.#adopt`).
 */
async function decodeEarly(bytes: Buffer, arriving: Arriving, threads: number, into: readonly LoadTarget[] | undefined): Promise<EarlyColumns | undefined> {
  try {
    const n = native();
    const HEADER = n.VOLUME_HEADER_BYTES;
    const prefix = n.LZ4_SIZE_PREFIX_BYTES;
    const end = bytes.length - n.VOLUME_CRC_BYTES;
    if (end < HEADER) return undefined;
    const header = decodeHeader(bytes.subarray(0, HEADER));
    const metaEnd = HEADER + header.metadataBytes;
    const columns = header.columnCount;
    const groups = header.groupCount;
    if (header.metadataBytes <= prefix || metaEnd > Math.min(end, arriving.ready) || columns === 0 || groups === 0) return undefined;
    const indexLength = columns * groups * n.VOLUME_BLOCK_INDEX_ENTRY_BYTES;
    if (indexLength > end - metaEnd) return undefined;
    // Row count (u64), column count (u32), then per column u8 kind, u8 flags, u32 extra.
    const directory = Buffer.allocUnsafe(12 + 6 * columns);
    if (n.volumeLz4Prefix(bytes.subarray(HEADER + prefix, metaEnd), directory) !== directory.length) return undefined;
    const rowCount = Number(directory.readBigUInt64LE(0));
    if (directory.readUInt32LE(8) !== columns || rowCount > 0xffff_ffff || groupCount(rowCount) !== groups) return undefined;
    const kinds = Uint8Array.from({ length: columns }, (_, c) => directory[12 + 6 * c]!);
    const index = bytes.subarray(metaEnd, metaEnd + indexLength);
    if (n.volumeCheckBlockIndex(index, kinds, rowCount, end - metaEnd - indexLength) !== end - metaEnd - indexLength) return undefined;
    const dictSize = (c: number): number => (kinds[c] === columnKinds().DICTIONARY ? directory.readUInt32LE(12 + 6 * c + 2) : 0);
    let targets: EarlyColumns['targets'][number][];
    if (into !== undefined) {
      const kindOf = (c: number): number | undefined => (Number.isInteger(c) && c >= 0 && c < columns ? kinds[c] : undefined);
      if (loadTargetProblem(into, kindOf, String, rowCount) !== undefined) return undefined;
      targets = into.map((t) => ({ ...t, kind: kinds[t.column]!, dictSize: dictSize(t.column) }));
      await arriving.tail;
    } else {
      await arriving.tail;
      targets = [];
      for (let c = 0; c < columns; c += 1) {
        const arrays = uninitializedColumn(kinds[c]!, rowCount);
        if (arrays !== undefined) targets.push({ column: c, kind: kinds[c]!, dictSize: dictSize(c), ...arrays });
      }
    }
    if (targets.length === 0) return undefined;
    await n.volumeDecodeColumnsAsync(
      bytes.subarray(metaEnd + indexLength, end),
      0,
      index,
      rowCount,
      groups,
      targets.map((t) => t.column),
      Uint8Array.from(targets, (t) => t.kind),
      targets.map((t) => t.dictSize),
      targets.flatMap((t) => [Buffer.from(t.nulls.buffer, t.nulls.byteOffset, t.nulls.byteLength), Buffer.from(t.values.buffer, t.values.byteOffset, t.values.byteLength)]),
      threads,
    );
    return { rowCount, targets };
  } catch {
    return undefined;
  }
}

/**
 * Parses a volume held in memory (the in-memory mode and `fromBytes`), possibly still
 * arriving: the metadata inflates (and its bytes are checksummed) while the rest is read;
 * the CRC then continues over the rest. The checks and their order are those of the
 * streaming reader. No native task is left reading `bytes` when this settles.
 */
async function parseBytes(bytes: Uint8Array, file: string | undefined, options: VolumeReadOptions, arriving: Arriving = ARRIVED): Promise<Layout> {
  const n = native();
  const HEADER = n.VOLUME_HEADER_BYTES;
  const CRC = n.VOLUME_CRC_BYTES;
  if (bytes.length < HEADER + CRC) {
    throw new PermafrostError('ERR_TRUNCATED', `a volume has at least ${HEADER + CRC} bytes; this one has ${bytes.length}`, { offset: bytes.length });
  }
  const end = bytes.length - CRC;
  const header = decodeHeader(bytes.subarray(0, HEADER));
  if (header.metadataBytes > end - HEADER) throw truncatedBefore('metadata', header.metadataBytes, HEADER, end);
  const metaEnd = HEADER + header.metadataBytes;
  const ready = Math.min(arriving.ready, end);
  const inflation = inflateMetadataBytes(bytes.subarray(HEADER, metaEnd), bytes.subarray(0, ready), HEADER, file, options);
  inflation.catch(() => undefined); // awaited below; never unhandled meanwhile
  try {
    await arriving.tail;
    const { raw, crc: covered } = await inflation;
    let metadata: VolumeMetadata;
    try {
      metadata = parseMetadata(raw);
    } catch (error) {
      throw locateMetadataError(error, file, HEADER);
    }
    const crc = ready < end ? crc32(bytes.subarray(ready, end), covered) : covered;
    const indexLength = checkCounts(header, metadata);
    if (indexLength > end - metaEnd) throw truncatedBefore('block index', indexLength, metaEnd, end);
    const layout = checkLayout(metadata, bytes.subarray(metaEnd, metaEnd + indexLength), metaEnd, end - metaEnd - indexLength, file);
    const stored = new DataView(bytes.buffer, bytes.byteOffset + end, CRC).getUint32(0, true);
    if (stored !== crc) throw checksumError(stored, crc, end);
    return layout;
  } finally {
    await inflation.catch(() => undefined);
  }
}

/** Parses a volume file through positioned reads, keeping no block (the on-demand mode). */
async function parseFile(source: VolumeFile, file: string, options: VolumeReadOptions): Promise<Layout> {
  const n = native();
  const HEADER = n.VOLUME_HEADER_BYTES;
  const CRC = n.VOLUME_CRC_BYTES;
  if (source.size < HEADER + CRC) {
    throw new PermafrostError('ERR_TRUNCATED', `a volume has at least ${HEADER + CRC} bytes; this one has ${source.size}`, { offset: source.size });
  }
  const end = source.size - CRC;
  const head = Buffer.allocUnsafe(HEADER);
  await source.readAt(head, 0);
  const header = decodeHeader(head);
  if (header.metadataBytes > end - HEADER) throw truncatedBefore('metadata', header.metadataBytes, HEADER, end);
  const metaEnd = HEADER + header.metadataBytes;
  const front = takeScratch(metaEnd);
  let inflated: { metadata: VolumeMetadata; crc: number };
  try {
    head.copy(front);
    await source.readAt(front.subarray(HEADER), HEADER);
    inflated = await inflateMetadata(front.subarray(HEADER), front, HEADER, file, options);
  } finally {
    releaseScratch(front);
  }
  const { metadata, crc: frontCrc } = inflated;
  const indexLength = checkCounts(header, metadata);
  if (indexLength > end - metaEnd) throw truncatedBefore('block index', indexLength, metaEnd, end);
  const index = Buffer.allocUnsafe(indexLength);
  await source.readAt(index, metaEnd);
  const layout = checkLayout(metadata, index, metaEnd, end - metaEnd - indexLength, file);
  // Stream the blocks through two fixed buffers: one is read while the other is checksummed.
  let crc = crc32(index, frontCrc);
  const total = end - layout.blocksAt;
  const pieces = Math.ceil(total / STREAM_BYTES);
  const buffers = [takeScratch(Math.min(STREAM_BYTES, total)), takeScratch(Math.min(STREAM_BYTES, total))];
  const readPiece = (i: number): Promise<Buffer> => {
    const at = i * STREAM_BYTES;
    const buffer = buffers[i % 2]!.subarray(0, Math.min(STREAM_BYTES, total - at));
    return source.readAt(buffer, layout.blocksAt + at).then(() => buffer);
  };
  let pending = pieces > 0 ? readPiece(0) : undefined;
  try {
    for (let i = 0; i < pieces; i += 1) {
      const piece = await pending!;
      pending = i + 1 < pieces ? readPiece(i + 1) : undefined;
      crc = crc32(piece, crc);
    }
  } finally {
    // A failed read leaves the other one in flight: wait for it before reusing the buffers.
    await pending?.catch(() => undefined);
    buffers.forEach(releaseScratch);
  }
  const trailer = Buffer.allocUnsafe(CRC);
  await source.readAt(trailer, end);
  const stored = trailer.readUInt32LE(0);
  if (stored !== crc) throw checksumError(stored, crc, end);
  return layout;
}

/** Wraps a failure of `open` so it names the file and has a code. */
function openError(error: unknown, path: string): PermafrostError {
  if (isPermafrostError(error)) return error.file === undefined ? error.locate(path) : error;
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new PermafrostError('ERR_NOT_FOUND', `no volume file ${path}`, { file: path, cause: error });
  return ioError(`cannot read volume ${path}`, error, path);
}

export class VolumeReader implements AsyncDisposable {
  readonly file: string | undefined;
  readonly #metadata: VolumeMetadata;
  readonly #layout: Layout;
  /** In-memory mode: the block region. */
  #blocks: Uint8Array | undefined;
  /** In-memory mode from `open`: the file bytes, pooled, given back at `close` when idle. */
  #owned: Buffer | undefined;
  /** Native tasks reading `#blocks` right now. */
  #inFlight = 0;
  /** On-demand mode: the open file. */
  #source: VolumeFile | undefined;
  #closed = false;
  readonly #threads: number;
  readonly #columns: ColumnState[];
  readonly #names = new Map<string, number>();
  /** On-demand mode: reused read buffer for single blocks. */
  #readBuffer: Buffer | undefined;

  private constructor(file: string | undefined, layout: Layout, blocks: Uint8Array | undefined, source: VolumeFile | undefined, options: VolumeReadOptions) {
    this.file = file;
    this.#layout = layout;
    this.#metadata = layout.metadata;
    this.#blocks = blocks;
    this.#source = source;
    this.#threads = threadsOf(options);
    this.#columns = layout.metadata.columns.map(() => ({ whole: undefined, groups: new Map<number, Rows>() }));
    layout.metadata.columns.forEach((column, index) => {
      this.#names.set(column.name, index);
      if (!this.#names.has(column.name.toLowerCase())) this.#names.set(column.name.toLowerCase(), index);
    });
  }

  /**
   * Opens and verifies a volume file. The CRC is checked before it resolves; with
   * `blocks: 'on-demand'` the file stays open until `close()`.
   */
  static async open(path: string, options: VolumeReadOptions = {}): Promise<VolumeReader> {
    let handle: FileHandle | undefined;
    try {
      handle = await openFile(path, 'r');
      const { size } = await handle.stat();
      const source = new VolumeFile(handle, size, options.fileReader ?? nodeFileReader);
      // A file too big for one Buffer is read on demand unless in memory was asked for.
      const onDemand = options.blocks === 'on-demand' || (options.blocks === undefined && size > bufferConstants.MAX_LENGTH);
      if (!onDemand && options.blocks !== undefined && options.blocks !== 'in-memory') {
        throw new PermafrostError('ERR_INVALID_ARGUMENT', `blocks must be 'in-memory' or 'on-demand', got ${String(options.blocks)}`);
      }
      const into = options.loadInto;
      const loading = into !== undefined || options.loadAll === true;
      if (onDemand && (!loading || size > bufferConstants.MAX_LENGTH)) {
        const layout = await parseFile(source, path, options);
        const reader = new VolumeReader(path, layout, undefined, source, options);
        if (into !== undefined) await reader.loadInto(into);
        if (options.loadAll === true) await reader.loadAll();
        handle = undefined; // the reader owns it now
        return reader;
      }
      // In memory — and on demand when every block is decoded while opening anyway: the
      // file is read once (not streamed for its CRC, then read again for the blocks), and
      // the bytes are given back before `open` resolves.
      const bytes = takeScratch(size);
      let arriving: Arriving | undefined;
      let early: Promise<EarlyColumns | undefined> | undefined;
      try {
        arriving = await readArriving(source, bytes);
        // A full scan starts decoding the columns now, beside the metadata's inflation.
        if (loading) early = decodeEarly(bytes, arriving, threadsOf(options), into);
        const layout = await parseBytes(bytes, path, options, arriving);
        const reader = new VolumeReader(path, layout, bytes.subarray(layout.blocksAt, layout.blocksAt + layout.blocksLength), onDemand ? source : undefined, options);
        const decoded = reader.#agrees(await early) ? await early : undefined;
        early = undefined;
        if (into === undefined) reader.#adopt(decoded);
        else if (decoded === undefined) await reader.loadInto(into);
        if (options.loadAll === true) await reader.loadAll();
        if (onDemand) {
          reader.#blocks = undefined; // from now on blocks are read from the file
          releaseScratch(bytes);
          handle = undefined; // the reader owns it now
        } else {
          reader.#owned = bytes;
        }
        return reader;
      } catch (error) {
        await arriving?.tail.catch(() => undefined); // nothing may still be reading into it
        await early; // nor decoding from it (never rejects)
        releaseScratch(bytes);
        throw error;
      }
    } catch (error) {
      throw openError(error, path);
    } finally {
      await handle?.close();
    }
  }

  /** Reads a volume from bytes in memory (same checks as `open`; the bytes are not copied). */
  static async fromBytes(bytes: Uint8Array, file?: string, options: VolumeReadOptions = {}): Promise<VolumeReader> {
    try {
      const layout = await parseBytes(bytes, file, options);
      return new VolumeReader(file, layout, bytes.subarray(layout.blocksAt, layout.blocksAt + layout.blocksLength), undefined, options);
    } catch (error) {
      throw isPermafrostError(error) && file !== undefined && error.file === undefined ? error.locate(file) : error;
    }
  }

  #open(): void {
    if (this.#closed) throw new PermafrostError('ERR_CLOSED', `volume reader${this.file ? ` of ${this.file}` : ''} is closed`);
  }

  /** How the blocks are held: read into memory at open, or read from the file when needed. */
  get blockSource(): 'in-memory' | 'on-demand' {
    return this.#source === undefined ? 'in-memory' : 'on-demand';
  }

  get metadata(): VolumeMetadata {
    this.#open();
    return this.#metadata;
  }

  get rowCount(): number {
    return this.#metadata.rowCount;
  }

  get columnCount(): number {
    return this.#metadata.columns.length;
  }

  get columns(): readonly ColumnMeta[] {
    return this.#metadata.columns;
  }

  get rowIds(): BigInt64Array {
    return this.metadata.rowIds;
  }

  get rowGroups(): readonly RowGroup[] {
    return this.metadata.rowGroups;
  }

  /** Number of 65,536-row groups (blocks per column). */
  get groupCount(): number {
    return groupCount(this.#metadata.rowCount);
  }

  /** Column index by name (original or lower case), or undefined. */
  columnIndex(name: string): number | undefined {
    return this.#names.get(name) ?? this.#names.get(name.toLowerCase());
  }

  zoneMap(column: number): ZoneMap {
    return this.metadata.zoneMaps[this.#column(column)]!;
  }

  stats(column: number): ColumnStats {
    return this.metadata.stats.columns[this.#column(column)]!;
  }

  isSorted(column: number): boolean {
    return this.metadata.columns[this.#column(column)]!.sorted;
  }

  /** False only when `value` is certainly not in the column (bloom filter). */
  mightContain(column: number, value: Value): boolean {
    return this.metadata.blooms[this.#column(column)]!.mightContain(value);
  }

  #column(column: number): number {
    if (!Number.isInteger(column) || column < 0 || column >= this.#metadata.columns.length) {
      throw new PermafrostError('ERR_INVALID_ARGUMENT', `no column ${column} (the volume has ${this.#metadata.columns.length})`);
    }
    return column;
  }

  #row(row: number): number {
    if (!Number.isInteger(row) || row < 0 || row >= this.#metadata.rowCount) {
      throw new PermafrostError('ERR_INVALID_ARGUMENT', `no row ${row} (the volume has ${this.#metadata.rowCount})`);
    }
    return row;
  }

  #group(group: number): number {
    if (!Number.isInteger(group) || group < 0 || group >= this.groupCount) {
      throw new PermafrostError('ERR_INVALID_ARGUMENT', `no group ${group} (the volume has ${this.groupCount})`);
    }
    return group;
  }

  /**
   * Arrays for `rows` rows of a column: zeroed, or — for arrays that are overwritten whole
   * before anyone sees them (`loadAll`) — uninitialized, which spares the allocator a
   * memset of recycled memory (~0.1 ms per MB here).
   */
  #allocate(column: number, rows: number, base: number, zeroed = true): Rows {
    const meta = this.#metadata.columns[column]!;
    const k = columnKinds();
    const bytes = (size: number): ArrayBuffer => (zeroed ? new ArrayBuffer(size) : Buffer.allocUnsafeSlow(size).buffer);
    const values =
      meta.kind === k.INT64 || meta.kind === k.TIMESTAMP
        ? new BigInt64Array(bytes(rows * 8))
        : meta.kind === k.FLOAT64
          ? new Float64Array(bytes(rows * 8))
          : meta.kind === k.BOOLEAN
            ? new Uint8Array(bytes(rows))
            : meta.kind === k.DICTIONARY
              ? new Uint32Array(bytes(rows * 4))
              : undefined;
    return { base, nulls: new Uint8Array(bytes(rows)), values, payloads: values === undefined ? new Array<Uint8Array>(rows) : undefined };
  }

  #whole(column: number): Rows & { readonly loaded: Uint8Array } {
    const state = this.#columns[column]!;
    state.whole ??= { ...this.#allocate(column, this.#metadata.rowCount, 0), loaded: new Uint8Array(this.groupCount) };
    return state.whole;
  }

  /**
   * The stored bytes of block (`column`, `group`): a view of memory, or one positioned read
   * into a reused buffer (decoding copies everything out of it).
   */
  #storedBlock(column: number, group: number): Uint8Array {
    const k = column * this.groupCount + group;
    const offset = this.#layout.offsets[k]!;
    const stored = this.#layout.stored[k]!;
    if (this.#blocks !== undefined) return this.#blocks.subarray(offset, offset + stored);
    const source = this.#source!;
    if (this.#readBuffer === undefined || this.#readBuffer.length < stored) this.#readBuffer = Buffer.allocUnsafe(stored);
    const into = this.#readBuffer.subarray(0, stored);
    source.readAtSync(into, this.#layout.blocksAt + offset);
    return into;
  }

  /** Decodes one stored block into `rows` (whose element 0 is row `rows.base`). */
  #decode(column: number, group: number, src: Uint8Array, rows: Rows): void {
    const meta = this.#metadata.columns[column]!;
    const count = groupRowCount(this.#metadata.rowCount, group);
    const start = group * rowGroupRows() - rows.base;
    const raw = this.#layout.raw[column * this.groupCount + group]!;
    try {
      if (rows.values !== undefined) {
        const width = valueBytes(meta.kind)!;
        const nulls = Buffer.from(rows.nulls.buffer, rows.nulls.byteOffset + start, count);
        const values = Buffer.from(rows.values.buffer, rows.values.byteOffset + start * width, count * width);
        callNative((b) => b.volumeDecodeFixedBlock(meta.kind, src, raw, meta.dictionary?.length ?? 0, nulls, values));
      } else {
        // Payloads are views of a block of their own, never of the file bytes or a reused buffer.
        const bytes = src.length === raw ? new Uint8Array(src) : lz4Decompress(src, raw, raw);
        this.#decodeBytes(rows, bytes, count, start);
      }
    } catch (error) {
      const located = isPermafrostError(error) ? error : new PermafrostError('ERR_INTERNAL', String(error), { cause: error });
      throw new PermafrostError(located.code, `block of column ${column}, group ${group}: ${located.what}`, { file: this.file, cause: error });
    }
  }

  #decodeBytes(target: Rows, raw: Uint8Array, rows: number, start: number): void {
    const r = new ByteReader(raw);
    const nulls = r.bytesView(rows, 'BYTES null flags');
    const count = r.u64('BYTES offset count');
    if (count !== BigInt(rows)) throw new PermafrostError('ERR_CORRUPT', `BYTES block has ${count} offsets for ${rows} rows`);
    r.requireElements(rows, 16, 'BYTES offsets');
    const pairs: [bigint, bigint][] = Array.from({ length: rows }, () => [r.u64('offset'), r.u64('length')]);
    const blobLength = r.u64('BYTES blob length');
    if (blobLength !== BigInt(r.remaining)) throw new PermafrostError('ERR_CORRUPT', `BYTES block declares a ${blobLength}-byte blob; ${r.remaining} bytes follow`);
    const blob = r.bytesView(r.remaining, 'BYTES blob');
    target.nulls.set(nulls, start);
    pairs.forEach(([offset, length], i) => {
      if (nulls[i] !== 0) {
        target.payloads![start + i] = new Uint8Array(0);
        return;
      }
      if (offset + length > blobLength) throw new PermafrostError('ERR_CORRUPT', `BYTES row ${i} (${offset}+${length}) lies outside the ${blobLength}-byte blob`);
      target.payloads![start + i] = blob.subarray(Number(offset), Number(offset + length));
    });
  }

  /** The decoded rows holding group `group` of `column` (decoded on first use). */
  #rows(column: number, group: number): Rows {
    this.#open();
    const state = this.#columns[column]!;
    if (state.whole === undefined && this.#source !== undefined) {
      let rows = state.groups.get(group);
      if (rows === undefined) {
        rows = this.#allocate(column, groupRowCount(this.#metadata.rowCount, group), group * rowGroupRows());
        this.#decode(column, group, this.#storedBlock(column, group), rows);
        state.groups.set(group, rows);
      }
      return rows;
    }
    const whole = this.#whole(column);
    if (whole.loaded[group] !== 1) {
      this.#decode(column, group, this.#storedBlock(column, group), whole);
      whole.loaded[group] = 1;
    }
    return whole;
  }

  #at(column: number, row: number): Rows {
    return this.#rows(this.#column(column), Math.floor(this.#row(row) / rowGroupRows()));
  }

  #expect(column: number, kinds: readonly number[], what: string): void {
    if (!kinds.includes(this.#metadata.columns[this.#column(column)]!.kind)) {
      throw new PermafrostError('ERR_INVALID_ARGUMENT', `column ${column} (${this.#metadata.columns[column]!.name}) has no ${what} values`);
    }
  }

  isNull(column: number, row: number): boolean {
    const rows = this.#at(column, row);
    return rows.nulls[row - rows.base] !== 0;
  }

  /** INT64 value, or TIMESTAMP nanoseconds (0 for NULL rows, as stored). */
  getI64(column: number, row: number): bigint {
    const k = columnKinds();
    this.#expect(column, [k.INT64, k.TIMESTAMP], 'i64');
    const rows = this.#at(column, row);
    return (rows.values as BigInt64Array)[row - rows.base]!;
  }

  getF64(column: number, row: number): number {
    this.#expect(column, [columnKinds().FLOAT64], 'f64');
    const rows = this.#at(column, row);
    return (rows.values as Float64Array)[row - rows.base]!;
  }

  getBool(column: number, row: number): boolean {
    this.#expect(column, [columnKinds().BOOLEAN], 'boolean');
    const rows = this.#at(column, row);
    return (rows.values as Uint8Array)[row - rows.base] !== 0;
  }

  /** The text of a DICTIONARY row ("" for NULL rows, whose id 0 is not checked). */
  getStr(column: number, row: number): string {
    this.#expect(column, [columnKinds().DICTIONARY], 'text');
    const rows = this.#at(column, row);
    const i = row - rows.base;
    if (rows.nulls[i] !== 0) return '';
    return this.#metadata.columns[column]!.dictionary![(rows.values as Uint32Array)[i]!]!;
  }

  /** The row's value as the JS value model maps it (typed NULL for NULL rows). */
  getValue(column: number, row: number): Value {
    const rows = this.#at(column, row);
    const i = row - rows.base;
    const meta = this.#metadata.columns[column]!;
    if (rows.nulls[i] !== 0) return nullOf(meta.kind === columnKinds().BYTES ? (meta.extType as DataType) : meta.dataType);
    const k = columnKinds();
    switch (meta.kind) {
      case k.INT64:
        return (rows.values as BigInt64Array)[i]!;
      case k.TIMESTAMP:
        return Timestamp.fromEpochNanos((rows.values as BigInt64Array)[i]!);
      case k.FLOAT64: {
        const value = (rows.values as Float64Array)[i]!;
        if (!Number.isNaN(value)) return value;
        const bits = new BigUint64Array(rows.values!.buffer, rows.values!.byteOffset + i * 8, 1)[0]!;
        return bits === CANONICAL_NAN_BITS ? value : new FloatBits(bits);
      }
      case k.BOOLEAN:
        return (rows.values as Uint8Array)[i] !== 0;
      case k.DICTIONARY:
        return meta.dictionary![(rows.values as Uint32Array)[i]!]!;
      default:
        return extensionValue(meta.extType as DataType, rows.payloads![i]!);
    }
  }

  /** Every column's value of one row. */
  getRow(row: number): Value[] {
    return this.#metadata.columns.map((_, column) => this.getValue(column, row));
  }

  /** The row id of row index `row`. */
  rowId(row: number): bigint {
    return this.metadata.rowIds[this.#row(row)]!;
  }

  /**
   * Decodes every group of a column into whole-column arrays (idempotent). On demand, the
   * column's blocks are read with one positioned read.
   */
  #loadAll(column: number): Rows {
    this.#open();
    const whole = this.#whole(this.#column(column));
    const missing = Array.from({ length: this.groupCount }, (_, g) => g).filter((g) => whole.loaded[g] !== 1);
    if (missing.length === 0) return whole;
    const region = this.#blocks !== undefined ? undefined : this.#readColumnSync(column);
    try {
      const first = this.#layout.offsets[column * this.groupCount]!;
      for (const g of missing) {
        const k = column * this.groupCount + g;
        const at = this.#layout.offsets[k]! - first;
        this.#decode(column, g, region === undefined ? this.#storedBlock(column, g) : region.subarray(at, at + this.#layout.stored[k]!), whole);
        whole.loaded[g] = 1;
      }
    } finally {
      if (region !== undefined) releaseScratch(region);
    }
    this.#columns[column]!.groups.clear();
    return whole;
  }

  /** The byte range [start, end) of the block region holding every block of `columns`. */
  #span(columns: readonly number[]): [number, number] {
    const groups = this.groupCount;
    let start = Infinity;
    let end = 0;
    for (const c of columns) {
      if (groups === 0) continue;
      start = Math.min(start, this.#layout.offsets[c * groups]!);
      const last = c * groups + groups - 1;
      end = Math.max(end, this.#layout.offsets[last]! + this.#layout.stored[last]!);
    }
    return start === Infinity ? [0, 0] : [start, end];
  }

  #readColumnSync(column: number): Buffer {
    const [start, end] = this.#span([column]);
    const region = takeScratch(end - start);
    try {
      this.#source!.readAtSync(region, this.#layout.blocksAt + start);
    } catch (error) {
      releaseScratch(region);
      throw error;
    }
    return region;
  }

  /**
   * Decodes every group of the fixed-width `targets` into their arrays, in one native call
   * on up to `concurrency` threads off the event loop. On demand, the blocks of the
   * columns are read first with one positioned read into a pooled buffer.
   */
  async #decodeColumns(targets: readonly { column: number; nulls: Uint8Array; values: ArrayBufferView }[]): Promise<void> {
    if (targets.length === 0 || this.groupCount === 0) return;
    let blocks = this.#blocks;
    let base = 0;
    let region: Buffer | undefined;
    this.#inFlight += 1;
    try {
      if (blocks === undefined) {
        const [start, end] = this.#span(targets.map((t) => t.column));
        region = takeScratch(end - start);
        await this.#source!.readAt(region, this.#layout.blocksAt + start);
        this.#open();
        blocks = region;
        base = start;
      }
      const meta = targets.map((t) => this.#metadata.columns[t.column]!);
      const src = blocks;
      await callNativeAsync((b) =>
        b.volumeDecodeColumnsAsync(
          src,
          base,
          this.#layout.index,
          this.#metadata.rowCount,
          this.groupCount,
          targets.map((t) => t.column),
          Uint8Array.from(meta, (m) => m.kind),
          meta.map((m) => m.dictionary?.length ?? 0),
          targets.flatMap((t) => [
            Buffer.from(t.nulls.buffer, t.nulls.byteOffset, t.nulls.byteLength),
            Buffer.from(t.values.buffer, t.values.byteOffset, t.values.byteLength),
          ]),
          this.#threads,
        ),
      );
    } catch (error) {
      throw isPermafrostError(error) ? error.locate(this.file) : error;
    } finally {
      this.#inFlight -= 1;
      if (region !== undefined) releaseScratch(region);
      if (this.#closed) this.#recycle();
    }
    this.#open();
  }

  /**
   * Decodes every group of the given columns (default: all) into whole-column arrays, in
   * one native call on up to `concurrency` threads off the event loop; afterwards the
   * whole-column views and row accessors of those columns cost no decoding. On demand,
   * the blocks of the columns are read with one positioned read (and then dropped).
   */
  async loadAll(columns?: readonly number[]): Promise<void> {
    this.#open();
    const wanted = (columns ?? this.#metadata.columns.map((_, c) => c)).map((c) => this.#column(c));
    const k = columnKinds();
    const fixed = [...new Set(wanted)].filter((c) => this.#metadata.columns[c]!.kind !== k.BYTES && !this.#complete(c));
    const targets = fixed.map((column) => ({ column, ...this.#allocate(column, this.#metadata.rowCount, 0, false) }));
    await this.#decodeColumns(targets.map((t) => ({ column: t.column, nulls: t.nulls, values: t.values! })));
    for (const t of targets) {
      if (!this.#complete(t.column)) this.#install(t.column, t.nulls, t.values!); // unless a sync accessor got there first
    }
    for (const c of wanted) if (this.#metadata.columns[c]!.kind === k.BYTES) this.#loadAll(c);
  }

  /**
   * Decodes every group of fixed-width columns into arrays the caller owns — for scans
   * that reuse their arrays from volume to volume (fresh memory costs a page fault per
   * 4 KiB on first touch). Each target needs `nulls` of `rowCount` bytes and `values` of
   * the column's array type (BigInt64Array for INT64 / TIMESTAMP, Float64Array, Uint8Array
   * for BOOLEAN, Uint32Array ids for DICTIONARY) and `rowCount` elements. The reader keeps
   * no reference to them; they must not be touched until the promise settles.
   */
  async loadInto(targets: readonly LoadTarget[]): Promise<void> {
    this.#open();
    for (const t of targets) this.#column(t.column);
    const problem = loadTargetProblem(targets, (c) => this.#metadata.columns[c]?.kind, (c) => this.#metadata.columns[c]!.name, this.rowCount);
    if (problem !== undefined) throw new PermafrostError('ERR_INVALID_ARGUMENT', problem);
    await this.#decodeColumns(targets);
  }

  /** Whether the columns `decodeEarly` decoded agree with the checked metadata. */
  #agrees(early: EarlyColumns | undefined): boolean {
    if (early === undefined || early.rowCount !== this.#metadata.rowCount) return false;
    return early.targets.every((t) => {
      const meta = this.#metadata.columns[t.column];
      return meta?.kind === t.kind && (meta.dictionary?.length ?? 0) === t.dictSize;
    });
  }

  /** Installs the whole-column arrays `decodeEarly` decoded (checked by `#agrees`). */
  #adopt(early: EarlyColumns | undefined): void {
    for (const t of early?.targets ?? []) this.#install(t.column, t.nulls, t.values);
  }

  /** Makes fully decoded arrays the column's state. */
  #install(column: number, nulls: Uint8Array, values: BigInt64Array | Float64Array | Uint8Array | Uint32Array): void {
    const state = this.#columns[column]!;
    state.whole = { base: 0, nulls, values, payloads: undefined, loaded: new Uint8Array(this.groupCount).fill(1) };
    state.groups.clear();
  }

  #complete(column: number): boolean {
    const whole = this.#columns[column]!.whole;
    return whole !== undefined && whole.loaded.every((flag) => flag === 1);
  }

  /** One byte per row, 1 = NULL (a zero-copy view; loads every group of the column). */
  nulls(column: number): Uint8Array {
    return this.#loadAll(column).nulls;
  }

  /** The whole INT64 / TIMESTAMP column as a zero-copy view. */
  int64Values(column: number): BigInt64Array {
    const k = columnKinds();
    this.#expect(column, [k.INT64, k.TIMESTAMP], 'i64');
    return this.#loadAll(column).values as BigInt64Array;
  }

  /** The whole FLOAT64 column as a zero-copy view. */
  float64Values(column: number): Float64Array {
    this.#expect(column, [columnKinds().FLOAT64], 'f64');
    return this.#loadAll(column).values as Float64Array;
  }

  /** BOOLEAN (0/1) or DICTIONARY ids as a zero-copy view. */
  rawValues(column: number): Uint8Array | Uint32Array | BigInt64Array | Float64Array {
    const values = this.#loadAll(column).values;
    if (values === undefined) throw new PermafrostError('ERR_INVALID_ARGUMENT', `column ${column} is a BYTES column`);
    return values;
  }

  /** Decodes only group `group` of `column`; returns views of its rows. */
  group(column: number, group: number): { readonly nulls: Uint8Array; readonly values: Uint8Array | Uint32Array | BigInt64Array | Float64Array | undefined } {
    const rows = this.#rows(this.#column(column), this.#group(group));
    const start = group * rowGroupRows() - rows.base;
    const end = start + groupRowCount(this.#metadata.rowCount, group);
    return { nulls: rows.nulls.subarray(start, end), values: rows.values?.subarray(start, end) };
  }

  /** Releases the buffers and, on demand, the file; idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#blocks = undefined;
    this.#readBuffer = undefined;
    for (const state of this.#columns) {
      state.whole = undefined;
      state.groups.clear();
    }
    this.#recycle();
    const source = this.#source;
    this.#source = undefined;
    await source?.handle.close();
  }

  /** Gives the file bytes back to the pool once no native task reads them (none escaped). */
  #recycle(): void {
    if (this.#inFlight > 0 || this.#owned === undefined) return;
    releaseScratch(this.#owned);
    this.#owned = undefined;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

export type { ColumnMeta, VolumeMetadata, DataType };
