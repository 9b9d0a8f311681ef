/**
 * Applies replayed WAL entries to the store's state (spec §2.17), with two deliberate
 * differences from stoolap:
 * - a CREATE TABLE for a table that already exists replaces its schema but keeps its rows
 *   (stoolap empties the hot store; that loses rows committed between a checkpoint's LSN and
 *   its re-recorded DDL);
 * - TRUNCATE TABLE replay forgets the table's volumes in memory but deletes no file; the next
 *   checkpoint writes a manifest without them, and files no manifest lists are orphans
 *   (stoolap deletes the files during replay, even volumes sealed after the TRUNCATE, §11.10).
 * Inserts of rows a loaded volume already holds are skipped unless a tombstone hides that
 * copy, which makes replaying from an LSN below a table's seal point idempotent — ✱ but only
 * entries at or below the seal LSN of the newest volume holding the row (its `sealSeq`, the
 * checkpoint LSN permafrost seals under). stoolap skips whatever the LSN; that is only right
 * when replay sees every entry: when damage drops a transaction (`onCorruption: 'report'`),
 * e.g. the one that deleted a sealed row, a later re-insert of that row would be skipped and
 * the stale sealed copy served, half of a surviving transaction lost. Applying an entry the
 * volume already reflects is harmless (replay is a suffix of the log: the last write wins),
 * so a `sealSeq` that is not an LSN (stoolap's commit sequence, 0 after compaction) only
 * costs memory, never correctness.
 */
import { decodeAlterTable } from '../codec/alter-table';
import { decodeIndexMetadata } from '../codec/index-metadata';
import { decodeRowVersion } from '../codec/row-version';
import { column, decodeSchema, type TableSchema } from '../codec/schema';
import { decodeViewDefinition } from '../codec/view-definition';
import { PermafrostError } from '../errors';
import type { WalEntry } from '../wal/wal-entry';
import { WalOperation } from '../wal/wal-constants';
import { applyWrite } from './commit-pipeline';
import { padRow } from './row-width';
import type { SchemaCatalog } from './schema-catalog';

export interface ReplayTally {
  rows: number;
  ddl: number;
  /** Entries for tables that do not exist at that point (stoolap skips them too). */
  orphanEntries: number;
}

function locate(entry: WalEntry, error: unknown): never {
  if (error instanceof PermafrostError) {
    throw new PermafrostError(error.code, `WAL entry LSN ${entry.lsn} (${entry.operationName} on '${entry.tableName}'): ${error.what}`, {
      file: entry.file,
      offset: entry.offset,
      cause: error,
    });
  }
  throw error;
}

function applyAlter(catalog: SchemaCatalog, payload: Uint8Array): void {
  const alter = decodeAlterTable(payload);
  const state = catalog.require(alter.tableName);
  const schema = state.schema;
  const columns = [...schema.columns];
  const at = (name: string): number => columns.findIndex((c) => c.name.toLowerCase() === name.toLowerCase());
  let next: TableSchema;
  switch (alter.operation) {
    case 'addColumn':
      columns.push(column(alter.columnName, alter.dataType, { nullable: alter.nullable, defaultExpression: alter.defaultExpression, vectorDimensions: alter.vectorDimensions }));
      next = { ...schema, columns };
      for (const [rowId, values] of state.hot) state.hot.set(rowId, padRow(next, values));
      break;
    case 'dropColumn': {
      const index = at(alter.columnName);
      if (index < 0) throw new PermafrostError('ERR_CORRUPT', `ALTER drops unknown column '${alter.columnName}'`);
      columns.splice(index, 1);
      next = { ...schema, columns };
      for (const [rowId, values] of state.hot) state.hot.set(rowId, values.filter((_, i) => i !== index));
      break;
    }
    case 'renameColumn': {
      const index = at(alter.oldName);
      if (index < 0) throw new PermafrostError('ERR_CORRUPT', `ALTER renames unknown column '${alter.oldName}'`);
      columns[index] = { ...columns[index]!, name: alter.newName };
      next = { ...schema, columns };
      break;
    }
    case 'modifyColumn': {
      const index = at(alter.columnName);
      if (index < 0) throw new PermafrostError('ERR_CORRUPT', `ALTER modifies unknown column '${alter.columnName}'`);
      columns[index] = { ...columns[index]!, dataType: alter.dataType, vectorDimensions: alter.vectorDimensions, nullable: alter.nullable };
      next = { ...schema, columns };
      break;
    }
    case 'renameTable': {
      catalog.drop(schema.tableName);
      const renamed = catalog.define({ ...schema, tableName: alter.newName });
      for (const [rowId, values] of state.hot) renamed.hot.set(rowId, values);
      renamed.noteRowId(state.nextRowId - 1n); // keeps "no row id at or above nextRowId exists" true
      return;
    }
  }
  state.resetProjections(next);
}

/** Applies one committed entry. Commit markers are handled by the caller. */
export function applyReplayedEntry(catalog: SchemaCatalog, entry: WalEntry, tally: ReplayTally): void {
  try {
    switch (entry.operation) {
      case WalOperation.CreateTable:
        catalog.define(decodeSchema(entry.payload));
        tally.ddl += 1;
        return;
      case WalOperation.DropTable:
        catalog.dropDuringReplay(entry.tableName);
        tally.ddl += 1;
        return;
      case WalOperation.TruncateTable: {
        const state = catalog.get(entry.tableName);
        if (state) {
          state.hot.clear();
          state.tombstones.clear();
          state.segments.length = 0;
        }
        tally.ddl += 1;
        return;
      }
      case WalOperation.AlterTable:
        applyAlter(catalog, entry.payload);
        tally.ddl += 1;
        return;
      case WalOperation.CreateIndex:
        catalog.addIndex(decodeIndexMetadata(entry.payload));
        tally.ddl += 1;
        return;
      case WalOperation.DropIndex:
        catalog.dropIndex(entry.tableName, Buffer.from(entry.payload).toString('utf8'));
        tally.ddl += 1;
        return;
      case WalOperation.CreateView: {
        const view = decodeViewDefinition(entry.payload);
        catalog.views.set(view.name.toLowerCase(), view);
        tally.ddl += 1;
        return;
      }
      case WalOperation.DropView:
        catalog.views.delete(Buffer.from(entry.payload).toString('utf8').toLowerCase());
        tally.ddl += 1;
        return;
      case WalOperation.Insert:
      case WalOperation.Update:
      case WalOperation.Delete:
        applyRow(catalog, entry, tally);
        return;
      default:
        return;
    }
  } catch (error) {
    locate(entry, error);
  }
}

function applyRow(catalog: SchemaCatalog, entry: WalEntry, tally: ReplayTally): void {
  const state = catalog.get(entry.tableName);
  if (!state) {
    tally.orphanEntries += 1;
    return;
  }
  const rowId = entry.rowId;
  if (entry.operation === WalOperation.Delete) {
    applyWrite({ state, rowId, values: null }, entry.lsn);
    tally.rows += 1;
    return;
  }
  const cold = state.coldLocation(rowId);
  if (cold !== undefined && !state.tombstones.has(rowId) && entry.operation === WalOperation.Insert && entry.lsn <= cold.segment.segment.sealSeq) {
    state.noteRowId(rowId); // the volume was sealed after this entry: it holds this version or a newer one
    return;
  }
  const version = decodeRowVersion(entry.payload);
  state.hot.set(rowId, padRow(state.schema, version.values));
  state.noteRowId(rowId);
  tally.rows += 1;
}
