/**
 * Pre-computed aggregates per column (stoolap `VolumeAggregateStats`, spec §5.3, §5.7).
 * Integers add into an i128 `sumInt`, floats into `sumFloat` in row order; NaN is not
 * counted anywhere; `numericCount` counts Integer and Float values only.
 */
import type { Value } from '../codec/values';

export interface ColumnStats {
  /** i128 on disk. */
  readonly sumInt: bigint;
  readonly sumFloat: number;
  readonly numericCount: bigint;
  readonly nonNullCount: bigint;
  readonly min: Value;
  readonly max: Value;
}

export interface VolumeStats {
  readonly totalRows: bigint;
  readonly liveRows: bigint;
  readonly columns: readonly ColumnStats[];
}

/** SUM as stoolap's `sum_as_f64` computes it (loses precision beyond 2^53). */
export function statsSum(stats: ColumnStats): number {
  return Number(stats.sumInt) + stats.sumFloat;
}

/** AVG, or undefined without numeric values. */
export function statsAverage(stats: ColumnStats): number | undefined {
  return stats.numericCount === 0n ? undefined : statsSum(stats) / Number(stats.numericCount);
}
