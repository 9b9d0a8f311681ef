/**
 * A transaction: buffered row writes that become visible to others, all at once, when
 * `commit()` resolves (see commit-pipeline.ts for validation, logging and durability).
 * Inside the transaction, `get` sees its own writes. Nothing is logged until commit; a
 * rolled-back or abandoned transaction leaves no trace (stoolap logs DML only at commit).
 *
 * Row ids: in a table whose primary key is one INTEGER column, the row id is the key's
 * value (as in stoolap); otherwise `insert` assigns the next free id unless one is given.
 */
import { PermafrostError } from '../errors';
import { callNative } from '../native';
import { columnIndex, toRowValues, rowToObject, type RowInput } from '../codec/row-shape';
import { toColumnValue, type Value } from '../codec/values';
import type { BatchWrite, CommitPipeline, RowWrite } from './commit-pipeline';
import { toBatchColumns, type ColumnsInput } from './column-input';
import { RowBatch } from './row-batch';
import type { TableState } from './table-state';

export type TransactionStatus = 'active' | 'committing' | 'committed' | 'rolledBack';

/** What a transaction needs from its store. */
export interface TransactionHost {
  readonly pipeline: CommitPipeline;
  table(name: string): TableState;
  assertWritable(): void;
}

/** What `insertColumns` inserted. */
export interface InsertedRows {
  readonly rows: number;
  /** Row ids of the first and last row in the order given (undefined when no row was given). */
  readonly firstRowId: bigint | undefined;
  readonly lastRowId: bigint | undefined;
}

export interface InsertColumnsOptions {
  /** Row ids, one per row, for a table without an INTEGER PRIMARY KEY. @default the next free ids */
  readonly rowIds?: BigInt64Array | readonly (bigint | number)[];
}

interface BufferedWrite {
  values: Value[] | null;
  isInsert: boolean;
}

const I64_MIN = -(1n << 63n);
const I64_MAX = (1n << 63n) - 1n;

function rowIdOf(value: unknown, what: string): bigint {
  const id = typeof value === 'bigint' ? value : typeof value === 'number' && Number.isSafeInteger(value) ? BigInt(value) : undefined;
  if (id === undefined || id < I64_MIN || id > I64_MAX) throw new PermafrostError('ERR_INVALID_ARGUMENT', `${what} must be an i64 integer, got ${String(value)}`);
  return id;
}

export class Transaction implements AsyncDisposable {
  readonly id: bigint;
  readonly #host: TransactionHost;
  readonly #writes = new Map<TableState, Map<bigint, BufferedWrite>>();
  /** Batches from `insertColumns` (rows later updated or deleted in this transaction are hidden there). */
  readonly #batches = new Map<TableState, RowBatch[]>();
  #status: TransactionStatus = 'active';

  constructor(host: TransactionHost, id: bigint) {
    this.#host = host;
    this.id = id;
    host.pipeline.begin(id);
  }

  get status(): TransactionStatus {
    return this.#status;
  }

  #assertActive(): void {
    if (this.#status !== 'active') throw new PermafrostError('ERR_CLOSED', `transaction ${this.id} is ${this.#status}`);
    this.#host.assertWritable();
  }

