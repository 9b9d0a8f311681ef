// tidy: long file — VolumeReader is one class (open, lazy per-group decoding, typed
// accessors) whose state is private to it; splitting it would expose that state.
/**
 * Reads an STV4 volume (spec §5.2, §5.8).
 *
 * `open` streams the file once: header, metadata (decompressed and parsed at once), the
 * block index (checked by the core against the column kinds and the bytes that remain),
 * then each column's compressed blocks as one buffer — the CRC is computed piece by piece
 * as the file is read and a mismatch is ERR_CHECKSUM naming the file. Nothing else is
 * decoded: a column group is decompressed the first time it is touched, straight into
 * that column's typed arrays (one native call per block), so reading one group costs the
 * same whatever the size of the file. Every length is checked against what remains
 * before anything is allocated.
 *
 * The reader holds no file descriptor after `open`; `close()` (idempotent, also
 * `[Symbol.asyncDispose]`) releases the buffers, and later calls throw ERR_CLOSED.
 */
import { open as openFile, type FileHandle } from 'node:fs/promises';
import { ByteReader } from '../codec/byte-reader';
import { DataType } from '../codec/data-type';
import { FloatBits, Timestamp, type Value } from '../codec/values';
import { crc32 } from '../checksum';
import { PermafrostError, ioError, isPermafrostError } from '../errors';
import { lz4Decompress, lz4DecompressSizePrepended } from '../lz4';
import { callNative, native } from '../native';
import { columnKinds, valueBytes } from './column-kind';
import type { ColumnStats } from './column-stats';
import { decodeHeader, groupCount, groupRowCount, rowGroupRows } from './volume-format';
import { decodeVolumeMetadata, type ColumnMeta, type VolumeMetadata } from './volume-metadata';
import { extensionValue, nullOf } from './volume-value';
import type { RowGroup, ZoneMap } from './zone-map';

export interface VolumeReadOptions {
  /** Largest decompressed metadata accepted. @default VOLUME_METADATA_BYTES_MAX (1 GiB) */
  readonly metadataBytesMax?: number;
}

/** Sequential reads that feed the CRC, from a file or from memory. */
interface Source {
  readonly size: number;
  read(length: number): Promise<Buffer>;
}

function fileSource(handle: FileHandle, size: number): Source {
  let position = 0;
  return {
    size,
    async read(length) {
      const buffer = Buffer.allocUnsafe(length);
      let done = 0;
      while (done < length) {
        const { bytesRead } = await handle.read(buffer, done, length - done, position + done);
        if (bytesRead === 0) throw new PermafrostError('ERR_TRUNCATED', 'file shrank while being read', { offset: position + done });
        done += bytesRead;
      }
      position += length;
      return buffer;
    },
  };
}

function memorySource(bytes: Uint8Array): Source {
  let position = 0;
  return {
    size: bytes.length,
    read(length) {
      const piece = Buffer.from(bytes.buffer, bytes.byteOffset + position, length);
      position += length;
      return Promise.resolve(piece);
    },
  };
}

/** Where the blocks of a column live and how each decodes. */
interface ColumnBlocks {
  readonly data: Buffer;
  readonly offsets: number[];
  readonly stored: number[];
  readonly raw: number[];
}

interface LoadedColumn {
  readonly nulls: Uint8Array;
  readonly values: BigInt64Array | Float64Array | Uint8Array | Uint32Array | undefined;
  readonly payloads: Uint8Array[] | undefined;
  readonly loaded: Uint8Array;
}

const CANONICAL_NAN_BITS = 0x7ff8000000000000n;

