/**
 * Computes a volume's metadata from its columns exactly as stoolap's builder does
 * (spec §5.7). The heavy per-row work of fixed-width columns (min / max, sums, sorted
 * flag, bloom hashing) is one native pass per column (`volumeSummarizeColumn`); text and
 * extension columns are summarized here from their dictionary and null flags.
 */
import { DataType } from '../codec/data-type';
import { Timestamp, type Value } from '../codec/values';
import { callNative, callNativeAsync, native } from '../native';
import { BloomFilter } from './bloom-filter';
import type { ColumnData, DictionaryColumnData } from './column-data';
import { valueByteView } from './column-data';
import type { ColumnStats } from './column-stats';
import { groupCount, groupRowCount, rowGroupRows } from './volume-format';
import type { ColumnMeta, VolumeMetadata } from './volume-metadata';
import { nullOf } from './volume-value';
import type { ZoneMap } from './zone-map';

/** A finished volume: its metadata and its rows, ready for the writer. */
export interface FrozenVolume {
  readonly metadata: VolumeMetadata;
  readonly columns: readonly ColumnData[];
}

/** What one column contributes to the metadata. */
interface ColumnSummary {
  readonly zoneMap: ZoneMap;
  readonly groupZoneMaps: readonly ZoneMap[];
  readonly stats: ColumnStats;
  readonly bloom: BloomFilter;
  readonly sorted: boolean;
}

function emptyBloom(rowCount: number): { bits: Buffer; numBits: number } {
  const numBits = BloomFilter.bitsForRows(rowCount);
  return { bits: Buffer.alloc(Math.ceil(numBits / 64) * 8), numBits };
}

function valueAt(column: ColumnData, view: DataView, at: number): Value {
  switch (column.form) {
    case 'int64':
      return view.getBigInt64(at, true);
    case 'timestamp':
      return Timestamp.fromEpochNanos(view.getBigInt64(at, true));
    case 'float64':
      return view.getFloat64(at, true);
    default:
      return view.getUint8(at) !== 0;
  }
}

/**
 * The per-group zone maps of a native summary record (crates/core/src/volume/summary.rs):
 * none for a single-group volume; `valueAt` reads a min or max at a byte offset.
 */
function readGroupZoneMaps(view: DataView, rowCount: number, valueAt: (at: number) => Value, none: Value): ZoneMap[] {
  const n = native();
  const zoneMaps: ZoneMap[] = [];
  if (rowCount <= rowGroupRows()) return zoneMaps;
  for (let g = 0; g < groupCount(rowCount); g += 1) {
    const at = n.VOLUME_SUMMARY_GLOBAL_BYTES + g * n.VOLUME_SUMMARY_GROUP_BYTES;
    const has = view.getUint32(at + 4, true) > 0;
    zoneMaps.push({
      min: has ? valueAt(at + 8) : none,
      max: has ? valueAt(at + 16) : none,
      nullCount: view.getUint32(at, true),
      rowCount: groupRowCount(rowCount, g),
    });
  }
  return zoneMaps;
}

/** Reads the native summary record layout (crates/core/src/volume/summary.rs). */
function readFixedSummary(column: ColumnData, dataType: DataType, rowCount: number, out: Buffer, bloom: BloomFilter): ColumnSummary {
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  const values = view.getUint32(4, true);
  const min = values > 0 ? valueAt(column, view, 16) : null;
  const max = values > 0 ? valueAt(column, view, 24) : null;
  const groupZoneMaps = readGroupZoneMaps(view, rowCount, (at) => valueAt(column, view, at), nullOf(dataType));
  const sumInt = column.form === 'int64' ? BigInt.asIntN(128, (view.getBigUint64(40, true) << 64n) | view.getBigUint64(32, true)) : 0n;
  const numeric = column.form === 'int64' || column.form === 'float64';
  return {
    zoneMap: { min, max, nullCount: view.getUint32(0, true), rowCount },
    groupZoneMaps,
    stats: {
      sumInt,
      sumFloat: column.form === 'float64' ? view.getFloat64(48, true) : 0,
      numericCount: numeric ? BigInt(values) : 0n,
      nonNullCount: BigInt(values),
      min,
      max,
    },
    bloom,
    sorted: view.getUint8(8) !== 0,
  };
}

