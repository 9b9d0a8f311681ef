/**
 * The store opens the directory stoolap 0.3.7 wrote (`../shared/stoolap-fixtures/v037db`:
 * per-table snapshots at LSN 229 plus a WAL up to LSN 299) and every row of
 * `create_v037db.sql` comes back with the right values, NULLs, JSON, vectors and timestamps.
 */
import test from 'ava';
import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Store, type TableSchema, type Value } from '../../ts/index';
import { canonical } from '../wal/helpers/sql-inserts';
import { STOOLAP_FIXTURES, V037_DB, tempDir } from '../helpers/fixtures';
import { sqlFinalState } from '../helpers/sql-model';

const SQL = readFileSync(join(STOOLAP_FIXTURES, 'create_v037db.sql'), 'utf8');
const TABLES = ['users', 'orders', 'products', 'events', 'documents', 'vectors', 'metrics', 'nullable_types'];

async function openFixtureCopy(): Promise<{ store: Store; remove: () => void }> {
  const dir = tempDir();
  cpSync(V037_DB, dir.path, { recursive: true });
  const store = await Store.open(dir.path, { checkpointIntervalMs: 0 });
  return { store, remove: dir.remove };
}

function rowsOf(store: Store, table: string): Map<bigint, Value[]> {
  return new Map([...store.scan(table)].map((row) => [row.rowId, row.values]));
}

test('the 0.3.7 fixture opens in legacy mode and recovers all eight tables', async (t) => {
  const { store, remove } = await openFixtureCopy();
  try {
    t.is(store.recovery.mode, 'legacy-snapshots');
    t.is(store.recovery.snapshotsLoaded, 8);
    t.is(store.recovery.replayFromLsn, 229n);
    t.deepEqual(store.tableNames().map((name) => name.toLowerCase()).sort(), [...TABLES].sort());
  } finally {
    await store.close();
    remove();
  }
});

test('every row of create_v037db.sql comes back with exactly its values', async (t) => {
  const { store, remove } = await openFixtureCopy();
  try {
    const schemas = new Map<string, TableSchema>(TABLES.map((table) => [table, store.schema(table)]));
    const expected = sqlFinalState(SQL, schemas);
    for (const table of TABLES) {
      const actual = rowsOf(store, table);
      const want = expected.get(table)!;
      t.deepEqual([...actual.keys()].sort((a, b) => (a < b ? -1 : 1)), [...want.keys()].sort((a, b) => (a < b ? -1 : 1)), `${table} row ids`);
      for (const [rowId, values] of want) {
        t.deepEqual(actual.get(rowId)?.map(canonical), values.map(canonical), `${table} row ${rowId}`);
      }
    }
  } finally {
    await store.close();
    remove();
  }
});

test('the migrated fixture reopens from its volumes with the same rows', async (t) => {
  const dir = tempDir();
  cpSync(V037_DB, dir.path, { recursive: true });
  try {
    let before: Map<string, string[]>;
    {
      await using store = await Store.open(dir.path, { checkpointIntervalMs: 0 });
      before = new Map(TABLES.map((table) => [table, [...store.scan(table)].map((row) => `${row.rowId}:${row.values.map(canonical).join('|')}`)]));
    }
    await using reopened = await Store.open(dir.path, { checkpointIntervalMs: 0 });
    t.is(reopened.recovery.mode, 'volumes');
    for (const table of TABLES) {
      t.deepEqual([...reopened.scan(table)].map((row) => `${row.rowId}:${row.values.map(canonical).join('|')}`), before.get(table), table);
    }
    t.deepEqual(reopened.indexes('users').map((index) => index.name).sort(), ['idx_users_active', 'idx_users_age', 'idx_users_created', 'idx_users_email']);
  } finally {
    dir.remove();
  }
});
