/**
 * The metadata of a volume (spec §5.3): the bytes inside the LZ4+size wrapper.
 *
 * | field          | bytes                                                                   |
 * |----------------|-------------------------------------------------------------------------|
 * | row_count R    | u64                                                                     |
 * | col_count C    | u32                                                                     |
 * | directory      | C × (u8 kind, u8 flags (bit 0 sorted), u32 extra: dictionary size or BYTES ext type) |
 * | dictionary     | u32 total, total × (u32 len + UTF-8): all DICTIONARY columns in order   |
 * | row ids        | R × i64                                                                 |
 * | zone maps      | C × (value min, value max, u32 null_count, u32 row_count)               |
 * | bloom filters  | u32 count (= C), per column u64 num_bits, u32 byte_len, bytes           |
 * | stats          | u64 total_rows, u64 live_rows, u32 count (= C), per column i128 sum_int, f64 sum_float, u64 numeric_count, u64 non_null_count, value min, value max |
 * | column names   | C × (u32 len + UTF-8)                                                   |
 * | column types   | C × u8 DataType                                                         |
 * | row groups     | u32 count (0 unless R > 65,536), per group u32 start, u32 end, C zone maps |
 *
 * Values use the §5.4 encoding (`volume-value.ts`). The decoder treats the bytes as
 * hostile: every count is checked against the bytes that remain before anything is
 * allocated, and it is stricter than stoolap where stoolap would silently misread
 * (unknown kinds, types, flags and tags, counts that disagree with C or R, trailing bytes).
 */
import { endianness } from 'node:os';
import { ByteReader } from '../codec/byte-reader';
import { ByteWriter } from '../codec/byte-writer';
import { type DataType, dataTypeFromByte } from '../codec/data-type';
import { PermafrostError } from '../errors';
import { native } from '../native';
import { BloomFilter } from './bloom-filter';
import { columnKinds, kindForDataType, type ColumnKind } from './column-kind';
import type { ColumnStats, VolumeStats } from './column-stats';
import { groupCount, groupRowCount } from './volume-format';
import { readVolumeValue, writeVolumeValue } from './volume-value';
import type { RowGroup, ZoneMap } from './zone-map';

// Typed arrays are copied to and from disk as raw bytes: that is little-endian only.
if (endianness() !== 'LE') throw new PermafrostError('ERR_INTERNAL', 'permafrost volumes need a little-endian platform');

export interface ColumnMeta {
  readonly name: string;
  readonly dataType: DataType;
  readonly kind: ColumnKind;
  /** Ascending with no NULLs (INT64 and TIMESTAMP columns only). */
  readonly sorted: boolean;
  /** BYTES columns: the extension DataType stored in the directory; otherwise 0. */
  readonly extType: number;
  /** DICTIONARY columns: the strings, in id order (first appearance). */
  readonly dictionary: readonly string[] | undefined;
}

export interface VolumeMetadata {
  readonly rowCount: number;
  readonly columns: readonly ColumnMeta[];
  /** Strictly ascending. */
  readonly rowIds: BigInt64Array;
  readonly zoneMaps: readonly ZoneMap[];
  readonly blooms: readonly BloomFilter[];
  readonly stats: VolumeStats;
  /** Empty unless rowCount > 65,536. */
  readonly rowGroups: readonly RowGroup[];
}

function writeZoneMap(writer: ByteWriter, zoneMap: ZoneMap): void {
  writeVolumeValue(writer, zoneMap.min);
  writeVolumeValue(writer, zoneMap.max);
  writer.u32(zoneMap.nullCount, 'zone map null count').u32(zoneMap.rowCount, 'zone map row count');
}

function readZoneMap(reader: ByteReader): ZoneMap {
  const min = readVolumeValue(reader);
  const max = readVolumeValue(reader);
  return { min, max, nullCount: reader.u32('zone map null count'), rowCount: reader.u32('zone map row count') };
}

const I128_MIN = -(1n << 127n);
const I128_MAX = (1n << 127n) - 1n;

/**
 * Encodes the metadata into one buffer from `allocate` (exactly its size). The small parts
 * are written with ByteWriters; the row ids and bloom bits — nearly all of the bytes — are
 * copied once, straight into place.
 */
