/**
 * A crash at any step of the checkpoint that migrates a stoolap 0.3.7 directory (snapshots + a
 * WAL) into volumes loses no row: the next open finishes the migration and every row of
 * create_v037db.sql is there. The fixture's WAL is first truncated at the snapshots' LSN, as a
 * 0.3.7 database that checkpointed has it, so the rows (and schemas) the snapshots hold exist
 * nowhere else. Before the fix, a crash after the seal made the next open pick volume mode and
 * come up without the fixture's tables.
 */
import test from 'ava';
import { spawn } from 'node:child_process';
import { cpSync, existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Store, type TableSchema, type Value } from '../../ts/index';
import { PersistenceManager } from '../../ts/persistence/persistence-manager';
import { CRASH_POINTS } from '../../ts/store/crash-points';
import { canonical } from '../wal/helpers/sql-inserts';
import { STOOLAP_FIXTURES, V037_DB, tempDir } from '../helpers/fixtures';
import { sqlFinalState } from '../helpers/sql-model';
import { limiter } from './helpers/crash-harness';

process.emitWarning = () => undefined;

const SQL = readFileSync(join(STOOLAP_FIXTURES, 'create_v037db.sql'), 'utf8');
const TABLES = ['users', 'orders', 'products', 'events', 'documents', 'vectors', 'metrics', 'nullable_types'];
const SNAPSHOT_LSN = 229n;
const ROOT = resolve(__dirname, '..', '..');
const children = limiter(2);

/** A copy of the fixture whose WAL holds only the entries after the snapshots. */
async function truncatedFixture(dir: string): Promise<void> {
  cpSync(V037_DB, dir, { recursive: true });
  const pm = await PersistenceManager.open(dir);
  await pm.truncateWal(SNAPSHOT_LSN);
  await pm.close();
}

function crashOpen(dir: string, point: string): Promise<NodeJS.Signals | null> {
  return children(
    () =>
      new Promise((resolvePromise, reject) => {
        const child = spawn(process.execPath, ['--import=tsx', join(__dirname, 'helpers', 'open-child.ts'), dir], {
          cwd: ROOT,
          env: { ...process.env, PERMAFROST_CRASH_AT: point },
          stdio: 'ignore',
        });
        child.on('error', reject);
        child.on('close', (_code, signal) => resolvePromise(signal));
      }),
  );
}

/** Differences between the store's rows and the SQL script's final state. */
function differences(store: Store): string[] {
  const schemas = new Map<string, TableSchema>(TABLES.map((table) => [table, store.schema(table)]));
  const expected = sqlFinalState(SQL, schemas);
  const problems: string[] = [];
  for (const table of TABLES) {
    const actual = new Map<bigint, Value[]>([...store.scan(table)].map((row) => [row.rowId, row.values]));
    const want = expected.get(table)!;
    if (actual.size !== want.size) problems.push(`${table}: ${actual.size} rows, want ${want.size}`);
    for (const [rowId, values] of want) {
      if (JSON.stringify(actual.get(rowId)?.map(canonical)) !== JSON.stringify(values.map(canonical))) problems.push(`${table} row ${rowId} differs or is missing`);
    }
  }
  return problems;
}

test('the fixture with its WAL truncated at the snapshots migrates with every row (the baseline)', async (t) => {
  const work = tempDir();
  try {
    await truncatedFixture(work.path);
    await using store = await Store.open(work.path, { checkpointIntervalMs: 0 });
    t.is(store.recovery.mode, 'legacy-snapshots');
    t.deepEqual(differences(store), []);
    t.false(existsSync(join(work.path, 'snapshots')), 'retired, as stoolap deletes them: a later open never migrates again');
  } finally {
    work.remove();
  }
});

for (const point of CRASH_POINTS.filter((p) => !p.startsWith('drop.'))) {
  test(`a SIGKILL at ${point} of the 0.3.7 migration loses no row: the next open finishes it`, async (t) => {
    const work = tempDir();
    try {
      await truncatedFixture(work.path);
      t.is(await crashOpen(work.path, point), 'SIGKILL', 'the open dies at the crash point');
      {
        await using store = await Store.open(work.path, { checkpointIntervalMs: 0 });
        t.deepEqual(differences(store), [], `first open after the crash (${store.recovery.mode} mode)`);
      }
      await using again = await Store.open(work.path, { checkpointIntervalMs: 0 });
      t.is(again.recovery.mode, 'volumes');
      t.deepEqual(differences(again), [], 'the open after that');
      t.false(existsSync(join(work.path, 'snapshots')), 'the finished migration retired the snapshots');
      t.false(existsSync(join(work.path, 'snapshots.migrated')));
    } finally {
      work.remove();
    }
  });
}
