/**
 * Zone maps (spec §5.3, §5.7): min / max of the non-NULL, non-NaN values of a column, its
 * NULL count and row count — for the whole volume and for each 65,536-row group.
 *
 * Placeholders differ by scope, as in stoolap: a volume-wide zone map of a column without
 * values holds `null` (hint 0); a row-group zone map holds the column's typed NULL. BYTES
 * (Json, Vector) columns get min = max = the first value volume-wide (extensions only
 * compare for equality) and typed NULLs per group.
 */
import type { Value } from '../codec/values';

export interface ZoneMap {
  readonly min: Value;
  readonly max: Value;
  readonly nullCount: number;
  readonly rowCount: number;
}

/** One 65,536-row group: rows [startRow, endRow) and one zone map per column. */
export interface RowGroup {
  readonly startRow: number;
  readonly endRow: number;
  readonly zoneMaps: readonly ZoneMap[];
}
