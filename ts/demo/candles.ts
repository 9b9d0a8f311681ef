/**
 * A realistic, deterministic time series for `permafrost demo` and the store benchmark:
 * one-minute OHLCV candlesticks for a few tickers, as a seeded random walk. The same seed
 * always gives the same rows, so a run can check exactly what it wrote.
 */
import { column, type TableSchema } from '../codec/schema';
import { DataType } from '../codec/data-type';

export const CANDLE_SCHEMA: TableSchema = {
  tableName: 'candles_1m',
  columns: [
    column('id', DataType.Integer, { nullable: false, primaryKey: true }),
    column('ticker', DataType.Text, { nullable: false }),
    column('time', DataType.Timestamp, { nullable: false }),
    column('open', DataType.Float, { nullable: false }),
    column('high', DataType.Float, { nullable: false }),
    column('low', DataType.Float, { nullable: false }),
    column('close', DataType.Float, { nullable: false }),
    column('volume', DataType.Integer, { nullable: false }),
  ],
  foreignKeys: [],
};

export const DEFAULT_TICKERS: readonly string[] = ['AAPL', 'MSFT', 'NVDA', 'AMZN'];
const MINUTE_NANOS = 60_000_000_000n;

export interface Candle {
  readonly id: bigint;
  readonly ticker: string;
  /** Start of the minute, nanoseconds since the epoch. */
  readonly timeNanos: bigint;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: bigint;
}

/** xorshift32: small, fast and deterministic; quality is plenty for synthetic prices. */
function random(seed: number): () => number {
  let state = seed >>> 0 || 0x9e3779b9;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 0x1_0000_0000;
  };
}

const cents = (price: number): number => Math.round(price * 100) / 100;

export interface CandleOptions {
  /** First minute, nanoseconds since the epoch. @default 2025-01-01T00:00:00Z */
  readonly startNanos?: bigint;
  /** @default DEFAULT_TICKERS */
  readonly tickers?: readonly string[];
  /** @default 42 */
  readonly seed?: number;
  /** Id of the first candle; ids increase by one. @default 1n */
  readonly firstId?: bigint;
}

/**
 * `count` candles in time order, tickers interleaved minute by minute (minute m holds
 * tickers[0..n) in order), ids ascending from `firstId`.
 */
export function* generateCandles(count: number, options: CandleOptions = {}): Generator<Candle> {
  const tickers = options.tickers ?? DEFAULT_TICKERS;
  const startNanos = options.startNanos ?? 1_735_689_600_000_000_000n;
  const next = random(options.seed ?? 42);
  const prices = tickers.map((_, index) => 100 + 50 * index);
  let id = options.firstId ?? 1n;
  for (let produced = 0; produced < count; produced += 1) {
    const tickerIndex = produced % tickers.length;
    const minute = BigInt(Math.floor(produced / tickers.length));
    const open = prices[tickerIndex]!;
    const close = cents(Math.max(1, open * (1 + (next() - 0.5) * 0.004)));
    const high = cents(Math.max(open, close) * (1 + next() * 0.001));
    const low = cents(Math.min(open, close) * (1 - next() * 0.001));
    prices[tickerIndex] = close;
    yield { id, ticker: tickers[tickerIndex]!, timeNanos: startNanos + minute * MINUTE_NANOS, open, high, low, close, volume: BigInt(1000 + Math.floor(next() * 50_000)) };
    id += 1n;
  }
}
