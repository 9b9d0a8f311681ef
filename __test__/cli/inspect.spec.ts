import test from 'ava';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/fixtures';
import { buildCandleStore, run, SMALL_STORE } from './helpers';

interface InspectJson {
  currentLsn: string;
  checkpointLsn: string;
  recovery: { mode: string; rowsReplayed: number };
  wal: { files: Array<{ name: string; bytes: number }> };
  tables: Array<{
    name: string;
    rows: number;
    hotRows: number;
    tombstones: number;
    indexes: string[];
    timeMin: string;
    timeMax: string;
    volumes: Array<{ rows: number; minRowId: string; maxRowId: string; bytes: number; timeMin: string; timeMax: string }>;
  }>;
}

const sealedRows = SMALL_STORE.firstVolumeRows + SMALL_STORE.secondVolumeRows;
const visibleRows = sealedRows + SMALL_STORE.hotRows - 1;

test('inspect --json counts rows, hot rows, tombstones, indexes and volumes', async (t) => {
  const dir = tempDir();
  t.teardown(dir.remove);
  await buildCandleStore(dir.path);
  const { code, out } = await run(['inspect', dir.path, '--json']);
  t.is(code, 0);
  const doc = JSON.parse(out) as InspectJson;
  const table = doc.tables[0]!;
  t.is(doc.tables.length, 1);
  t.is(table.rows, visibleRows);
  t.is(table.hotRows, SMALL_STORE.hotRows);
  t.is(table.tombstones, 1);
  t.deepEqual(table.indexes, [SMALL_STORE.indexName]);
  t.deepEqual(
    table.volumes.map((v) => [v.rows, v.minRowId, v.maxRowId]),
    [
      [SMALL_STORE.firstVolumeRows, '1', String(SMALL_STORE.firstVolumeRows)],
      [SMALL_STORE.secondVolumeRows, String(SMALL_STORE.firstVolumeRows + 1), String(sealedRows)],
    ],
  );
  t.true(table.volumes.every((v) => v.bytes > 0));
});

test('inspect --json gives the time span, the WAL files and LSNs as strings', async (t) => {
  const dir = tempDir();
  t.teardown(dir.remove);
  await buildCandleStore(dir.path);
  const doc = JSON.parse((await run(['inspect', dir.path, '--json'])).out) as InspectJson;
  const table = doc.tables[0]!;
  t.is(table.timeMin, '2025-01-01T00:00:00.000Z');
  // 3,500 candles of 4 tickers: the last is in minute 874 (14:34 on the first day)
  t.is(table.timeMax, '2025-01-01T14:34:00.000Z');
  t.is(table.volumes[0]!.timeMax, '2025-01-01T08:19:00.000Z');
  t.regex(doc.currentLsn, /^\d+$/);
  t.true(BigInt(doc.currentLsn) > BigInt(doc.checkpointLsn));
  t.true(doc.wal.files.length >= 1);
  t.is(doc.recovery.mode, 'volumes');
  t.is(doc.recovery.rowsReplayed, SMALL_STORE.hotRows + 1);
});

test('inspect prints tables, volumes and the WAL as text', async (t) => {
  const dir = tempDir();
  t.teardown(dir.remove);
  await buildCandleStore(dir.path);
  const { code, out } = await run(['inspect', dir.path]);
  t.is(code, 0);
  t.regex(out, /table candles_1m: 3,499 rows \(500 hot, 1 tombstones\), 8 columns, indexes: candles_by_time/);
  t.regex(out, /vol_[0-9a-f]{16}\.vol {2}2,000 rows, ids 1–2000/);
  t.regex(out, /WAL: 1 file\(s\)/);
  t.regex(out, /LSN: current \d+, checkpoint \d+/);
});

test('inspect leaves a directory that holds no database alone and exits 2', async (t) => {
  const dir = tempDir();
  t.teardown(dir.remove);
  const { code, err } = await run(['inspect', dir.path]);
  t.is(code, 2);
  t.regex(err, /ERR_NOT_FOUND: .*not a database directory/);
  t.false(existsSync(join(dir.path, 'wal')));
});