async function parse(source: Source, file: string | undefined, options: VolumeReadOptions): Promise<[VolumeMetadata, ColumnBlocks[]]> {
  const n = native();
  let crc = 0;
  let position = 0;
  const take = async (length: number, what: string): Promise<Buffer> => {
    if (length > source.size - n.VOLUME_CRC_BYTES - position) {
      throw new PermafrostError('ERR_TRUNCATED', `${what} needs ${length} bytes; only ${Math.max(0, source.size - n.VOLUME_CRC_BYTES - position)} remain before the CRC`, { offset: position });
    }
    const piece = await source.read(length);
    crc = crc32(piece, crc);
    position += length;
    return piece;
  };
  if (source.size < n.VOLUME_HEADER_BYTES + n.VOLUME_CRC_BYTES) {
    throw new PermafrostError('ERR_TRUNCATED', `a volume has at least ${n.VOLUME_HEADER_BYTES + n.VOLUME_CRC_BYTES} bytes; this one has ${source.size}`, { offset: source.size });
  }
  const header = decodeHeader(await take(n.VOLUME_HEADER_BYTES, 'header'));
  const metaAt = position;
  const wrapped = await take(header.metadataBytes, 'metadata');
  let metadata: VolumeMetadata;
  try {
    const raw = lz4DecompressSizePrepended(wrapped, Math.min(options.metadataBytesMax ?? n.VOLUME_METADATA_BYTES_MAX, n.VOLUME_METADATA_BYTES_MAX));
    try {
      metadata = decodeVolumeMetadata(raw);
    } catch (error) {
      if (!isPermafrostError(error)) throw error;
      throw new PermafrostError(error.code, `metadata: ${error.what}${error.offset === undefined ? '' : ` (offset ${error.offset} of the decompressed metadata)`}`, { cause: error });
    }
  } catch (error) {
    throw isPermafrostError(error) && error.offset !== undefined ? error.locate(file, metaAt) : error;
  }
  if (metadata.columns.length !== header.columnCount) {
    throw new PermafrostError('ERR_CORRUPT', `header says ${header.columnCount} columns, metadata says ${metadata.columns.length}`, { offset: 8 });
  }
  const groups = groupCount(metadata.rowCount);
  if (header.groupCount !== groups) {
    throw new PermafrostError('ERR_CORRUPT', `header says ${header.groupCount} row groups; ${metadata.rowCount} rows make ${groups}`, { offset: 12 });
  }
  const indexAt = position;
  const index = await take(metadata.columns.length * groups * n.VOLUME_BLOCK_INDEX_ENTRY_BYTES, 'block index');
  const available = source.size - n.VOLUME_CRC_BYTES - position;
  const kinds = Uint8Array.from(metadata.columns, (c) => c.kind);
  let total: number;
  try {
    total = callNative((b) => b.volumeCheckBlockIndex(index, kinds, metadata.rowCount, available));
  } catch (error) {
    throw isPermafrostError(error) ? error.locate(file, indexAt) : error;
  }
  if (total !== available) {
    throw new PermafrostError('ERR_CORRUPT', `blocks take ${total} bytes but ${available} bytes precede the CRC`, { offset: position });
  }
  const columns: ColumnBlocks[] = [];
  for (let c = 0; c < metadata.columns.length; c += 1) {
    const offsets: number[] = [];
    const stored: number[] = [];
    const raw: number[] = [];
    let bytes = 0;
    for (let g = 0; g < groups; g += 1) {
      const at = (c * groups + g) * 16;
      offsets.push(bytes);
      stored.push(Number(index.readBigUInt64LE(at)));
      raw.push(Number(index.readBigUInt64LE(at + 8)));
      bytes += stored[g]!;
    }
    columns.push({ data: await take(bytes, `blocks of column ${c}`), offsets, stored, raw });
  }
  const stored = (await source.read(n.VOLUME_CRC_BYTES)).readUInt32LE(0);
  if (stored !== crc) {
    throw new PermafrostError('ERR_CHECKSUM', `volume CRC32 is 0x${stored.toString(16).padStart(8, '0')}; the bytes give 0x${crc.toString(16).padStart(8, '0')}`, { offset: position });
  }
  return [metadata, columns];
}

export class VolumeReader implements AsyncDisposable {
  readonly file: string | undefined;
  readonly #metadata: VolumeMetadata;
  #blocks: ColumnBlocks[] | undefined;
  readonly #loaded: (LoadedColumn | undefined)[];
  readonly #names = new Map<string, number>();

