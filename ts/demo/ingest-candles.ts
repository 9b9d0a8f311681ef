/**
 * Durable ingest of candles through the public `Store` API, one transaction per batch. When
 * `onBatch` runs, that batch is acknowledged — with `syncMode: 'full'` it is on disk and
 * survives a crash or a power cut. Batches are acknowledged in order.
 *
 * By default each batch goes in as columns (`insertColumns`) and each commit is awaited
 * before the next batch begins. `inFlight > 1` lets that many commits wait for the disk at
 * once while the next batches are prepared: they share fsyncs (group commit), and each is
 * still acknowledged only once durable.
 */
import type { Store } from '../store/store';
import { candleColumns, candleRow, type CandleColumns } from './candle-rows';
import { CANDLE_SCHEMA, type Candle } from './candles';

/** Commits `permafrost demo` lets wait for the disk at once (they share fsyncs; each is acknowledged only once durable). */
export const DEMO_COMMITS_IN_FLIGHT = 8;

export interface AcknowledgedBatch {
  readonly firstId: bigint;
  readonly lastId: bigint;
  readonly rows: number;
  readonly commitLsn: bigint;
}

export interface IngestResult {
  readonly rows: number;
  readonly transactions: number;
}

export interface IngestOptions {
  /** `columns`: one `insertColumns` per batch; `rows`: one `insert` per candle. @default 'columns' */
  readonly api?: 'columns' | 'rows';
  /** Commits allowed to wait for durability at once. @default 1 */
  readonly inFlight?: number;
}

/** `candles` in runs of `batchRows` (the last may be shorter); an array is sliced, not walked. */
function* batchesOf(candles: Iterable<Candle>, batchRows: number): Generator<Candle[]> {
  if (Array.isArray(candles)) {
    for (let start = 0; start < candles.length; start += batchRows) yield candles.slice(start, start + batchRows) as Candle[];
    return;
  }
  let batch: Candle[] = [];
  for (const candle of candles) {
    batch.push(candle);
    if (batch.length < batchRows) continue;
    yield batch;
    batch = [];
  }
  if (batch.length > 0) yield batch;
}

/** Commits `candles` into `CANDLE_SCHEMA`'s table in transactions of `batchRows` rows. */
export async function ingestCandles(
  store: Store,
  candles: Iterable<Candle>,
  batchRows: number,
  onBatch?: (batch: AcknowledgedBatch, rowsSoFar: number) => void,
  options: IngestOptions = {},
): Promise<IngestResult> {
  const table = CANDLE_SCHEMA.tableName;
  const inFlight = Math.max(1, options.inFlight ?? 1);
  const byRows = options.api === 'rows';
  let rows = 0;
  let transactions = 0;
  const waiting: Array<Promise<void>> = [];
  let failure: { error: unknown } | undefined;
  let columns: CandleColumns | undefined; // refilled for every batch: insertColumns copies it
  const submit = (batch: Candle[]): void => {
    const txn = store.begin();
    if (byRows) for (const candle of batch) txn.insert(table, candleRow(candle));
    else txn.insertColumns(table, (columns = candleColumns(batch, columns)));
    const acknowledged = txn.commit().then((commitLsn) => {
      rows += batch.length;
      transactions += 1;
      onBatch?.({ firstId: batch[0]!.id, lastId: batch[batch.length - 1]!.id, rows: batch.length, commitLsn }, rows);
    });
    waiting.push(acknowledged.catch((error: unknown) => void (failure ??= { error })));
  };
  for (const batch of batchesOf(candles, batchRows)) {
    submit(batch);
    if (waiting.length >= inFlight) await waiting.shift();
    if (failure !== undefined) break;
  }
  await Promise.all(waiting);
  if (failure !== undefined) throw failure.error;
  return { rows, transactions };
}
