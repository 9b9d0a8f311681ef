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

/** The columns of `CANDLE_SCHEMA` as `Transaction.insertColumns` takes them. */
export type CandleColumns = {
  readonly id: BigInt64Array;
  readonly ticker: string[];
  readonly time: BigInt64Array;
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  readonly volume: BigInt64Array;
};

function newCandleColumns(rows: number): CandleColumns {
  return {
    id: new BigInt64Array(rows),
    ticker: new Array<string>(rows),
    time: new BigInt64Array(rows),
    open: new Float64Array(rows),
    high: new Float64Array(rows),
    low: new Float64Array(rows),
    close: new Float64Array(rows),
    volume: new BigInt64Array(rows),
  };
}

/**
 * Candles as columns, for `Transaction.insertColumns`. Fills `reuse` when it has exactly as
 * many rows: `insertColumns` copies what it is given, so one set of columns serves every batch
 * and a long ingest allocates no typed arrays (whose memory would drive the garbage collector).
 */
export function candleColumns(candles: readonly Candle[], reuse?: CandleColumns): CandleColumns {
  const rows = candles.length;
  const columns = reuse !== undefined && reuse.id.length === rows ? reuse : newCandleColumns(rows);
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