  private constructor(file: string | undefined, metadata: VolumeMetadata, blocks: ColumnBlocks[]) {
    this.file = file;
    this.#metadata = metadata;
    this.#blocks = blocks;
    this.#loaded = metadata.columns.map(() => undefined);
    metadata.columns.forEach((column, index) => {
      this.#names.set(column.name, index);
      if (!this.#names.has(column.name.toLowerCase())) this.#names.set(column.name.toLowerCase(), index);
    });
  }

  /** Opens and verifies a volume file (streaming; the CRC is checked before it resolves). */
  static async open(path: string, options: VolumeReadOptions = {}): Promise<VolumeReader> {
    let handle: FileHandle | undefined;
    try {
      handle = await openFile(path, 'r');
      const { size } = await handle.stat();
      const [metadata, blocks] = await parse(fileSource(handle, size), path, options);
      return new VolumeReader(path, metadata, blocks);
    } catch (error) {
      if (isPermafrostError(error)) throw error.file === undefined ? error.locate(path) : error;
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw new PermafrostError('ERR_NOT_FOUND', `no volume file ${path}`, { file: path, cause: error });
      throw ioError(`cannot read volume ${path}`, error, path);
    } finally {
      await handle?.close();
    }
  }

  /** Reads a volume from bytes in memory (same checks as `open`). */
  static async fromBytes(bytes: Uint8Array, file?: string): Promise<VolumeReader> {
    try {
      const [metadata, blocks] = await parse(memorySource(bytes), file, {});
      return new VolumeReader(file, metadata, blocks);
    } catch (error) {
      throw isPermafrostError(error) && file !== undefined && error.file === undefined ? error.locate(file) : error;
    }
  }

  #open(): ColumnBlocks[] {
    if (this.#blocks === undefined) throw new PermafrostError('ERR_CLOSED', `volume reader${this.file ? ` of ${this.file}` : ''} is closed`);
    return this.#blocks;
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

  #state(column: number): LoadedColumn {
    const existing = this.#loaded[column];
    if (existing) return existing;
    const meta = this.#metadata.columns[column]!;
    const rows = this.#metadata.rowCount;
    const k = columnKinds();
    const values =
      meta.kind === k.INT64 || meta.kind === k.TIMESTAMP
        ? new BigInt64Array(rows)
        : meta.kind === k.FLOAT64
          ? new Float64Array(rows)
          : meta.kind === k.BOOLEAN
            ? new Uint8Array(rows)
            : meta.kind === k.DICTIONARY
              ? new Uint32Array(rows)
              : undefined;
    const state: LoadedColumn = {
      nulls: new Uint8Array(rows),
      values,
      payloads: values === undefined ? new Array<Uint8Array>(rows) : undefined,
      loaded: new Uint8Array(this.groupCount),
    };
    this.#loaded[column] = state;
    return state;
  }

  /** Decompresses group `group` of `column` into the column's arrays (once). */
  #load(column: number, group: number): LoadedColumn {
    const state = this.#state(column);
    if (state.loaded[group] === 1) return state;
    const blocks = this.#open()[column]!;
    const meta = this.#metadata.columns[column]!;
    const rows = groupRowCount(this.#metadata.rowCount, group);
    const start = group * rowGroupRows();
    const src = blocks.data.subarray(blocks.offsets[group], blocks.offsets[group]! + blocks.stored[group]!);
    const raw = blocks.raw[group]!;
    try {
      if (state.values !== undefined) {
        const width = valueBytes(meta.kind)!;
        const nulls = Buffer.from(state.nulls.buffer, state.nulls.byteOffset + start, rows);
        const values = Buffer.from(state.values.buffer, state.values.byteOffset + start * width, rows * width);
        callNative((b) => b.volumeDecodeFixedBlock(meta.kind, src, raw, meta.dictionary?.length ?? 0, nulls, values));
      } else {
        this.#loadBytes(state, src.length === raw ? src : lz4Decompress(src, raw, raw), rows, start);
      }
    } catch (error) {
      const located = isPermafrostError(error) ? error : new PermafrostError('ERR_INTERNAL', String(error), { cause: error });
      throw new PermafrostError(located.code, `block of column ${column}, group ${group}: ${located.what}`, { file: this.file, cause: error });
    }
    state.loaded[group] = 1;
    return state;
  }

  #loadBytes(state: LoadedColumn, raw: Uint8Array, rows: number, start: number): void {
    const r = new ByteReader(raw);
    const nulls = r.bytesView(rows, 'BYTES null flags');
    const count = r.u64('BYTES offset count');
    if (count !== BigInt(rows)) throw new PermafrostError('ERR_CORRUPT', `BYTES block has ${count} offsets for ${rows} rows`);
    r.requireElements(rows, 16, 'BYTES offsets');
    const pairs: [bigint, bigint][] = Array.from({ length: rows }, () => [r.u64('offset'), r.u64('length')]);
    const blobLength = r.u64('BYTES blob length');
    if (blobLength !== BigInt(r.remaining)) throw new PermafrostError('ERR_CORRUPT', `BYTES block declares a ${blobLength}-byte blob; ${r.remaining} bytes follow`);
    const blob = r.bytesView(r.remaining, 'BYTES blob');
    state.nulls.set(nulls, start);
    pairs.forEach(([offset, length], i) => {
      if (nulls[i] !== 0) {
        state.payloads![start + i] = new Uint8Array(0);
        return;
      }
      if (offset + length > blobLength) throw new PermafrostError('ERR_CORRUPT', `BYTES row ${i} (${offset}+${length}) lies outside the ${blobLength}-byte blob`);
      state.payloads![start + i] = blob.subarray(Number(offset), Number(offset + length));
    });
  }