function nullCounts(nulls: Uint8Array, rowCount: number): { total: number; groups: number[] } {
  const groups: number[] = [];
  let total = 0;
  const size = rowGroupRows();
  for (let start = 0; start < rowCount; start += size) {
    let count = 0;
    const end = Math.min(rowCount, start + size);
    for (let i = start; i < end; i += 1) count += nulls[i] === 0 ? 0 : 1;
    groups.push(count);
    total += count;
  }
  return { total, groups };
}

function summarizeDictionary(column: DictionaryColumnData, rowCount: number): ColumnSummary {
  const n = native();
  const encoded = column.dictionary.map((text) => Buffer.from(text, 'utf8'));
  // Ranks in UTF-8 byte order (Rust `str` order), which is not JS string order.
  const order = encoded.map((_, id) => id).sort((a, b) => Buffer.compare(encoded[a]!, encoded[b]!));
  const rank = new Uint32Array(encoded.length);
  order.forEach((id, position) => (rank[id] = position));
  const { bits, numBits } = emptyBloom(rowCount);
  if (encoded.length > 0) {
    const ends = new Uint32Array(encoded.length);
    let end = 0;
    encoded.forEach((bytes, id) => (ends[id] = end += bytes.length));
    callNative((b) => b.volumeBloomAdd(3, Buffer.concat(encoded), new Uint8Array(ends.buffer), bits, numBits));
  }
  // Null counts and min / max rank per group: one native pass (summary.rs layout).
  const out = Buffer.alloc(n.VOLUME_SUMMARY_GLOBAL_BYTES + groupCount(rowCount) * n.VOLUME_SUMMARY_GROUP_BYTES);
  callNative((b) => b.volumeSummarizeDictionary(column.nulls, valueByteView(column), new Uint8Array(rank.buffer), out));
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  const text = (at: number): string => column.dictionary[order[Number(view.getBigUint64(at, true))]!]!;
  const groupZoneMaps = readGroupZoneMaps(view, rowCount, text, nullOf(DataType.Text));
  const nullCount = view.getUint32(0, true);
  // The volume-wide min / max are the dictionary's extremes, as stoolap takes them.
  const has = rowCount > nullCount;
  const min = has ? column.dictionary[order[0]!]! : null;
  const max = has ? column.dictionary[order[encoded.length - 1]!]! : null;
  const nonNull = BigInt(rowCount - nullCount);
  return {
    zoneMap: { min, max, nullCount, rowCount },
    groupZoneMaps,
    stats: { sumInt: 0n, sumFloat: 0, numericCount: 0n, nonNullCount: nonNull, min, max },
    bloom: new BloomFilter(BigInt(numBits), bits),
    sorted: false,
  };
}

function summarizeBytes(column: ColumnData & { form: 'bytes' }, rowCount: number): ColumnSummary {
  const nulls = nullCounts(column.nulls, rowCount);
  const { bits, numBits } = emptyBloom(rowCount);
  // Every extension value hashes as tag 0 with no payload: one insert covers them all.
  if (rowCount > nulls.total) callNative((b) => b.volumeBloomAdd(0, new Uint8Array(0), new Uint8Array(4), bits, numBits));
  const groupZoneMaps: ZoneMap[] =
    rowCount > rowGroupRows()
      ? nulls.groups.map((nullCount, g) => ({
          min: nullOf(column.extType),
          max: nullOf(column.extType),
          nullCount,
          rowCount: groupRowCount(rowCount, g),
        }))
      : [];
  const first = column.first ?? null;
  return {
    zoneMap: { min: first, max: first, nullCount: nulls.total, rowCount },
    groupZoneMaps,
    stats: { sumInt: 0n, sumFloat: 0, numericCount: 0n, nonNullCount: BigInt(rowCount - nulls.total), min: first, max: first },
    bloom: new BloomFilter(BigInt(numBits), bits),
    sorted: false,
  };
}

