/**
 * Rules of the store's recovery that the crash and corruption sweeps found missing (each test
 * failed before its fix in ts/store/open-store.ts or replay-apply.ts).
 */
import test from 'ava';
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PermafrostError, Store } from '../../ts/index';
import { WalOperation } from '../../ts/wal/wal-constants';
import { decodeWalEntries } from '../../ts/wal/wal-reader';
import { tempDir } from '../helpers/fixtures';
import { STORE_OPTIONS } from './helpers/crash-harness';
import { canonical, LEDGER, NOTES, rowFor, SCHEMAS } from './helpers/crash-workload';

process.emitWarning = () => undefined;

/** A store with rows 1..n of LEDGER sealed by a checkpoint (no closing checkpoint). */
async function sealedStore(dir: string, n: number, tables: readonly (typeof LEDGER | typeof NOTES)[] = [LEDGER]): Promise<Store> {
  const store = await Store.open(dir, { syncMode: 'full', ...STORE_OPTIONS });
  for (const table of tables) await store.createTable(SCHEMAS[table]);
  await store.transaction((txn) => {
    for (const table of tables) for (let id = 1; id <= n; id += 1) txn.insert(table, rowFor(table, id, 1));
  });
  await store.checkpoint();
  return store;
}

function walFile(dir: string): string {
  const names = readdirSync(join(dir, 'wal')).filter((name) => name.endsWith('.log'));
  if (names.length !== 1) throw new Error(`expected one WAL file, found ${names.join(', ')}`);
  return join(dir, 'wal', names[0]!);
}

test('a volumes.catalog.tmp left by a crash during the catalog write is removed at open', async (t) => {
  const work = tempDir();
  try {
    const dir = join(work.path, 'db');
    await (await sealedStore(dir, 3)).close();
    const leftover = join(dir, 'volumes', 'volumes.catalog.tmp');
    writeFileSync(leftover, 'half a catalog');
    await using store = await Store.open(dir, STORE_OPTIONS);
    t.false(existsSync(leftover));
    t.true(store.recovery.leftoversRemoved.includes(leftover));
    t.is(store.count(LEDGER), 3);
  } finally {
    work.remove();
  }
});

test('a WAL cut before the schema the last checkpoint re-recorded is refused with ERR_CORRUPT naming it, not opened without the sealed tables', async (t) => {
  const work = tempDir();
  try {
    const dir = join(work.path, 'db');
    await (await sealedStore(dir, 3)).close();
    const wal = walFile(dir);
    writeFileSync(wal, readFileSync(wal).subarray(0, 20));
    const error = await t.throwsAsync<PermafrostError>(Store.open(dir, STORE_OPTIONS));
    t.true(error instanceof PermafrostError);
    t.is(error?.code, 'ERR_CORRUPT');
    t.is(error?.file, wal);
    t.regex(error?.message ?? '', /volumes\/ledger\/manifest\.bin/);
  } finally {
    work.remove();
  }
});

test('a deleted WAL is refused too: the manifests need the CREATE TABLE it held', async (t) => {
  const work = tempDir();
  try {
    const dir = join(work.path, 'db');
    await (await sealedStore(dir, 3)).close();
    rmSync(join(dir, 'wal'), { recursive: true });
    await t.throwsAsync(Store.open(dir, STORE_OPTIONS), { code: 'ERR_CORRUPT' });
  } finally {
    work.remove();
  }
});

test('the volumes of a dropped table whose deletion failed, once the WAL is truncated past the drop, are kept and reported, not refused', async (t) => {
  const work = tempDir();
  try {
    const dir = join(work.path, 'db');
    const store = await sealedStore(dir, 3, [LEDGER, NOTES]);
    const kept = join(work.path, 'notes-volumes');
    cpSync(join(dir, 'volumes', 'notes'), kept, { recursive: true });
    await store.dropTable(NOTES);
    cpSync(kept, join(dir, 'volumes', 'notes'), { recursive: true }); // as if the deletion had failed
    await store.transaction((txn) => txn.insert(LEDGER, rowFor(LEDGER, 4, 2)));
    await store.checkpoint(); // truncates the WAL past the DROP TABLE
    await store.close();
    await using reopened = await Store.open(dir, STORE_OPTIONS);
    t.deepEqual(reopened.recovery.unreachableTables, ['notes']);
    t.deepEqual(reopened.tableNames(), [LEDGER]);
    t.is(reopened.count(LEDGER), 4);
  } finally {
    work.remove();
  }
});

test('a transaction lost to WAL damage does not make replay skip a later re-insert of a sealed row', async (t) => {
  const work = tempDir();
  try {
    const dir = join(work.path, 'db');
    const store = await sealedStore(dir, 5);
    await store.transaction((txn) => txn.delete(LEDGER, 5)); // row 5 is sealed: a Delete entry without values
    await store.transaction((txn) => txn.insert(LEDGER, rowFor(LEDGER, 5, 2)));
    await store.transaction((txn) => txn.update(LEDGER, 1, rowFor(LEDGER, 1, 3)));
    await store.close();
    // Damage the delete's entry (a byte of its data, before the entry CRC): recovery drops that transaction.
    const wal = walFile(dir);
    const bytes = readFileSync(wal);
    const entry = decodeWalEntries(bytes, wal).find((e) => e.operation === WalOperation.Delete && e.rowId === 5n)!;
    bytes[entry.offset + entry.sizeBytes - 6]! ^= 0x20;
    writeFileSync(wal, bytes);
    await using reopened = await Store.open(dir, STORE_OPTIONS);
    t.is(reopened.walRecovery.droppedTransactions.length, 1, 'the damaged transaction is reported');
    t.is(canonical(reopened.getValues(LEDGER, 5)!), canonical(rowFor(LEDGER, 5, 2)), 'the re-insert committed after it is there, not the sealed copy');
    t.is(canonical(reopened.getValues(LEDGER, 1)!), canonical(rowFor(LEDGER, 1, 3)));
    t.is(reopened.count(LEDGER), 5);
  } finally {
    work.remove();
  }
});

test('the files of a table dropped before a crash never lend its rows to a later table of the same name', async (t) => {
  const work = tempDir();
  try {
    const dir = join(work.path, 'db');
    const scratch = { ...SCHEMAS[NOTES], tableName: 'scratch' };
    {
      const store = await sealedStore(dir, 2);
      await store.createTable(scratch);
      await store.transaction((txn) => {
        for (let id = 1; id <= 3; id += 1) txn.insert('scratch', rowFor(NOTES, id, 1));
      });
      await store.checkpoint();
      const kept = join(work.path, 'scratch-volumes');
      cpSync(join(dir, 'volumes', 'scratch'), kept, { recursive: true });
      await store.dropTable('scratch');
      await store.close();
      cpSync(kept, join(dir, 'volumes', 'scratch'), { recursive: true }); // a crash after the DROP was logged, before its files went
    }
    {
      await using store = await Store.open(dir, STORE_OPTIONS);
      t.deepEqual(store.tableNames(), [LEDGER]);
      t.false(existsSync(join(dir, 'volumes', 'scratch')), 'recovery deletes the dropped table’s files');
      await store.checkpoint(); // truncates the WAL past the DROP TABLE
      await store.createTable(scratch);
      await store.transaction((txn) => txn.insert('scratch', rowFor(NOTES, 9, 2)));
    }
    await using reopened = await Store.open(dir, { ...STORE_OPTIONS });
    t.deepEqual([...reopened.scan('scratch')].map((row) => row.rowId), [9n]);
  } finally {
    work.remove();
  }
});
