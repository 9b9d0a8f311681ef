import test from 'ava';
import { generateCandles } from '../../ts/demo/candles';
import { candleColumns } from '../../ts/demo/candle-rows';
import { ProgressBar } from '../../ts/cli/progress';

test('the same seed gives the same candles', (t) => {
  t.deepEqual([...generateCandles(100, { seed: 7 })], [...generateCandles(100, { seed: 7 })]);
});

test('candles interleave tickers minute by minute with ascending ids', (t) => {
  const candles = [...generateCandles(8, { tickers: ['A', 'B'] })];
  t.deepEqual(candles.map((c) => c.ticker), ['A', 'B', 'A', 'B', 'A', 'B', 'A', 'B']);
  t.deepEqual(candles.map((c) => c.id), [1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n]);
  t.is(candles[2]!.timeNanos - candles[0]!.timeNanos, 60_000_000_000n);
});

test('every candle is internally consistent (low <= open, close <= high)', (t) => {
  for (const candle of generateCandles(10_000)) {
    t.true(candle.low <= Math.min(candle.open, candle.close) && Math.max(candle.open, candle.close) <= candle.high);
  }
});

test('refilled candle columns hold exactly what fresh ones would', (t) => {
  const candles = [...generateCandles(20)];
  const reused = candleColumns(candles.slice(0, 10));
  const refilled = candleColumns(candles.slice(10), reused);
  t.is(refilled, reused);
  t.deepEqual(refilled, candleColumns(candles.slice(10)));
});

test('candle columns of another length are made afresh', (t) => {
  const candles = [...generateCandles(10)];
  const reused = candleColumns(candles);
  const shorter = candleColumns(candles.slice(0, 4), reused);
  t.not(shorter, reused);
  t.is(shorter.id.length, 4);
  t.is(reused.id[9], 10n);
});

test('a non-interactive progress bar prints quarters and a done line', (t) => {
  const lines: string[] = [];
  const bar = new ProgressBar({ interactive: false, write: (text) => lines.push(text) }, 'ingest', 100);
  for (let done = 0; done <= 100; done += 1) bar.update(done);
  bar.finish('1 M rows');
  t.deepEqual(lines.slice(0, 4), ['ingest: 0%\n', 'ingest: 25%\n', 'ingest: 50%\n', 'ingest: 75%\n']);
  t.regex(lines[4]!, /^ingest: done \(\d+\.\d\d s, 1 M rows\)\n$/);
});
