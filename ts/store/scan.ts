/**
 * Scanning a table: visible rows from cold segments and hot rows, optionally limited to a
 * time range [from, to) on a TIMESTAMP column.
 *
 * Pruning, coarse to fine: a volume whose zone map for the column lies outside the range is
 * skipped without decompressing anything; inside a volume, a 65,536-row group whose zone map
 * lies outside is skipped; only the column's values of the remaining groups are decompressed
 * to test rows, and other columns are decompressed only for rows that match.
 *
 * Order: volume by volume in order of their first row id (ascending row ids within each),
 * then hot rows by ascending row id — ascending overall for append-only tables. Hot rows of
 * columnar batches are filtered on their typed time column before a row is materialised.
 */
import { DataType } from '../codec/data-type';
import { columnIndex } from '../codec/row-shape';
import { Timestamp, type Value } from '../codec/values';
import { PermafrostError } from '../errors';
import type { ColdSegment } from './cold-segment';
import type { TableState } from './table-state';
import type { ZoneMap } from '../volume/zone-map';

/** A point in time: a Timestamp, a Date, or nanoseconds since the epoch. */
export type TimeInput = Timestamp | Date | bigint;

export interface TimeRange {
  /** The TIMESTAMP column to filter on. @default the table's first TIMESTAMP column */
  readonly column?: string;
  /** Inclusive lower bound. @default unbounded */
  readonly from?: TimeInput;
  /** Exclusive upper bound. @default unbounded */
  readonly to?: TimeInput;
}

export interface ScanOptions {
  readonly timeRange?: TimeRange;
}

export interface ScanRow {
  readonly rowId: bigint;
  /** Values in schema column order. */
  readonly values: Value[];
}

/** What a scan skipped and examined (for `explain` output and tests). */
export interface ScanStats {
  volumesSkipped: number;
  groupsSkipped: number;
  groupsRead: number;
  rowsMatched: number;
}

const NANOS_MIN = -(1n << 63n);
const NANOS_MAX = (1n << 63n) - 1n;

function nanos(input: TimeInput | undefined, fallback: bigint): bigint {
  if (input === undefined) return fallback;
  if (typeof input === 'bigint') return input;
  if (input instanceof Date) return Timestamp.fromDate(input).epochNanos;
  if (input instanceof Timestamp) return input.epochNanos;
  throw new PermafrostError('ERR_INVALID_ARGUMENT', 'a time bound must be a Timestamp, a Date or epoch nanoseconds (bigint)');
}

interface Filter {
  /** Schema column index of the time column. */
  readonly column: number;
  readonly from: bigint;
  readonly to: bigint;
}

/** True when `value` is a Timestamp inside the filter's [from, to). */
function timeInRange(value: Value | undefined, filter: Filter): boolean {
  if (!(value instanceof Timestamp)) return false;
  const at = value.epochNanos;
  return at >= filter.from && at < filter.to;
}

function resolveFilter(state: TableState, range: TimeRange | undefined): Filter | undefined {
  if (range === undefined) return undefined;
  const columns = state.schema.columns;
  const column = range.column === undefined
    ? columns.findIndex((c) => c.dataType === DataType.Timestamp)
    : columnIndex(state.schema, range.column);
  if (column < 0 || columns[column]!.dataType !== DataType.Timestamp) {
    throw new PermafrostError('ERR_INVALID_ARGUMENT', `table '${state.schema.tableName}' has no TIMESTAMP column ${range.column === undefined ? '' : `'${range.column}'`}`.trim());
  }
  return { column, from: nanos(range.from, NANOS_MIN), to: nanos(range.to, NANOS_MAX) };
}

function zoneOutside(zone: ZoneMap, filter: Filter): boolean {
  if (!(zone.min instanceof Timestamp) || !(zone.max instanceof Timestamp)) return zone.rowCount === zone.nullCount;
  return zone.max.epochNanos < filter.from || zone.min.epochNanos >= filter.to;
}

/** Index of the first value ≥ `bound` in non-decreasing `values`. */
function lowerBound(values: BigInt64Array, bound: bigint): number {
  let low = 0;
  let high = values.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (values[middle]! < bound) low = middle + 1;
    else high = middle;
  }
  return low;
}

