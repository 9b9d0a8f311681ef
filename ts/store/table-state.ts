/**
 * Everything the store knows about one table: its schema, its hot rows (committed since the
 * last seal, held in memory and in the WAL), its cold segments (sealed volumes, newest last)
 * and its tombstones (cold row ids that were deleted or superseded by a hot row).
 *
 * Visibility rule for a row id, first match wins:
 * 1. a hot row — the newest committed version;
 * 2. a tombstone — the row is deleted (or its newer version is hot);
 * 3. the newest cold segment holding the row id (later segments win, as in stoolap).
 *
 * Cold rows are read through a per-segment projection that maps schema columns to volume
 * columns by name and type (a volume written under an older schema reads missing columns as
 * the column default or a typed NULL), as stoolap does after schema changes.
 */
import { DataType } from '../codec/data-type';
import type { ColumnSchema, TableSchema } from '../codec/schema';
import { TypedNull, type Value } from '../codec/values';
import type { ManifestSegment, TableManifest, Tombstone } from '../manifest/table-manifest';
import { ColdSegment } from './cold-segment';
import { groupColumn, type GroupColumn } from './group-columns';
import { HotRows } from './hot-rows';

/** What a column the volume lacks reads as: its default, else its typed NULL (as stoolap). */
function missingValue(column: ColumnSchema): Value {
  return column.defaultValue ?? (column.dataType === DataType.Null ? null : TypedNull.of(column.dataType));
}

export interface ColdLocation {
  readonly segment: ColdSegment;
  readonly position: number;
}

export class TableState {
  schema: TableSchema;
  /** Lower-cased name: the key of the table and its directory under `volumes/`. */
  readonly key: string;
  readonly hot = new HotRows();
  /** Cold row id → commit LSN of the delete/update that hid it. */
  readonly tombstones = new Map<bigint, bigint>();
  /** Oldest first; a later segment wins for a duplicate row id. */
  readonly segments: ColdSegment[] = [];
  readonly #projections = new WeakMap<ColdSegment, Int32Array>();
  /** Manifest fields kept across checkpoints. */
  manifestCheckpointLsn = 0n;
  /** True once a manifest for this table exists on disk (it must then be kept current). */
  hasManifest = false;
  nextSegmentId = 0n;
  /** Next auto-increment row id (above every id seen, committed or reserved by an insert). */
  nextRowId = 1n;
  /**
   * Above the id of every committed row (hot or cold): everything that adds one calls
   * `noteRowId`, and `get` answers ids at or above it without a lookup.
   */
  #committedBound = 1n;

  constructor(schema: TableSchema) {
    this.schema = schema;
    this.key = schema.tableName.toLowerCase();
  }

  /** Index of the INTEGER PRIMARY KEY column whose value is the row id, or -1. */
  get rowIdColumn(): number {
    return this.schema.columns.findIndex((column) => column.primaryKey && column.dataType === DataType.Integer);
  }