  #tableWrites(state: TableState): Map<bigint, BufferedWrite> {
    let writes = this.#writes.get(state);
    if (!writes) this.#writes.set(state, (writes = new Map()));
    return writes;
  }

  #current(state: TableState, rowId: bigint): Value[] | undefined {
    const own = this.#writes.get(state)?.get(rowId);
    if (own !== undefined) return own.values ?? undefined;
    const batched = this.#ownBatchRow(state, rowId);
    if (batched !== undefined) return batched.batch.values(batched.index);
    return state.get(rowId);
  }

  /** ERR_CONSTRAINT when `rowId` exists for this transaction (its own writes, committed or pending data). */
  #assertFree(state: TableState, table: string, rowId: bigint): void {
    if (this.#current(state, rowId) !== undefined || this.#host.pipeline.currentRow(state, rowId) !== undefined) {
      throw new PermafrostError('ERR_CONSTRAINT', `row ${rowId} already exists in table '${table}'`);
    }
  }

  /** A visible row of one of this transaction's own batches. */
  #ownBatchRow(state: TableState, rowId: bigint): { batch: RowBatch; index: number } | undefined {
    for (const batch of this.#batches.get(state) ?? []) {
      const index = batch.indexOf(rowId);
      if (index >= 0) return { batch, index };
    }
    return undefined;
  }

  /** Inserts a row; returns its row id. ERR_CONSTRAINT if the id is taken (now or at commit). */
  insert(table: string, row: RowInput, options: { readonly rowId?: bigint | number } = {}): bigint {
    this.#assertActive();
    const state = this.#host.table(table);
    const values = toRowValues(state.schema, row);
    const keyColumn = state.rowIdColumn;
    let rowId: bigint;
    if (keyColumn >= 0) {
      const key = values[keyColumn];
      if (typeof key !== 'bigint') throw new PermafrostError('ERR_INVALID_ARGUMENT', `primary key '${state.schema.columns[keyColumn]!.name}' of table '${table}' must not be NULL`);
      if (options.rowId !== undefined && rowIdOf(options.rowId, 'rowId') !== key) {
        throw new PermafrostError('ERR_INVALID_ARGUMENT', `rowId ${options.rowId} differs from the primary key ${key}`);
      }
      rowId = key;
    } else {
      rowId = options.rowId === undefined ? state.nextRowId : rowIdOf(options.rowId, 'rowId');
    }
    this.#assertFree(state, table, rowId);
    state.reserveRowId(rowId);
    const writes = this.#tableWrites(state);
    const previous = writes.get(rowId);
    // Deleting then re-inserting a row in one transaction is an update of it.
    writes.set(rowId, { values, isInsert: previous === undefined ? true : previous.isInsert });
    return rowId;
  }

  /**
   * Inserts many rows given as columns (column-input.ts: typed arrays such as
   * `BigInt64Array` / `Float64Array`, or plain arrays), all or none. Row ids come from the
   * INTEGER PRIMARY KEY column, else `options.rowIds`, else the next free ids. Rows with
   * ascending ids above every id the table has seen (appends, the usual bulk load) stay
   * columnar all the way to the WAL and the hot rows; other batches are inserted row by row
   * with the same checks as `insert`. ERR_CONSTRAINT if an id is taken or repeated.
   */
  insertColumns(table: string, columns: ColumnsInput, options: InsertColumnsOptions = {}): InsertedRows {
    this.#assertActive();
    const state = this.#host.table(table);
    const { columns: batchColumns, rows } = toBatchColumns(state.schema, columns);
    if (rows === 0) return { rows: 0, firstRowId: undefined, lastRowId: undefined };
    const rowIds = this.#batchRowIds(state, table, batchColumns, rows, options);
    const batch = new RowBatch(state.schema, rowIds, batchColumns);
    batch.walColumns(); // encodes (and checks) the text now, not inside the commit
    const ascending = rows === 1 || callNative((binding) => binding.volumeFirstUnorderedI64(batch.rowIdBytes, true)) < 0;
    if (ascending && batch.firstId >= state.nextRowId) {
      // Above every id seen or reserved: no committed, pending or in-flight row can hold one.
      state.reserveRowId(batch.lastId);
      let own = this.#batches.get(state);
      if (!own) this.#batches.set(state, (own = []));
      own.push(batch);
    } else {
      this.#insertRowByRow(state, table, batch);
    }
    return { rows, firstRowId: rowIds[0], lastRowId: rowIds[rows - 1] };
  }

  #batchRowIds(state: TableState, table: string, columns: RowBatch['columns'], rows: number, options: InsertColumnsOptions): BigInt64Array {
    const keyColumn = state.rowIdColumn;
    if (keyColumn >= 0) {
      if (options.rowIds !== undefined) throw new PermafrostError('ERR_INVALID_ARGUMENT', `table '${table}' takes its row ids from its primary key; omit rowIds`);
      const key = columns[keyColumn]!;
      if (key.kind !== 'int64' || key.nulls !== undefined) {
        throw new PermafrostError('ERR_INVALID_ARGUMENT', `primary key '${state.schema.columns[keyColumn]!.name}' of table '${table}' must be given, without NULLs`);
      }
      return key.values;
    }
    if (options.rowIds !== undefined) {
      const given = options.rowIds instanceof BigInt64Array ? options.rowIds.slice() : BigInt64Array.from(options.rowIds, (id) => rowIdOf(id, 'rowId'));
      if (given.length !== rows) throw new PermafrostError('ERR_INVALID_ARGUMENT', `${given.length} row ids for ${rows} rows`);
      return given;
    }
    const first = state.nextRowId;
    if (first + BigInt(rows) - 1n > I64_MAX) throw new PermafrostError('ERR_LIMIT', `table '${table}' has no ${rows} free row ids left`);
    return BigInt64Array.from({ length: rows }, (_, row) => first + BigInt(row));
  }

  /** The general path of `insertColumns`: every row checked as `insert` checks it, then all buffered. */
  #insertRowByRow(state: TableState, table: string, batch: RowBatch): void {
    const seen = new Set<bigint>();
    for (const rowId of batch.rowIds) {
      if (seen.has(rowId)) throw new PermafrostError('ERR_CONSTRAINT', `row ${rowId} is given twice`);
      seen.add(rowId);
      this.#assertFree(state, table, rowId);
    }
    const writes = this.#tableWrites(state);
    for (let index = 0; index < batch.length; index += 1) {
      const rowId = batch.rowIds[index]!;
      state.reserveRowId(rowId);
      const previous = writes.get(rowId);
      writes.set(rowId, { values: batch.values(index), isInsert: previous === undefined ? true : previous.isInsert });
    }
  }

  /**
   * Changes columns of an existing row: an object updates the named columns, an array
   * replaces the whole row. ERR_NOT_FOUND if the row does not exist.
   */
  update(table: string, rowId: bigint | number, changes: RowInput): void {
    this.#assertActive();
    const state = this.#host.table(table);
    const id = rowIdOf(rowId, 'rowId');
    const current = this.#current(state, id);
    if (current === undefined) throw new PermafrostError('ERR_NOT_FOUND', `table '${table}' has no row ${id}`);
    let values: Value[];
    if (Array.isArray(changes)) values = toRowValues(state.schema, changes);
    else {
      values = [...current];
      for (const [key, raw] of Object.entries(changes)) {
        const index = columnIndex(state.schema, key);
        if (index < 0) throw new PermafrostError('ERR_INVALID_ARGUMENT', `table '${table}' has no column '${key}'`);
        values[index] = toColumnValue(raw, state.schema.columns[index]!.dataType);
      }
    }
    const keyColumn = state.rowIdColumn;
    if (keyColumn >= 0 && values[keyColumn] !== id) {
      throw new PermafrostError('ERR_INVALID_ARGUMENT', `the primary key of row ${id} cannot change (delete and insert instead)`);
    }
    const writes = this.#tableWrites(state);
    const batched = this.#ownBatchRow(state, id);
    if (batched !== undefined) {
      // A row this transaction inserted in a batch: it leaves the batch and stays an insert.
      batched.batch.hide(batched.index);
      writes.set(id, { values, isInsert: true });
      return;
    }
    writes.set(id, { values, isInsert: writes.get(id)?.isInsert ?? false });
  }

  /** Deletes a row; false if it does not exist. */
  delete(table: string, rowId: bigint | number): boolean {
    this.#assertActive();
    const state = this.#host.table(table);
    const id = rowIdOf(rowId, 'rowId');
    if (this.#current(state, id) === undefined) return false;
    const batched = this.#ownBatchRow(state, id);
    if (batched !== undefined) {
      batched.batch.hide(batched.index);
      return true;
    }
    const writes = this.#tableWrites(state);
    const previous = writes.get(id);
    if (previous?.isInsert) writes.delete(id);
    else writes.set(id, { values: null, isInsert: false });
    return true;
  }

  /** The row as this transaction sees it (its own writes over committed data). */
  get(table: string, rowId: bigint | number): Record<string, Value> | undefined {
    const state = this.#host.table(table);
    const values = this.#current(state, rowIdOf(rowId, 'rowId'));
    return values === undefined ? undefined : rowToObject(state.schema, values);
  }

  /**
   * Commits: resolves with the commit LSN once the writes are durable per the sync mode
   * and visible to readers. ERR_CONSTRAINT / ERR_CONFLICT leave nothing behind.
   */
  async commit(): Promise<bigint> {
    this.#assertActive();
    this.#status = 'committing';
    const writes: RowWrite[] = [];
    for (const [state, rows] of this.#writes) {
      for (const [rowId, write] of rows) writes.push({ state, rowId, values: write.values, isInsert: write.isInsert });
    }
    const batches: BatchWrite[] = [];
    for (const [state, own] of this.#batches) {
      for (const batch of own) {
        const live = batch.compact(state.schema);
        if (live !== undefined) batches.push({ state, batch: live });
      }
    }
    try {
      const lsn = await this.#host.pipeline.commit(this.id, writes, batches);
      this.#status = 'committed';
      return lsn;
    } catch (error) {
      this.#status = 'rolledBack';
      throw error;
    } finally {
      this.#host.pipeline.end(this.id);
    }
  }

  /** Discards every write. Idempotent; a no-op after commit. */
  async rollback(): Promise<void> {
    if (this.#status !== 'active') return;
    this.#status = 'rolledBack';
    this.#writes.clear();
    this.#batches.clear();
    this.#host.pipeline.end(this.id);
  }

  /** `await using txn = store.begin()` rolls back whatever was not committed. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.rollback();
  }
}
