/**
 * Candles as rows of `CANDLE_SCHEMA` (demo and benchmark), and the exact comparison the demo
 * uses to prove that what it reads back is what it wrote.
 */
import { Timestamp, type Value } from '../codec/values';
import type { Candle } from './candles';

/** The row in schema order: id, ticker, time, open, high, low, close, volume. */
export function candleRow(candle: Candle): Value[] {
  return [candle.id, candle.ticker, Timestamp.fromEpochNanos(candle.timeNanos), candle.open, candle.high, candle.low, candle.close, candle.volume];
}

/** Candles as the columns of `CANDLE_SCHEMA`, for `Transaction.insertColumns`. */
export function candleColumns(candles: readonly Candle[]): {
  id: BigInt64Array;
  ticker: string[];
  time: BigInt64Array;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: BigInt64Array;
} {
  const rows = candles.length;
  const columns = {
    id: new BigInt64Array(rows),
    ticker: new Array<string>(rows),
    time: new BigInt64Array(rows),
    open: new Float64Array(rows),
    high: new Float64Array(rows),
    low: new Float64Array(rows),
    close: new Float64Array(rows),
    volume: new BigInt64Array(rows),
  };
  for (let row = 0; row < rows; row += 1) {
    const candle = candles[row]!;
    columns.id[row] = candle.id;
    columns.ticker[row] = candle.ticker;
    columns.time[row] = candle.timeNanos;
    columns.open[row] = candle.open;
    columns.high[row] = candle.high;
    columns.low[row] = candle.low;
    columns.close[row] = candle.close;
    columns.volume[row] = candle.volume;
  }
  return columns;
}

/** True when `values` (schema order) are exactly the candle's: same bits for every float. */
export function isCandle(values: readonly Value[], candle: Candle): boolean {
  const time = values[2];
  return (
    values.length === 8 &&
    values[0] === candle.id &&
    values[1] === candle.ticker &&
    time instanceof Timestamp &&
    time.epochNanos === candle.timeNanos &&
    Object.is(values[3], candle.open) &&
    Object.is(values[4], candle.high) &&
    Object.is(values[5], candle.low) &&
    Object.is(values[6], candle.close) &&
    values[7] === candle.volume
  );
}
