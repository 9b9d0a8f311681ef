/**
 * A table's time column — its first TIMESTAMP column — whose range per volume the STVC
 * catalog records (in microseconds) so time-range scans can skip whole volumes.
 */
import { DataType } from '../codec/data-type';
import { Timestamp, type Value } from '../codec/values';
import type { VolumeReader } from '../volume/volume-reader';
import type { TableState } from './table-state';

/** Index of the table's time column, or -1. */
export function timeColumnIndex(state: TableState): number {
  return state.schema.columns.findIndex((column) => column.dataType === DataType.Timestamp);
}

export function micros(value: Value): bigint | undefined {
  if (!(value instanceof Timestamp)) return undefined;
  const nanos = value.epochNanos;
  return nanos / 1000n - (nanos % 1000n < 0n ? 1n : 0n);
}

export function segmentTimes(state: TableState, reader: VolumeReader): { timeMinMicros: bigint; timeMaxMicros: bigint } {
  const column = timeColumnIndex(state);
  if (column < 0) return { timeMinMicros: 0n, timeMaxMicros: 0n };
  const volumeColumn = reader.columnIndex(state.schema.columns[column]!.name);
  if (volumeColumn === undefined) return { timeMinMicros: 0n, timeMaxMicros: 0n };
  const zone = reader.zoneMap(volumeColumn);
  return { timeMinMicros: micros(zone.min) ?? 0n, timeMaxMicros: micros(zone.max) ?? 0n };
}
