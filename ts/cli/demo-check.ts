/**
 * What the demo proves after it reopens the crashed store, and the query it runs.
 *
 * The check: the table's rows, read back in row-id order, are exactly the first M candles of
 * the seeded series — no gap, every value bit-for-bit — where M covers every row ingested
 * before the crash and every batch the child acknowledged. Rows past the last acknowledged
 * batch are allowed (a commit can be durable before its acknowledgement is printed) but only
 * as whole batches: a transaction is all there or not at all.
 */
import type { ScanStats } from '../store/scan';
import type { Store } from '../store/store';
import { isCandle } from '../demo/candle-rows';
import { CANDLE_SCHEMA, DEFAULT_TICKERS, generateCandles } from '../demo/candles';

/** The candle series' first minute (generateCandles' default). */
const SERIES_START_NANOS = 1_735_689_600_000_000_000n;
const MINUTE_NANOS = 60_000_000_000n;
const DAY_MINUTES = 1440n;
/** NYSE regular session in UTC (9:30–16:00 New York, winter time). */
const SESSION_OPEN_MINUTE = 14n * 60n + 30n;
const SESSION_CLOSE_MINUTE = 21n * 60n;
const PROBLEMS_SHOWN = 5;

export interface LossCheck {
  readonly rowsChecked: number;
  readonly lastId: bigint;
  /** Rows committed by the child after its last acknowledgement (whole batches). */
  readonly unacknowledgedRows: number;
  /** The first few problems; empty when nothing was lost or changed. */
  readonly problems: readonly string[];
}

/** Compares the table with the series; `lastAcknowledgedId` is the id every row up to must exist. */
export function checkNothingLost(store: Store, lastAcknowledgedId: bigint, batchRows: number, onProgress?: (rows: number) => void): LossCheck {
  const problems: string[] = [];
  const note = (problem: string): void => {
    if (problems.length < PROBLEMS_SHOWN) problems.push(problem);
  };
  const series = generateCandles(Number.MAX_SAFE_INTEGER);
  let rowsChecked = 0;
  let lastId = 0n;
  for (const row of store.scan(CANDLE_SCHEMA.tableName)) {
    const candle = series.next().value!;
    if (row.rowId !== candle.id) {
      note(row.rowId > candle.id ? `rows ${candle.id}–${row.rowId - 1n} are missing` : `unexpected row ${row.rowId}`);
      break; // the series is out of step from here; one report says it
    }
    if (!isCandle(row.values, candle)) note(`row ${row.rowId} differs from the generated candle`);
    lastId = row.rowId;
    rowsChecked += 1;
    if (rowsChecked % 65_536 === 0) onProgress?.(rowsChecked);
  }
  onProgress?.(rowsChecked);
  if (lastId < lastAcknowledgedId) note(`acknowledged rows ${lastId + 1n}–${lastAcknowledgedId} are missing`);
  const extra = lastId > lastAcknowledgedId ? Number(lastId - lastAcknowledgedId) : 0;
  if (extra % batchRows !== 0) note(`a partial transaction: ${extra % batchRows} rows of a ${batchRows}-row batch after row ${lastAcknowledgedId}`);
  return { rowsChecked, lastId, unacknowledgedRows: extra, problems };
}

export interface QueryResult {
  readonly ticker: string;
  readonly fromNanos: bigint;
  readonly toNanos: bigint;
  readonly rows: number;
  readonly expectedRows: number;
  readonly firstMs: number;
  readonly repeatMs: number;
  readonly stats: ScanStats;
}

/** One trading session for one ticker: in the middle of the data, or the first day when that is short. */
export function chooseSession(lastId: bigint): { fromNanos: bigint; toNanos: bigint } {
  const minutes = (lastId + BigInt(DEFAULT_TICKERS.length) - 1n) / BigInt(DEFAULT_TICKERS.length);
  let day = minutes / 2n / DAY_MINUTES;
  if (day * DAY_MINUTES + SESSION_OPEN_MINUTE >= minutes) day = 0n;
  const dayStart = SERIES_START_NANOS + day * DAY_MINUTES * MINUTE_NANOS;
  return { fromNanos: dayStart + SESSION_OPEN_MINUTE * MINUTE_NANOS, toNanos: dayStart + SESSION_CLOSE_MINUTE * MINUTE_NANOS };
}

/** Rows of `ticker` in [from, to) among ids 1..lastId (minute m holds ids 4m+1..4m+4). */
function expectedSessionRows(ticker: string, fromNanos: bigint, toNanos: bigint, lastId: bigint): number {
  const tickerIndex = BigInt(DEFAULT_TICKERS.indexOf(ticker));
  const tickers = BigInt(DEFAULT_TICKERS.length);
  let rows = 0;
  for (let minute = (fromNanos - SERIES_START_NANOS) / MINUTE_NANOS; minute < (toNanos - SERIES_START_NANOS) / MINUTE_NANOS; minute += 1n) {
    if (minute * tickers + tickerIndex + 1n <= lastId) rows += 1;
  }
  return rows;
}

function runQuery(store: Store, ticker: string, fromNanos: bigint, toNanos: bigint, stats: ScanStats): number {
  let rows = 0;
  for (const row of store.scan(CANDLE_SCHEMA.tableName, { timeRange: { from: fromNanos, to: toNanos } }, stats)) {
    if (row.values[1] === ticker) rows += 1;
  }
  return rows;
}

/** Runs the session query twice (the first decompresses, the second finds groups cached). */
export function sessionQuery(store: Store, ticker: string, lastId: bigint): QueryResult {
  const { fromNanos, toNanos } = chooseSession(lastId);
  const stats: ScanStats = { volumesSkipped: 0, groupsSkipped: 0, groupsRead: 0, rowsMatched: 0 };
  let started = performance.now();
  const rows = runQuery(store, ticker, fromNanos, toNanos, stats);
  const firstMs = performance.now() - started;
  started = performance.now();
  runQuery(store, ticker, fromNanos, toNanos, { volumesSkipped: 0, groupsSkipped: 0, groupsRead: 0, rowsMatched: 0 });
  const repeatMs = performance.now() - started;
  return { ticker, fromNanos, toNanos, rows, expectedRows: expectedSessionRows(ticker, fromNanos, toNanos, lastId), firstMs, repeatMs, stats };
}
