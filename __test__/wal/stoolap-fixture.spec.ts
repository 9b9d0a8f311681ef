/**
 * Reads what stoolap wrote: the v0.3.7 fixture WAL (299 entries, LSN 1-299) and its
 * checkpoint.meta (LSN 229), replayed through the public API from a temporary copy.
 */
import test from 'ava';
import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeIndexMetadata } from '../../ts/codec/index-metadata';
import { decodeRowVersion } from '../../ts/codec/row-version';
import { decodeSchema, type TableSchema } from '../../ts/codec/schema';
import { PersistenceManager } from '../../ts/persistence/persistence-manager';
import { decodeCheckpointMeta } from '../../ts/wal/checkpoint-meta';
import { WalOperation } from '../../ts/wal/wal-constants';
import type { WalEntry } from '../../ts/wal/wal-entry';
import { canonical, literalValue, sqlInserts } from './helpers/sql-inserts';
import { FIXTURES, FIXTURE_WAL_DIR, tempDir } from './helpers/temp-dir';

async function replayFixture(t: Parameters<typeof tempDir>[0]): Promise<{ entries: WalEntry[]; pm: PersistenceManager }> {
  const dir = tempDir(t);
  cpSync(FIXTURE_WAL_DIR, join(dir, 'wal'), { recursive: true });
  const pm = await PersistenceManager.open(dir);
  t.teardown(() => pm.close());
  const entries: WalEntry[] = [];
  await pm.replayTwoPhase(0n, (entry) => void entries.push(entry));
  return { entries, pm };
}

test('replaying the stoolap fixture yields all 299 entries with LSNs 1..299', async (t) => {
  const { entries, pm } = await replayFixture(t);
  t.deepEqual(
    entries.map((entry) => entry.lsn),
    Array.from({ length: 299 }, (_, i) => BigInt(i + 1)),
  );
  t.is(pm.currentLsn, 299n);
  t.deepEqual(pm.recoveryReport.corruption, []);
  t.is(pm.recoveryReport.tornTail, undefined);
});

test('the fixture holds 8 CreateTable, 44 CreateIndex, 167 Insert, 3 Delete and 77 Commit entries', async (t) => {
  const { entries } = await replayFixture(t);
  const count = (operation: number) => entries.filter((entry) => entry.operation === operation).length;
  t.deepEqual(
    [WalOperation.CreateTable, WalOperation.CreateIndex, WalOperation.Insert, WalOperation.Delete, WalOperation.Commit].map(count),
    [8, 44, 167, 3, 77],
  );
  t.true(entries.filter((entry) => entry.isDdl).every((entry) => entry.txnId === -2n));
});

test('every CreateTable and CreateIndex payload of the fixture decodes', async (t) => {
  const { entries } = await replayFixture(t);
  const schemas = entries.filter((entry) => entry.operation === WalOperation.CreateTable).map((entry) => decodeSchema(entry.payload));
  t.deepEqual(
    schemas.map((schema) => schema.tableName).sort(),
    ['documents', 'events', 'metrics', 'nullable_types', 'orders', 'products', 'users', 'vectors'],
  );
  const indexes = entries.filter((entry) => entry.operation === WalOperation.CreateIndex).map((entry) => decodeIndexMetadata(entry.payload));
  t.is(indexes.length, 44);
  t.true(indexes.some((index) => index.name === 'idx_users_age' && index.columnIds[0] === 3));
});

test('the committed rows of the fixture are exactly what create_v037db.sql inserted', async (t) => {
  const { entries } = await replayFixture(t);
  const schemas = new Map<string, TableSchema>();
  const firstVersion = new Map<string, string[]>();
  for (const entry of entries) {
    if (entry.operation === WalOperation.CreateTable) schemas.set(entry.tableName.toLowerCase(), decodeSchema(entry.payload));
    if (entry.operation !== WalOperation.Insert) continue;
    const key = `${entry.tableName.toLowerCase()}/${entry.rowId}`;
    if (!firstVersion.has(key)) firstVersion.set(key, decodeRowVersion(entry.payload).values.map(canonical));
  }
  const inserts = sqlInserts(readFileSync(join(FIXTURES, 'create_v037db.sql'), 'utf8'));
  let rows = 0;
  for (const [table, tuples] of inserts) {
    const columns = schemas.get(table)!.columns;
    for (const tuple of tuples) {
      const expected = tuple.map((literal, index) => canonical(literalValue(literal, columns[index]!.dataType)));
      t.deepEqual(firstVersion.get(`${table}/${tuple[0]!.text}`), expected, `${table} row ${tuple[0]!.text}`);
      rows += 1;
    }
  }
  t.is(rows, 163);
  t.is(firstVersion.size, 163);
});

test('the fixture deletes rows 5, 13 and 3 of users and logs updates as inserts', async (t) => {
  const { entries } = await replayFixture(t);
  const deletes = entries.filter((entry) => entry.operation === WalOperation.Delete);
  t.deepEqual(
    deletes.map((entry) => `${entry.tableName}/${entry.rowId}`),
    ['users/5', 'users/13', 'users/3'],
  );
  t.true(deletes.every((entry) => decodeRowVersion(entry.payload).deletedAtTxnId === entry.txnId));
  const lastUser1 = entries.filter((entry) => entry.tableName === 'users' && entry.rowId === 1n && entry.operation === WalOperation.Insert).at(-1)!;
  t.is(decodeRowVersion(lastUser1.payload).values[4], 1100);
});

test('the fixture checkpoint.meta gives LSN 229 and names the WAL file', async (t) => {
  const meta = decodeCheckpointMeta(readFileSync(join(FIXTURE_WAL_DIR, 'checkpoint.meta')));
  t.is(meta.lsn, 229n);
  t.is(meta.walFile, 'wal-20260321-124840-lsn-0.log');
  t.is(meta.previousWalFile, undefined);
  t.true(meta.consistent);
  t.deepEqual(meta.activeTransactions, []);
  const { pm } = await replayFixture(t);
  t.is(pm.checkpointLsn, 229n);
});

test('reading the fixture WAL changes none of its bytes', async (t) => {
  const dir = tempDir(t);
  cpSync(FIXTURE_WAL_DIR, join(dir, 'wal'), { recursive: true });
  const before = readFileSync(join(dir, 'wal', 'wal-20260321-124840-lsn-0.log'));
  const pm = await PersistenceManager.open(dir);
  await pm.replayTwoPhase(0n, () => undefined);
  await pm.close();
  t.deepEqual(readFileSync(join(dir, 'wal', 'wal-20260321-124840-lsn-0.log')), before);
});
