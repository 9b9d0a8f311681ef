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
