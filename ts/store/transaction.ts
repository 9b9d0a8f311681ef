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
import { toRowValues, rowToObject, type RowInput } from '../codec/row-shape';
import { toColumnValue, type Value } from '../codec/values';
import type { CommitPipeline, RowWrite } from './commit-pipeline';
import type { TableState } from './table-state';

export type TransactionStatus = 'active' | 'committing' | 'committed' | 'rolledBack';

/** What a transaction needs from its store. */
export interface TransactionHost {
  readonly pipeline: CommitPipeline;
  table(name: string): TableState;
  assertWritable(): void;
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
    return state.get(rowId);
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
    if (this.#current(state, rowId) !== undefined || this.#host.pipeline.currentRow(state, rowId) !== undefined) {
      throw new PermafrostError('ERR_CONSTRAINT', `row ${rowId} already exists in table '${table}'`);
    }
    state.reserveRowId(rowId);
    const writes = this.#tableWrites(state);
    const previous = writes.get(rowId);
    // Deleting then re-inserting a row in one transaction is an update of it.
    writes.set(rowId, { values, isInsert: previous === undefined ? true : previous.isInsert });
    return rowId;
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
        const index = state.schema.columns.findIndex((c) => c.name === key || c.name.toLowerCase() === key.toLowerCase());
        if (index < 0) throw new PermafrostError('ERR_INVALID_ARGUMENT', `table '${table}' has no column '${key}'`);
        values[index] = toColumnValue(raw, state.schema.columns[index]!.dataType);
      }
    }
    const keyColumn = state.rowIdColumn;
    if (keyColumn >= 0 && values[keyColumn] !== id) {
      throw new PermafrostError('ERR_INVALID_ARGUMENT', `the primary key of row ${id} cannot change (delete and insert instead)`);
    }
    const writes = this.#tableWrites(state);
    writes.set(id, { values, isInsert: writes.get(id)?.isInsert ?? false });
  }

  /** Deletes a row; false if it does not exist. */
  delete(table: string, rowId: bigint | number): boolean {
    this.#assertActive();
    const state = this.#host.table(table);
    const id = rowIdOf(rowId, 'rowId');
    if (this.#current(state, id) === undefined) return false;
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
    try {
      const lsn = await this.#host.pipeline.commit(this.id, writes);
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
    this.#host.pipeline.end(this.id);
  }

  /** `await using txn = store.begin()` rolls back whatever was not committed. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.rollback();
  }
}