  #at(column: number, row: number): LoadedColumn {
    return this.#load(this.#column(column), Math.floor(this.#row(row) / rowGroupRows()));
  }

  #expect(column: number, kinds: readonly number[], what: string): void {
    if (!kinds.includes(this.#metadata.columns[this.#column(column)]!.kind)) {
      throw new PermafrostError('ERR_INVALID_ARGUMENT', `column ${column} (${this.#metadata.columns[column]!.name}) has no ${what} values`);
    }
  }

  isNull(column: number, row: number): boolean {
    return this.#at(column, row).nulls[row] !== 0;
  }

  /** INT64 value, or TIMESTAMP nanoseconds (0 for NULL rows, as stored). */
  getI64(column: number, row: number): bigint {
    const k = columnKinds();
    this.#expect(column, [k.INT64, k.TIMESTAMP], 'i64');
    return (this.#at(column, row).values as BigInt64Array)[row]!;
  }

  getF64(column: number, row: number): number {
    this.#expect(column, [columnKinds().FLOAT64], 'f64');
    return (this.#at(column, row).values as Float64Array)[row]!;
  }

  getBool(column: number, row: number): boolean {
    this.#expect(column, [columnKinds().BOOLEAN], 'boolean');
    return (this.#at(column, row).values as Uint8Array)[row] !== 0;
  }

  /** The text of a DICTIONARY row ("" for NULL rows, whose id 0 is not checked). */
  getStr(column: number, row: number): string {
    this.#expect(column, [columnKinds().DICTIONARY], 'text');
    const state = this.#at(column, row);
    if (state.nulls[row] !== 0) return '';
    return this.#metadata.columns[column]!.dictionary![(state.values as Uint32Array)[row]!]!;
  }

  /** The row's value as the JS value model maps it (typed NULL for NULL rows). */
  getValue(column: number, row: number): Value {
    const state = this.#at(column, row);
    const meta = this.#metadata.columns[column]!;
    if (state.nulls[row] !== 0) return nullOf(meta.kind === columnKinds().BYTES ? (meta.extType as DataType) : meta.dataType);
    const k = columnKinds();
    switch (meta.kind) {
      case k.INT64:
        return (state.values as BigInt64Array)[row]!;
      case k.TIMESTAMP:
        return Timestamp.fromEpochNanos((state.values as BigInt64Array)[row]!);
      case k.FLOAT64: {
        const value = (state.values as Float64Array)[row]!;
        if (!Number.isNaN(value)) return value;
        const bits = new BigUint64Array(state.values!.buffer, state.values!.byteOffset + row * 8, 1)[0]!;
        return bits === CANONICAL_NAN_BITS ? value : new FloatBits(bits);
      }
      case k.BOOLEAN:
        return (state.values as Uint8Array)[row] !== 0;
      case k.DICTIONARY:
        return meta.dictionary![(state.values as Uint32Array)[row]!]!;
      default:
        return extensionValue(meta.extType as DataType, state.payloads![row]!);
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

  /** Decompresses every group of a column (idempotent). */
  #loadAll(column: number): LoadedColumn {
    const state = this.#state(this.#column(column));
    for (let g = 0; g < this.groupCount; g += 1) this.#load(column, g);
    return state;
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

  /** Decompresses only group `group` of `column`; returns views of its rows. */
  group(column: number, group: number): { readonly nulls: Uint8Array; readonly values: Uint8Array | Uint32Array | BigInt64Array | Float64Array | undefined } {
    if (!Number.isInteger(group) || group < 0 || group >= this.groupCount) {
      throw new PermafrostError('ERR_INVALID_ARGUMENT', `no group ${group} (the volume has ${this.groupCount})`);
    }
    const state = this.#load(this.#column(column), group);
    const start = group * rowGroupRows();
    const end = start + groupRowCount(this.#metadata.rowCount, group);
    return { nulls: state.nulls.subarray(start, end), values: state.values?.subarray(start, end) };
  }

  /** Releases the buffers; idempotent. */
  close(): Promise<void> {
    this.#blocks = undefined;
    this.#loaded.fill(undefined);
    return Promise.resolve();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

export type { ColumnMeta, VolumeMetadata, DataType };