export function encodeVolumeMetadata(meta: VolumeMetadata, allocate: (size: number) => Buffer = (size) => Buffer.allocUnsafe(size)): Buffer {
  const { columns, rowCount } = meta;
  const parts: Uint8Array[] = [];
  const head = new ByteWriter(256);
  head.u64(BigInt(rowCount), 'row count').u32(columns.length, 'column count');
  const kinds = columnKinds();
  for (const column of columns) {
    const extra = column.kind === kinds.DICTIONARY ? column.dictionary!.length : column.kind === kinds.BYTES ? column.extType : 0;
    head.u8(column.kind).u8(column.sorted ? native().VOLUME_FLAG_SORTED : 0).u32(extra, 'directory extra');
  }
  const dictionaries = columns.flatMap((column) => (column.kind === kinds.DICTIONARY ? [column.dictionary!] : []));
  head.u32(dictionaries.reduce((total, d) => total + d.length, 0), 'dictionary size');
  for (const dictionary of dictionaries) for (const text of dictionary) head.string32(text, 'dictionary string');
  parts.push(head.view(), new Uint8Array(meta.rowIds.buffer, meta.rowIds.byteOffset, rowCount * 8));
  const zones = new ByteWriter(256);
  for (const zoneMap of meta.zoneMaps) writeZoneMap(zones, zoneMap);
  zones.u32(meta.blooms.length, 'bloom filter count');
  parts.push(zones.view());
  for (const bloom of meta.blooms) {
    parts.push(new ByteWriter(16).u64(bloom.numBits, 'bloom bits').u32(bloom.bytes.length, 'bloom bytes').view(), bloom.bytes);
  }
  const w = new ByteWriter(256 + columns.length * 128 * (1 + meta.rowGroups.length));
  w.u64(meta.stats.totalRows, 'total rows').u64(meta.stats.liveRows, 'live rows').u32(meta.stats.columns.length, 'stats count');
  for (const stats of meta.stats.columns) {
    if (stats.sumInt < I128_MIN || stats.sumInt > I128_MAX) throw new PermafrostError('ERR_LIMIT', `sum ${stats.sumInt} exceeds i128`);
    const sum = BigInt.asUintN(128, stats.sumInt);
    w.u64(sum & 0xffff_ffff_ffff_ffffn).u64(sum >> 64n).f64(stats.sumFloat);
    w.u64(stats.numericCount, 'numeric count').u64(stats.nonNullCount, 'non-null count');
    writeVolumeValue(w, stats.min);
    writeVolumeValue(w, stats.max);
  }
  for (const column of columns) w.string32(column.name, 'column name');
  for (const column of columns) w.u8(column.dataType);
  w.u32(meta.rowGroups.length, 'row group count');
  for (const group of meta.rowGroups) {
    w.u32(group.startRow, 'row group start').u32(group.endRow, 'row group end');
    for (const zoneMap of group.zoneMaps) writeZoneMap(w, zoneMap);
  }
  parts.push(w.view());
  const out = allocate(parts.reduce((total, part) => total + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

function corrupt(what: string, offset: number): PermafrostError {
  return new PermafrostError('ERR_CORRUPT', what, { offset });
}

interface Directory {
  readonly kind: ColumnKind;
  readonly sorted: boolean;
  readonly extra: number;
}

function readDirectory(r: ByteReader, columnCount: number): Directory[] {
  const n = native();
  const known = new Set(Object.values(columnKinds()));
  r.requireElements(columnCount, 6, 'column directory');
  return Array.from({ length: columnCount }, (_, index) => {
    const at = r.offset;
    const kind = r.u8('column kind');
    const flags = r.u8('column flags');
    const extra = r.u32('column extra');
    if (!known.has(kind)) throw new PermafrostError('ERR_UNKNOWN_TAG', `column ${index} has unknown kind ${kind} (known: 1-6)`, { offset: at });
    if ((flags & ~n.VOLUME_FLAG_SORTED) !== 0) throw corrupt(`column ${index} has unknown flag bits ${flags}`, at + 1);
    return { kind, sorted: (flags & n.VOLUME_FLAG_SORTED) !== 0, extra };
  });
}

function readStats(r: ByteReader, columnCount: number): VolumeStats {
  const totalRows = r.u64('total rows');
  const liveRows = r.u64('live rows');
  const at = r.offset;
  const count = r.count32(16 + 8 + 8 + 8 + 4, 'column stats');
  if (count !== columnCount) throw corrupt(`${count} column stats for ${columnCount} columns`, at);
  const columns: ColumnStats[] = [];
  for (let c = 0; c < count; c += 1) {
    const low = r.u64('sum low half');
    const sumInt = BigInt.asIntN(128, (r.u64('sum high half') << 64n) | low);
    const sumFloat = r.f64('float sum');
    const numericCount = r.u64('numeric count');
    const nonNullCount = r.u64('non-null count');
    columns.push({ sumInt, sumFloat, numericCount, nonNullCount, min: readVolumeValue(r), max: readVolumeValue(r) });
  }
  return { totalRows, liveRows, columns };
}

function readRowGroups(r: ByteReader, rowCount: number, columnCount: number): RowGroup[] {
  const at = r.offset;
  const count = r.count32(8, 'row groups');
  const expected = rowCount > native().VOLUME_ROW_GROUP_ROWS ? groupCount(rowCount) : 0;
  if (count !== expected) throw corrupt(`${count} row groups; ${rowCount} rows need ${expected}`, at);
  const groups: RowGroup[] = [];
  let startRow = 0;
  for (let g = 0; g < count; g += 1) {
    const groupAt = r.offset;
    const start = r.u32('row group start');
    const end = r.u32('row group end');
    const endRow = startRow + groupRowCount(rowCount, g);
    if (start !== startRow || end !== endRow) throw corrupt(`row group ${g} covers [${start}, ${end}); expected [${startRow}, ${endRow})`, groupAt);
    groups.push({ startRow, endRow, zoneMaps: Array.from({ length: columnCount }, () => readZoneMap(r)) });
    startRow = endRow;
  }
  return groups;
}

/** Decodes metadata bytes; offsets in errors count from the start of the decompressed metadata. */
export function decodeVolumeMetadata(bytes: Uint8Array): VolumeMetadata {
  const r = new ByteReader(bytes);
  const rowCountBig = r.u64('row count');
  const columnCount = r.u32('column count');
  if (rowCountBig > BigInt(r.remaining) / 8n) {
    throw new PermafrostError('ERR_LIMIT', `metadata declares ${rowCountBig} row ids; only ${r.remaining} bytes remain`, { offset: 0 });
  }
  const rowCount = Number(rowCountBig);
  const directory = readDirectory(r, columnCount);
  const kinds = columnKinds();
  const dictAt = r.offset;
  const dictionarySize = r.count32(4, 'dictionary strings');
  const dictionaryColumns = directory.filter((d) => d.kind === kinds.DICTIONARY);
  const declared = dictionaryColumns.reduce((total, d) => total + d.extra, 0);
  if (declared !== dictionarySize) throw corrupt(`the directory declares ${declared} dictionary strings; the dictionary has ${dictionarySize}`, dictAt);
  const strings = Array.from({ length: dictionarySize }, () => r.string32('dictionary string'));
  r.requireElements(rowCount, 8, 'row ids');
  // Row ids stay in the decompressed bytes until first asked for (a view when aligned,
  // else one copy): scans that never look at them never pay for them.
  const rowIdBytes = r.bytesView(rowCount * 8, 'row ids');
  let rowIds: BigInt64Array | undefined;
  const takeRowIds = (): BigInt64Array => {
    if (rowIds !== undefined) return rowIds;
    if (rowIdBytes.byteOffset % 8 === 0) return (rowIds = new BigInt64Array(rowIdBytes.buffer, rowIdBytes.byteOffset, rowCount));
    rowIds = new BigInt64Array(rowCount);
    new Uint8Array(rowIds.buffer).set(rowIdBytes);
    return rowIds;
  };
  r.requireElements(columnCount, 12, 'zone maps');
  const zoneMaps = Array.from({ length: columnCount }, () => readZoneMap(r));
  const bloomAt = r.offset;
  const bloomCount = r.count32(12, 'bloom filters');
  if (bloomCount !== columnCount) throw corrupt(`${bloomCount} bloom filters for ${columnCount} columns`, bloomAt);
  const blooms = Array.from({ length: bloomCount }, () => {
    const numBits = r.u64('bloom bit count');
    // A view of the decompressed bytes (the filter is read-only): no copy.
    return new BloomFilter(numBits, r.bytesView(r.u32('bloom byte length'), 'bloom bits'));
  });
  const stats = readStats(r, columnCount);
  r.requireElements(columnCount, 5, 'column names and types');
  const names = Array.from({ length: columnCount }, () => r.string32('column name'));
  let dictionaryStart = 0;
  const columns: ColumnMeta[] = directory.map((d, index) => {
    const at = r.offset;
    const dataType = dataTypeFromByte(r.u8('column type'), at, 'column type');
    if (kindForDataType(dataType) !== d.kind) throw corrupt(`column ${index} of type ${dataType} cannot have kind ${d.kind}`, at);
    let extType = 0;
    let dictionary: string[] | undefined;
    if (d.kind === kinds.DICTIONARY) {
      dictionary = strings.slice(dictionaryStart, dictionaryStart + d.extra);
      dictionaryStart += d.extra;
    } else if (d.kind === kinds.BYTES) {
      extType = dataTypeFromByte(d.extra, at, 'BYTES extension type');
    } else if (d.extra !== 0) {
      throw corrupt(`column ${index} has directory extra ${d.extra}; only DICTIONARY and BYTES columns use it`, at);
    }
    return { name: names[index]!, dataType, kind: d.kind, sorted: d.sorted, extType, dictionary };
  });
  const rowGroups = readRowGroups(r, rowCount, columnCount);
  if (r.remaining !== 0) throw corrupt(`${r.remaining} unexpected bytes after the row groups`, r.offset);
  return {
    rowCount,
    columns,
    get rowIds(): BigInt64Array {
      return takeRowIds();
    },
    zoneMaps,
    blooms,
    stats,
    rowGroups,
  };
}