async function summarizeColumnAsync(column: ColumnData, dataType: DataType, rowCount: number): Promise<ColumnSummary> {
  if (column.form === 'dictionary') return summarizeDictionary(column, rowCount);
  if (column.form === 'bytes') return summarizeBytes(column, rowCount);
  const n = native();
  const { bits, numBits } = emptyBloom(rowCount);
  const out = Buffer.alloc(n.VOLUME_SUMMARY_GLOBAL_BYTES + groupCount(rowCount) * n.VOLUME_SUMMARY_GROUP_BYTES);
  await callNativeAsync((b) => b.volumeSummarizeColumnAsync(column.kind, column.nulls, valueByteView(column), bits, numBits, out));
  return readFixedSummary(column, dataType, rowCount, out, new BloomFilter(BigInt(numBits), bits));
}

function assemble(schema: readonly { name: string; dataType: DataType }[], rowIds: BigInt64Array, columns: readonly ColumnData[], summaries: readonly ColumnSummary[]): FrozenVolume {
  const rowCount = rowIds.length;
  const columnMeta: ColumnMeta[] = schema.map((column, c) => {
    const data = columns[c]!;
    return {
      name: column.name,
      dataType: column.dataType,
      kind: data.kind,
      sorted: summaries[c]!.sorted,
      extType: data.form === 'bytes' ? data.extType : 0,
      dictionary: data.form === 'dictionary' ? data.dictionary : undefined,
    };
  });
  const rowGroups =
    rowCount > rowGroupRows()
      ? Array.from({ length: groupCount(rowCount) }, (_, g) => ({
          startRow: g * rowGroupRows(),
          endRow: g * rowGroupRows() + groupRowCount(rowCount, g),
          zoneMaps: summaries.map((s) => s.groupZoneMaps[g]!),
        }))
      : [];
  const metadata: VolumeMetadata = {
    rowCount,
    columns: columnMeta,
    rowIds,
    zoneMaps: summaries.map((s) => s.zoneMap),
    blooms: summaries.map((s) => s.bloom),
    stats: { totalRows: BigInt(rowCount), liveRows: BigInt(rowCount), columns: summaries.map((s) => s.stats) },
    rowGroups,
  };
  return { metadata, columns };
}

function summarizeColumnSync(column: ColumnData, dataType: DataType, rowCount: number): ColumnSummary {
  if (column.form === 'dictionary') return summarizeDictionary(column, rowCount);
  if (column.form === 'bytes') return summarizeBytes(column, rowCount);
  const n = native();
  const { bits, numBits } = emptyBloom(rowCount);
  const out = Buffer.alloc(n.VOLUME_SUMMARY_GLOBAL_BYTES + groupCount(rowCount) * n.VOLUME_SUMMARY_GROUP_BYTES);
  callNative((b) => b.volumeSummarizeColumn(column.kind, column.nulls, valueByteView(column), bits, numBits, out));
  return readFixedSummary(column, dataType, rowCount, out, new BloomFilter(BigInt(numBits), bits));
}

/** Metadata for finished columns, computed on the calling thread. */
export function summarizeVolume(schema: readonly { name: string; dataType: DataType }[], rowIds: BigInt64Array, columns: readonly ColumnData[]): FrozenVolume {
  const summaries = columns.map((column, c) => summarizeColumnSync(column, schema[c]!.dataType, rowIds.length));
  return assemble(schema, rowIds, columns, summaries);
}

/** Metadata for finished columns; fixed-width columns are summarized in parallel on the libuv pool. */
export async function summarizeVolumeAsync(schema: readonly { name: string; dataType: DataType }[], rowIds: BigInt64Array, columns: readonly ColumnData[]): Promise<FrozenVolume> {
  const summaries = await Promise.all(columns.map((column, c) => summarizeColumnAsync(column, schema[c]!.dataType, rowIds.length)));
  return assemble(schema, rowIds, columns, summaries);
}
