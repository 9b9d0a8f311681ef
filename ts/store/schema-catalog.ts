/**
 * The store's in-memory catalog: tables (by lower-cased name), their indexes, and views.
 * Schemas live only in the WAL (spec §11 item 7), so every checkpoint re-records all of it
 * (`ddlRecords`) before the WAL is truncated.
 */
import { encodeIndexMetadata, type IndexMetadata } from '../codec/index-metadata';
import { encodeSchema, type TableSchema } from '../codec/schema';
import { encodeViewDefinition, type ViewDefinition } from '../codec/view-definition';
import { PermafrostError } from '../errors';
import { WalOperation } from '../wal/wal-constants';
import type { TableManifest } from '../manifest/table-manifest';
import type { VolumeReader } from '../volume/volume-reader';
import { TableState } from './table-state';

/** A table's volumes as loaded from its manifest, waiting for its CREATE TABLE in the WAL. */
export interface ColdState {
  readonly manifest: TableManifest;
  readonly readers: readonly VolumeReader[];
}

export interface DdlRecord {
  readonly tableName: string;
  readonly operation: number;
  readonly payload: Buffer;
}

export class SchemaCatalog {
  readonly tables = new Map<string, TableState>();
  readonly indexes = new Map<string, Map<string, IndexMetadata>>();
  readonly views = new Map<string, ViewDefinition>();
  /**
   * Tables (lower-cased names) dropped during replay: once replay ends their volume
   * directories are deleted, even if a later CREATE TABLE re-created the name — whatever the
   * directory holds belongs to the dropped table, or was sealed later in a cycle that never
   * truncated the WAL, whose rows replay has just restored.
   */
  readonly droppedDuringReplay = new Set<string>();
  /** Volume readers of tables dropped during replay (closed once replay ends). */
  readonly droppedReaders: VolumeReader[] = [];
  /** Volume directories loaded at open whose table has not been created (yet). */
  readonly pendingCold = new Map<string, ColdState>();

  get(name: string): TableState | undefined {
    return this.tables.get(name.toLowerCase());
  }

  require(name: string): TableState {
    const state = this.get(name);
    if (!state) throw new PermafrostError('ERR_NOT_FOUND', `no table '${name}'`);
    return state;
  }

  /** Creates the table, or (for a re-recorded CREATE TABLE) replaces its schema and keeps its rows. */
  define(schema: TableSchema): TableState {
    const key = schema.tableName.toLowerCase();
    const existing = this.tables.get(key);
    if (existing) {
      existing.resetProjections(schema);
      return existing;
    }
    const state = new TableState(schema);
    this.tables.set(key, state);
    const cold = this.pendingCold.get(key);
    if (cold) {
      this.pendingCold.delete(key);
      cold.manifest.segments.forEach((segment, index) => state.addSegment(segment, cold.readers[index]!));
      for (const { rowId, commitSeq } of cold.manifest.tombstones) state.tombstones.set(rowId, commitSeq);
      state.manifestCheckpointLsn = cold.manifest.checkpointLsn;
      if (cold.manifest.nextSegmentId > state.nextSegmentId) state.nextSegmentId = cold.manifest.nextSegmentId;
      state.hasManifest = true;
    }
    return state;
  }

  drop(name: string): TableState | undefined {
    const key = name.toLowerCase();
    const state = this.tables.get(key);
    this.tables.delete(key);
    this.indexes.delete(key);
    return state;
  }

  /**
   * DROP TABLE during replay: drops the table and the volumes loaded for its name, so that
   * neither a later CREATE TABLE of the same name nor the next open can attach them again.
   */
  dropDuringReplay(name: string): void {
    const key = name.toLowerCase();
    const state = this.drop(name);
    if (state) this.droppedReaders.push(...state.segments.map((segment) => segment.reader));
    const cold = this.pendingCold.get(key);
    if (cold) {
      this.droppedReaders.push(...cold.readers);
      this.pendingCold.delete(key);
    }
    this.droppedDuringReplay.add(key);
  }

  addIndex(index: IndexMetadata): void {
    const key = index.tableName.toLowerCase();
    let byName = this.indexes.get(key);
    if (!byName) this.indexes.set(key, (byName = new Map()));
    byName.set(index.name.toLowerCase(), index);
  }

  dropIndex(tableName: string, indexName: string): boolean {
    return this.indexes.get(tableName.toLowerCase())?.delete(indexName.toLowerCase()) ?? false;
  }

  indexesOf(tableName: string): IndexMetadata[] {
    return [...(this.indexes.get(tableName.toLowerCase())?.values() ?? [])];
  }

  /** Every CREATE TABLE, CREATE INDEX and CREATE VIEW, in that order (spec §8.1 step 4). */
  ddlRecords(): DdlRecord[] {
    const records: DdlRecord[] = [];
    for (const state of this.tables.values()) {
      records.push({ tableName: state.schema.tableName, operation: WalOperation.CreateTable, payload: encodeSchema(state.schema) });
    }
    for (const byName of this.indexes.values()) {
      for (const index of byName.values()) {
        records.push({ tableName: index.tableName, operation: WalOperation.CreateIndex, payload: encodeIndexMetadata(index) });
      }
    }
    for (const [key, view] of this.views) {
      records.push({ tableName: key, operation: WalOperation.CreateView, payload: encodeViewDefinition(view) });
    }
    return records;
  }
}
