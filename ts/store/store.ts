/**
 * `Store`: a stoolap-0.4-compatible database directory for Node — tables, transactions,
 * checkpoints that seal rows into volumes, crash recovery, and time-range scans.
 *
 * ```ts
 * await using store = await Store.open('./data', { syncMode: 'full' });
 * await store.createTable({ tableName: 'candles', columns: [...], foreignKeys: [] });
 * const txn = store.begin();
 * txn.insert('candles', { id: 1, time: new Date(), close: 101.5 });
 * await txn.commit();           // durable per syncMode, then visible
 * for (const row of store.scan('candles', { timeRange: { from, to } })) { ... }
 * ```
 *
 * Write path: transaction → WAL entries + commit (commit-pipeline.ts) → durable → applied to
 * the table's hot rows. Checkpoints (every `checkpointIntervalMs`, on demand, at close) seal
 * hot rows into volumes and truncate the WAL (checkpoint-cycle.ts). Recovery: open-store.ts.
 * Directory layout is stoolap's: `db.lock`, `wal/`, `volumes/<table>/{manifest.bin,vol_*.vol}`.
 */
import { join, resolve } from 'node:path';
import type { IndexMetadata } from '../codec/index-metadata';
import { encodeIndexMetadata } from '../codec/index-metadata';
import { rowToObject } from '../codec/row-shape';
import { encodeSchema, type TableSchema } from '../codec/schema';
import type { Value } from '../codec/values';
import { PermafrostError } from '../errors';
import { PersistenceManager } from '../persistence/persistence-manager';
import type { WalRecoveryReport } from '../wal/recovery';
import { WalOperation } from '../wal/wal-constants';
import { tableDirectoryName } from '../volume/table-name';
import { runCheckpointCycle, type CheckpointContext, type CheckpointReport } from './checkpoint-cycle';
import { CommitPipeline } from './commit-pipeline';
import { crashPoint } from './crash-points';
import { recoverStore, removeTableDirectory, retireSnapshots, type StoreRecoveryReport } from './open-store';
import { scanTable, type ScanOptions, type ScanRow, type ScanStats } from './scan';
import { SchemaCatalog } from './schema-catalog';
import { resolveStoreOptions, type ResolvedStoreOptions, type StoreOptions } from './store-options';
import { storeInfo, type StoreInfo } from './store-info';
import type { TableState } from './table-state';
import { Transaction, type TransactionHost } from './transaction';

export type StoreStatus = 'open' | 'poisoned' | 'closed';

export class Store implements AsyncDisposable {
  /** The database directory (absolute), or null for a memory-only store. */
  readonly path: string | null;
  /** What the open found and repaired. */
  readonly recovery: StoreRecoveryReport;
  readonly #pm: PersistenceManager;
  readonly #catalog: SchemaCatalog;
  readonly #options: ResolvedStoreOptions;
  readonly #pipeline: CommitPipeline;
  readonly #host: TransactionHost;
  #memoryTxnId = 0n;
  #timer: NodeJS.Timeout | undefined;
  #checkpointing: Promise<CheckpointReport> | undefined;
  #lastCheckpointError: unknown;
  #closing: Promise<void> | undefined;
  #closed = false;