  /** Records that row `rowId` exists: raises the auto-increment counter and the committed bound past it. */
  noteRowId(rowId: bigint): void {
    if (rowId >= this.nextRowId) this.nextRowId = rowId + 1n;
    if (rowId >= this.#committedBound) this.#committedBound = rowId + 1n;
  }

  /** Above the id of every committed row: an id at or above it is free of committed rows. */
  get committedBound(): bigint {
    return this.#committedBound;
  }

  /** Raises the auto-increment counter past `rowId`, taken by an insert that has not committed yet. */
  reserveRowId(rowId: bigint): void {
    if (rowId >= this.nextRowId) this.nextRowId = rowId + 1n;
  }

  addSegment(segment: ManifestSegment, reader: ColdSegment['reader']): ColdSegment {
    const cold = new ColdSegment(segment, reader);
    this.segments.push(cold);
    if (segment.segmentId >= this.nextSegmentId) this.nextSegmentId = segment.segmentId + 1n;
    this.noteRowId(segment.maxRowId);
    return cold;
  }

  /** The newest cold copy of `rowId`, ignoring tombstones. */
  coldLocation(rowId: bigint): ColdLocation | undefined {
    for (let index = this.segments.length - 1; index >= 0; index -= 1) {
      const segment = this.segments[index]!;
      const position = segment.positionOf(rowId);
      if (position >= 0) return { segment, position };
    }
    return undefined;
  }

  /** True when some cold segment holds `rowId` and no tombstone hides it. */
  hasVisibleColdRow(rowId: bigint): boolean {
    return !this.tombstones.has(rowId) && this.coldLocation(rowId) !== undefined;
  }

  /** The committed row `rowId`, or undefined. */
  get(rowId: bigint): Value[] | undefined {
    // Appends (the common insert) are above every committed id: no lookup needed.
    if (rowId >= this.#committedBound) return undefined;
    const hot = this.hot.get(rowId);
    if (hot !== undefined) return hot;
    if (this.tombstones.has(rowId)) return undefined;
    const cold = this.coldLocation(rowId);
    return cold === undefined ? undefined : this.coldRow(cold.segment, cold.position);
  }

  #projection(segment: ColdSegment): Int32Array {
    let projection = this.#projections.get(segment);
    if (projection === undefined) {
      const volumeColumns = segment.reader.columns;
      projection = Int32Array.from(this.schema.columns, (column) =>
        volumeColumns.findIndex((candidate) => candidate.name.toLowerCase() === column.name.toLowerCase() && candidate.dataType === column.dataType),
      );
      this.#projections.set(segment, projection);
    }
    return projection;
  }

  /** A cold row in the current schema's column order. */
  coldRow(segment: ColdSegment, position: number): Value[] {
    const projection = this.#projection(segment);
    return this.schema.columns.map((column, index) => {
      const source = projection[index]!;
      if (source >= 0) return segment.reader.getValue(source, position);
      return missingValue(column);
    });
  }

  /**
   * `coldRow` for many rows of one row group (the group starting at volume position
   * `groupStart`): each column's arrays are looked up once (group-columns.ts).
   */
  coldGroupRows(segment: ColdSegment, group: number, groupStart: number): (position: number) => Value[] {
    const projection = this.#projection(segment);
    const columns = this.schema.columns.map((column, index): GroupColumn => {
      const source = projection[index]!;
      if (source >= 0) return groupColumn(segment.reader, source, group, groupStart);
      const fallback = missingValue(column);
      return () => fallback;
    });
    return (position) => {
      const values = new Array<Value>(columns.length);
      for (let column = 0; column < columns.length; column += 1) values[column] = columns[column]!(position - groupStart);
      return values;
    };
  }

  /** Forgets cached projections (after a schema change). */
  resetProjections(schema: TableSchema): void {
    this.schema = schema;
    for (const segment of this.segments) this.#projections.delete(segment);
  }

  /** Number of visible rows (hot rows plus visible cold rows). */
  rowCount(): number {
    const overlapping = this.segments.some((a, i) => this.segments.some((b, j) => i < j && a.segment.minRowId <= b.segment.maxRowId && b.segment.minRowId <= a.segment.maxRowId));
    if (overlapping) return this.#rowCountSlow();
    // Segments hold disjoint row ids: count them, then correct for hidden and superseded rows.
    let count = this.segments.reduce((total, segment) => total + segment.reader.rowCount, 0);
    for (const rowId of this.tombstones.keys()) if (this.coldLocation(rowId) !== undefined) count -= 1;
    for (const rowId of this.hot.keys()) if (this.tombstones.has(rowId) || this.coldLocation(rowId) === undefined) count += 1;
    return count;
  }

  #rowCountSlow(): number {
    let count = this.hot.size;
    const seen = new Set<bigint>();
    for (let index = this.segments.length - 1; index >= 0; index -= 1) {
      for (const rowId of this.segments[index]!.reader.rowIds) {
        if (seen.has(rowId)) continue;
        seen.add(rowId);
        if (!this.hot.has(rowId) && !this.tombstones.has(rowId)) count += 1;
      }
    }
    return count;
  }

  /** The manifest that describes this table's cold state (spec §6.1). */
  toManifest(checkpointLsn: bigint): TableManifest {
    const tombstones: Tombstone[] = [...this.tombstones].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([rowId, commitSeq]) => ({ rowId, commitSeq }));
    return {
      nextSegmentId: this.nextSegmentId,
      checkpointLsn,
      tableName: this.key,
      segments: this.segments.map((segment) => segment.segment),
      tombstones,
      columnRenames: [],
      droppedColumns: [],
    };
  }
}
