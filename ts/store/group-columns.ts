/**
 * Reading many rows of one volume row group: each column's decoded arrays are fetched once
 * (`reader.group`) and read by a small per-kind function, instead of one `getValue` per value
 * (which finds the group, the kind and the arrays again every time). Scans use it; values
 * are exactly what `getValue` returns — NULLs, NaN bit patterns and BYTES columns are handed
 * to `getValue` itself.
 */
import type { Value } from '../codec/values';
import { Timestamp } from '../codec/values';
import { columnKinds } from '../volume/column-kind';
import type { VolumeReader } from '../volume/volume-reader';

/** A column's value at a position inside the group (0-based from the group's first row). */
export type GroupColumn = (index: number) => Value;

/** Reads column `column` of group `group` of `reader`. */
export function groupColumn(reader: VolumeReader, column: number, group: number, groupStart: number): GroupColumn {
  const meta = reader.columns[column]!;
  const { nulls, values } = reader.group(column, group);
  const slow: GroupColumn = (index) => reader.getValue(column, groupStart + index);
  const kinds = columnKinds();
  switch (meta.kind) {
    case kinds.INT64: {
      const ints = values as BigInt64Array;
      return (index) => (nulls[index] !== 0 ? slow(index) : ints[index]!);
    }
    case kinds.TIMESTAMP: {
      const nanos = values as BigInt64Array;
      return (index) => (nulls[index] !== 0 ? slow(index) : Timestamp.fromEpochNanos(nanos[index]!));
    }
    case kinds.FLOAT64: {
      const floats = values as Float64Array;
      return (index) => {
        const value = floats[index]!;
        return nulls[index] !== 0 || Number.isNaN(value) ? slow(index) : value;
      };
    }
    case kinds.BOOLEAN: {
      const flags = values as Uint8Array;
      return (index) => (nulls[index] !== 0 ? slow(index) : flags[index] !== 0);
    }
    case kinds.DICTIONARY: {
      const ids = values as Uint32Array;
      const dictionary = meta.dictionary!;
      return (index) => (nulls[index] !== 0 ? slow(index) : dictionary[ids[index]!]!);
    }
    default:
      return slow;
  }
}
