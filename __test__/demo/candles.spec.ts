import test from 'ava';
import { CANDLE_SCHEMA, generateCandles } from '../../ts/demo/candles';
import { candleColumns, isCandle } from '../../ts/demo/candle-rows';
import { ingestCandles } from '../../ts/demo/ingest-candles';
import { Store } from '../../ts/store/store';
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

for (const [source, candles] of [
  ['an array', () => [...generateCandles(2_500)]],
  ['a generator', () => generateCandles(2_500)],
] as const) {
  test(`ingesting ${source} commits full batches and a shorter last one, every candle once`, async (t) => {
    await using store = await Store.open();
    await store.createTable(CANDLE_SCHEMA);
    const sizes: number[] = [];
    const result = await ingestCandles(store, candles(), 1_000, (batch) => sizes.push(batch.rows), { inFlight: 2 });
    t.deepEqual(result, { rows: 2_500, transactions: 3 });
    t.deepEqual(sizes, [1_000, 1_000, 500]);
    const expected = [...generateCandles(2_500)];
    const rows = [...store.scan(CANDLE_SCHEMA.tableName)];
    t.is(rows.length, 2_500);
    t.true(rows.every((row, index) => isCandle(row.values, expected[index]!)));
  });
}

test('a non-interactive progress bar prints quarters and a done line', (t) => {
  const lines: string[] = [];
  const bar = new ProgressBar({ interactive: false, write: (text) => lines.push(text) }, 'ingest', 100);
  for (let done = 0; done <= 100; done += 1) bar.update(done);
  bar.finish('1 M rows');
  t.deepEqual(lines.slice(0, 4), ['ingest: 0%\n', 'ingest: 25%\n', 'ingest: 50%\n', 'ingest: 75%\n']);
  t.regex(lines[4]!, /^ingest: done \(\d+\.\d\d s, 1 M rows\)\n$/);
});