  private constructor(path: string | null, pm: PersistenceManager, catalog: SchemaCatalog, recovery: StoreRecoveryReport, options: ResolvedStoreOptions) {
    this.path = path;
    this.#pm = pm;
    this.#catalog = catalog;
    this.recovery = recovery;
    this.#options = options;
    this.#pipeline = new CommitPipeline(pm);
    this.#host = {
      pipeline: this.#pipeline,
      table: (name) => this.#catalog.require(name),
      assertWritable: () => this.#assertWritable(),
    };
  }

  /**
   * Opens (creating if needed) the store in `dir`, or a memory-only store when `dir` is
   * null/undefined or `persistence: false`. Takes the directory lock first (ERR_LOCKED if
   * held), then recovers: volumes from manifests, then two-phase WAL replay.
   */
  static async open(dir?: string | null, options: StoreOptions = {}): Promise<Store> {
    const resolved = resolveStoreOptions(options);
    const path = dir === undefined || dir === null || options.persistence === false ? null : resolve(dir);
    const { rowsPerVolume: _rows, compressVolumes: _compress, checkpointOnClose: _onClose, ...persistence } = options;
    const pm = await PersistenceManager.open(path, { ...persistence, checkpointIntervalMs: resolved.checkpointIntervalMs || 60_000 });
    const catalog = new SchemaCatalog();
    let recovery: StoreRecoveryReport;
    try {
      recovery = await recoverStore(pm, catalog, path);
    } catch (error) {
      await pm.close().catch(() => undefined);
      throw error;
    }
    const store = new Store(path, pm, catalog, recovery, resolved);
    if (recovery.mode === 'legacy-snapshots') {
      // The migration: seal everything, retiring the snapshots before checkpoint.meta.
      try {
        await store.#pipeline.exclusive(() => runCheckpointCycle({ ...store.#cycleContext(path!), beforeCheckpointMeta: () => retireSnapshots(path!) }));
      } catch (error) {
        await pm.close().catch(() => undefined);
        throw error;
      }
    }
    store.#schedule();
    return store;
  }

  #schedule(): void {
    if (this.path === null || this.#options.checkpointIntervalMs === 0) return;
    this.#timer = setInterval(() => {
      if (this.#checkpointing !== undefined || this.status !== 'open') return;
      this.checkpoint().catch((error: unknown) => {
        this.#lastCheckpointError = error;
        process.emitWarning(`permafrost: periodic checkpoint failed: ${error instanceof Error ? error.message : String(error)}`);
      });
    }, this.#options.checkpointIntervalMs);
    this.#timer.unref();
  }

  get status(): StoreStatus {
    if (this.#closed || this.#closing !== undefined) return 'closed';
    return this.#pm.status === 'poisoned' ? 'poisoned' : 'open';
  }

  /** What the WAL layer repaired at open (torn tail cut, damage skipped). */
  get walRecovery(): WalRecoveryReport {
    return this.#pm.recoveryReport;
  }

  /** The error of the last periodic checkpoint that failed, if any. */
  get lastCheckpointError(): unknown {
    return this.#lastCheckpointError;
  }

  #assertOpen(): void {
    if (this.#closed || this.#closing !== undefined) throw new PermafrostError('ERR_CLOSED', 'the store is closed');
  }

  #assertWritable(): void {
    this.#assertOpen();
    if (this.#pm.status === 'poisoned') throw new PermafrostError('ERR_POISONED', 'an earlier write or fsync failed; reopen the store');
  }

  /** Names of the tables, in creation order. */
  tableNames(): string[] {
    this.#assertOpen();
    return [...this.#catalog.tables.values()].map((state) => state.schema.tableName);
  }

  schema(table: string): TableSchema {
    this.#assertOpen();
    return this.#catalog.require(table).schema;
  }

  indexes(table: string): IndexMetadata[] {
    this.#assertOpen();
    this.#catalog.require(table);
    return this.#catalog.indexesOf(table);
  }

  /** Creates a table (logged as stoolap logs CREATE TABLE, durable before it resolves). */
  async createTable(schema: TableSchema): Promise<void> {
    this.#assertWritable();
    tableDirectoryName(schema.tableName);
    if (schema.columns.length === 0) throw new PermafrostError('ERR_INVALID_ARGUMENT', `table '${schema.tableName}' needs at least one column`);
    if (this.#catalog.get(schema.tableName)) throw new PermafrostError('ERR_CONSTRAINT', `table '${schema.tableName}' already exists`);
    const payload = encodeSchema(schema);
    await this.#pipeline.exclusive(async () => {
      await this.#pm.recordDdl(schema.tableName, WalOperation.CreateTable, payload);
      this.#catalog.define(schema);
    });
  }

  /** Drops a table: logged first, then its volumes are deleted. False if it did not exist. */
  async dropTable(table: string): Promise<boolean> {
    this.#assertWritable();
    const state = this.#catalog.get(table);
    if (!state) return false;
    await this.#pipeline.exclusive(async () => {
      await this.#pm.recordDdl(state.schema.tableName, WalOperation.DropTable, new Uint8Array(0));
      crashPoint('drop.after-log');
      this.#catalog.drop(table);
      this.#pipeline.forgetTable(state);
      await Promise.all(state.segments.map((segment) => segment.reader.close()));
      if (this.path !== null) await removeTableDirectory(join(this.path, 'volumes', state.key));
    });
    return true;
  }

  /** Records an index (metadata only: it is recovered and re-recorded, not used for lookups). */
  async createIndex(index: IndexMetadata): Promise<void> {
    this.#assertWritable();
    const state = this.#catalog.require(index.tableName);
    for (const name of index.columnNames) {
      if (!state.schema.columns.some((column) => column.name.toLowerCase() === name.toLowerCase())) {
        throw new PermafrostError('ERR_INVALID_ARGUMENT', `table '${index.tableName}' has no column '${name}'`);
      }
    }
    if (this.#catalog.indexesOf(index.tableName).some((existing) => existing.name.toLowerCase() === index.name.toLowerCase())) {
      throw new PermafrostError('ERR_CONSTRAINT', `index '${index.name}' already exists on '${index.tableName}'`);
    }
    const payload = encodeIndexMetadata(index);
    await this.#pipeline.exclusive(async () => {
      await this.#pm.recordIndexOperation(index.tableName, WalOperation.CreateIndex, payload);
      this.#catalog.addIndex(index);
    });
  }

  async dropIndex(table: string, indexName: string): Promise<boolean> {
    this.#assertWritable();
    this.#catalog.require(table);
    if (!this.#catalog.indexesOf(table).some((index) => index.name.toLowerCase() === indexName.toLowerCase())) return false;
    await this.#pipeline.exclusive(async () => {
      await this.#pm.recordIndexOperation(table, WalOperation.DropIndex, Buffer.from(indexName, 'utf8'));
      this.#catalog.dropIndex(table, indexName);
    });
    return true;
  }

  /** Starts a transaction. Nothing is logged until `commit()`. */
  begin(): Transaction {
    this.#assertWritable();
    const id = this.#pm.enabled ? this.#pm.allocateTxnId() : (this.#memoryTxnId += 1n);
    return new Transaction(this.#host, id);
  }

  /** Runs `work` in a transaction: commits if it returns, rolls back if it throws. */
  async transaction<T>(work: (txn: Transaction) => T | Promise<T>): Promise<T> {
    const txn = this.begin();
    try {
      const result = await work(txn);
      if (txn.status === 'active') await txn.commit();
      return result;
    } catch (error) {
      await txn.rollback();
      throw error;
    }
  }

  #table(table: string): TableState {
    this.#assertOpen();
    return this.#catalog.require(table);
  }

  /** The committed row `rowId` keyed by column name, or undefined. */
  get(table: string, rowId: bigint | number): Record<string, Value> | undefined {
    const state = this.#table(table);
    const values = state.get(BigInt(rowId));
    return values === undefined ? undefined : rowToObject(state.schema, values);
  }

  /** The committed row `rowId` as values in schema order, or undefined. */
  getValues(table: string, rowId: bigint | number): Value[] | undefined {
    return this.#table(table).get(BigInt(rowId));
  }

  /**
   * The committed rows of `table`, optionally within a time range, skipping volumes and row
   * groups by zone map. Pass `stats` to learn what was skipped.
   */
  scan(table: string, options: ScanOptions = {}, stats?: ScanStats): Generator<ScanRow> {
    return scanTable(this.#table(table), options, stats);
  }

  /** Number of committed rows (optionally within a time range). */
  count(table: string, options: ScanOptions = {}): number {
    if (options.timeRange === undefined) return this.#table(table).rowCount();
    let rows = 0;
    for (const _ of this.scan(table, options)) rows += 1;
    return rows;
  }

  /**
   * Seals every committed row into volumes, publishes manifests and the catalog, writes
   * checkpoint.meta and truncates the WAL (see checkpoint-cycle.ts for the crash analysis).
   * Concurrent calls share one cycle.
   */
  checkpoint(): Promise<CheckpointReport> {
    this.#assertWritable();
    if (this.#checkpointing !== undefined) return this.#checkpointing;
    const run = async (): Promise<CheckpointReport> => {
      if (this.path === null) return { checkpointLsn: 0n, tablesSealed: 0, rowsSealed: 0, volumesWritten: 0, durationMs: 0 };
      const report = await this.#pipeline.exclusive(() => runCheckpointCycle(this.#cycleContext(this.path!)));
      this.#pipeline.pruneWriteStamps();
      return report;
    };
    this.#checkpointing = run().finally(() => {
      this.#checkpointing = undefined;
    });
    return this.#checkpointing;
  }

  #cycleContext(dir: string): CheckpointContext {
    return { pm: this.#pm, catalog: this.#catalog, dir, rowsPerVolume: this.#options.rowsPerVolume, compress: this.#options.compressVolumes };
  }

  /** Tables, volumes, row counts, time ranges, WAL span and checkpoint LSN. */
  async info(): Promise<StoreInfo> {
    this.#assertOpen();
    return storeInfo(this.path, this.#catalog, this.#pm);
  }

  /**
   * Closes the store: a final checkpoint (unless `checkpointOnClose: false`), then the WAL
   * is made durable and the lock released. Idempotent; later calls reject with ERR_CLOSED.
   */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      if (this.#timer !== undefined) clearInterval(this.#timer);
      try {
        await this.#checkpointing?.catch(() => undefined);
        if (this.#options.checkpointOnClose && this.path !== null && this.#pm.status === 'open') {
          await this.#pipeline.exclusive(() => runCheckpointCycle(this.#cycleContext(this.path!)));
        }
      } finally {
        for (const state of this.#catalog.tables.values()) await Promise.all(state.segments.map((segment) => segment.reader.close()));
        await this.#pm.close();
        this.#closed = true;
      }
    })();
    return this.#closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
