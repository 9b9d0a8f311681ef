/**
 * Durable ingest of candles through the public `Store` API, one transaction per batch, each
 * commit awaited before the next begins: when `onBatch` runs, that batch is acknowledged —
 * with `syncMode: 'full'` it is on disk and survives a crash or a power cut.
 */
import type { Store } from '../store/store';
import { candleRow } from './candle-rows';
import { CANDLE_SCHEMA, type Candle } from './candles';

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

/** Commits `candles` into `CANDLE_SCHEMA`'s table in transactions of `batchRows` rows. */
export async function ingestCandles(store: Store, candles: Iterable<Candle>, batchRows: number, onBatch?: (batch: AcknowledgedBatch, rowsSoFar: number) => void): Promise<IngestResult> {
  const table = CANDLE_SCHEMA.tableName;
  let rows = 0;
  let transactions = 0;
  let txn = store.begin();
  let firstId: bigint | undefined;
  let lastId = 0n;
  let inBatch = 0;
  const commit = async (): Promise<void> => {
    const commitLsn = await txn.commit();
    rows += inBatch;
    transactions += 1;
    onBatch?.({ firstId: firstId!, lastId, rows: inBatch, commitLsn }, rows);
    inBatch = 0;
    firstId = undefined;
  };
  for (const candle of candles) {
    txn.insert(table, candleRow(candle));
    firstId ??= candle.id;
    lastId = candle.id;
    inBatch += 1;
    if (inBatch === batchRows) {
      await commit();
      txn = store.begin();
    }
  }
  if (inBatch > 0) await commit();
  else await txn.rollback();
  return { rows, transactions };
}