function* scanSegment(state: TableState, segment: ColdSegment, newer: readonly ColdSegment[], filter: Filter | undefined, stats: ScanStats): Generator<ScanRow> {
  const reader = segment.reader;
  const volumeColumn = filter === undefined ? -1 : reader.columnIndex(state.schema.columns[filter.column]!.name) ?? -1;
  if (filter !== undefined && (volumeColumn < 0 || zoneOutside(reader.zoneMap(volumeColumn), filter))) {
    stats.volumesSkipped += 1;
    return;
  }
  const rowIds = reader.rowIds;
  const overlapping = newer.filter((other) => other.segment.minRowId <= segment.segment.maxRowId && other.segment.maxRowId >= segment.segment.minRowId);
  const groups = reader.groupCount;
  const groupZones = reader.rowGroups;
  // A sorted time column (ascending, no NULLs: the usual append-only series) is searched, not
  // scanned: a one-day query then touches its rows only, not all 65,536 of the group.
  const sorted = filter !== undefined && reader.isSorted(volumeColumn);
  for (let group = 0; group < groups; group += 1) {
    const start = group * 65_536;
    const end = Math.min(rowIds.length, start + 65_536);
    if (filter !== undefined && groupZones.length > 0 && zoneOutside(groupZones[group]!.zoneMaps[volumeColumn]!, filter)) {
      stats.groupsSkipped += 1;
      continue;
    }
    stats.groupsRead += 1;
    let rowsOfGroup: ((position: number) => Value[]) | undefined;
    const times = filter === undefined ? undefined : reader.group(volumeColumn, group);
    let first = start;
    let last = end;
    if (sorted) {
      const values = times!.values as BigInt64Array;
      first = start + lowerBound(values, filter.from);
      last = start + lowerBound(values, filter.to);
    }
    for (let row = first; row < last; row += 1) {
      if (times !== undefined && !sorted) {
        if (times.nulls[row - start] !== 0) continue;
        const at = (times.values as BigInt64Array)[row - start]!;
        if (at < filter!.from || at >= filter!.to) continue;
      }
      const rowId = rowIds[row]!;
      if ((state.hot.size > 0 && state.hot.has(rowId)) || (state.tombstones.size > 0 && state.tombstones.has(rowId))) continue;
      if (overlapping.length > 0 && overlapping.some((other) => other.positionOf(rowId) >= 0)) continue;
      stats.rowsMatched += 1;
      rowsOfGroup ??= state.coldGroupRows(segment, group, start);
      yield { rowId, values: rowsOfGroup(row) };
    }
  }
}

/** The visible rows of `state` (see the module comment for order and pruning). */
export function* scanTable(state: TableState, options: ScanOptions = {}, stats: ScanStats = { volumesSkipped: 0, groupsSkipped: 0, groupsRead: 0, rowsMatched: 0 }): Generator<ScanRow> {
  const filter = resolveFilter(state, options.timeRange);
  const segments = state.segments.map((segment, index) => ({ segment, index })).sort((a, b) => (a.segment.segment.minRowId < b.segment.segment.minRowId ? -1 : 1));
  for (const { segment, index } of segments) {
    yield* scanSegment(state, segment, state.segments.slice(index + 1), filter, stats);
  }
  for (const piece of state.hot.pieces()) {
    if (!('batch' in piece)) {
      if (filter !== undefined && !timeInRange(piece.values[filter.column], filter)) continue;
      stats.rowsMatched += 1;
      yield { rowId: piece.rowId, values: piece.values };
      continue;
    }
    const { batch, start, end } = piece;
    const times = filter === undefined ? undefined : batch.columns[filter.column];
    for (let index = start; index < end; index += 1) {
      if (filter !== undefined) {
        // A typed time column is tested without materialising the row.
        if (times?.kind === 'timestamp') {
          if (times.nulls?.[index]) continue;
          const at = times.values[index]!;
          if (at < filter.from || at >= filter.to) continue;
        } else if (!timeInRange(batch.value(filter.column, index), filter)) continue;
      }
      stats.rowsMatched += 1;
      yield { rowId: batch.rowIds[index]!, values: batch.values(index) };
    }
  }
}
