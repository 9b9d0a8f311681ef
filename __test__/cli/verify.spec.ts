import test from 'ava';
import { cpSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readCatalog, Store, VolumeCatalog, writeCatalog } from '../../ts/index';
import { CANDLE_SCHEMA } from '../../ts/demo/candles';
import { decodeTableManifest, encodeTableManifest } from '../../ts/manifest/table-manifest';
import { decodeCheckpointMeta, encodeCheckpointMeta } from '../../ts/wal/checkpoint-meta';
import { decodeWalEntries } from '../../ts/wal/wal-reader';
import { V037_DB, tempDir } from '../helpers/fixtures';
import { buildCandleStore, run, snapshotTree, volumeFiles, walFiles } from './helpers';

const TABLE = CANDLE_SCHEMA.tableName;

async function candleStore(t: { teardown(fn: () => void): void }): Promise<string> {
  const dir = tempDir();
  t.teardown(dir.remove);
  await buildCandleStore(dir.path);
  return dir.path;
}

function flipByte(path: string, offset: number): void {
  const bytes = readFileSync(path);
  bytes[offset]! ^= 0x40;
  writeFileSync(path, bytes);
}

test('verify is clean on a good store', async (t) => {
  const dir = await candleStore(t);
  const { code, out } = await run(['verify', dir]);
  t.is(code, 0);
  t.regex(out, /^ok .*1 table manifest\(s\), 2 volume\(s\) with 3,000 rows .*catalog consistent; 0 warning\(s\)$/);
});

test('verify is clean on the stoolap 0.3.7 fixture after its migration into volumes', async (t) => {
  const dir = tempDir();
  t.teardown(dir.remove);
  cpSync(V037_DB, dir.path, { recursive: true });
  await (await Store.open(dir.path, { checkpointIntervalMs: 0 })).close();
  const { code, out } = await run(['verify', dir.path]);
  t.is(code, 0, out);
  t.regex(out, /^ok .*8 table manifest\(s\)/m);
  t.notRegex(out, /^error/m);
});

test('verify reads the unmigrated 0.3.7 fixture without changing it, with a legacy warning', async (t) => {
  const dir = tempDir();
  t.teardown(dir.remove);
  cpSync(V037_DB, dir.path, { recursive: true });
  const before = snapshotTree(dir.path);
  const { code, out } = await run(['verify', dir.path]);
  t.is(code, 0, out);
  t.regex(out, /^warning ERR_UNSUPPORTED_VERSION: a legacy \(stoolap ≤ 0\.3\.7\) database/m);
  t.deepEqual(snapshotTree(dir.path), before);
});

test('a flipped byte in a volume is an error naming the volume file', async (t) => {
  const dir = await candleStore(t);
  const [volume] = volumeFiles(dir);
  flipByte(volume!, Math.floor(readFileSync(volume!).length / 2));
  const { code, out } = await run(['verify', dir]);
  t.is(code, 1);
  t.regex(out, /^error ERR_(CHECKSUM|CORRUPT): /m);
  t.true(out.includes(volume!), out);
});

test('a flipped byte in a manifest is an error naming the manifest', async (t) => {
  const dir = await candleStore(t);
  const manifest = join(dir, 'volumes', TABLE, 'manifest.bin');
  flipByte(manifest, 20);
  const { code, out } = await run(['verify', dir]);
  t.is(code, 1);
  t.regex(out, /^error ERR_CHECKSUM: manifest CRC/m);
  t.true(out.includes(manifest), out);
});

test('a manifest listing a missing volume is an error naming the missing file', async (t) => {
  const dir = await candleStore(t);
  const [, second] = volumeFiles(dir);
  rmSync(second!);
  const { code, out } = await run(['verify', dir]);
  t.is(code, 1);
  t.regex(out, /^error ERR_NOT_FOUND: the manifest lists volume \d+ but vol_[0-9a-f]{16}\.vol is missing/m);
  t.true(out.includes(second!), out);
});

test('a catalog whose row count disagrees with the manifest is an error naming the catalog', async (t) => {
  const dir = await candleStore(t);
  const volumesDir = join(dir, 'volumes');
  const good = await readCatalog(volumesDir);
  const bad = new VolumeCatalog();
  good.getVolumes(TABLE).forEach((entry, index) => bad.addVolume(TABLE, index === 0 ? { ...entry, rowCount: entry.rowCount + 1n } : entry));
  await writeCatalog(volumesDir, bad);
  const { code, out } = await run(['verify', dir]);
  t.is(code, 1);
  t.regex(out, /^error ERR_CORRUPT: the catalog says vol_[0-9a-f]{16}\.vol of table 'candles_1m' has 2001 rows; its manifest and the volume say 2000/m);
  t.true(out.includes(join(volumesDir, 'volumes.catalog')), out);
});

test('a catalog listing a volume its manifest does not is an error', async (t) => {
  const dir = await candleStore(t);
  const volumesDir = join(dir, 'volumes');
  const catalog = await readCatalog(volumesDir);
  catalog.addVolume(TABLE, { volumeId: 42n, rowCount: 1n, timeMinMicros: 0n, timeMaxMicros: 0n });
  await writeCatalog(volumesDir, catalog);
  const { code, out } = await run(['verify', dir]);
  t.is(code, 1);
  t.regex(out, /^error ERR_CORRUPT: the catalog lists vol_000000000000002a\.vol for table 'candles_1m' but its manifest does not/m);
});

test('a damaged WAL entry is an error naming the WAL file and offset', async (t) => {
  const dir = await candleStore(t);
  const [wal] = walFiles(dir);
  const entries = decodeWalEntries(readFileSync(wal!));
  const victim = entries[Math.floor(entries.length / 2)]!;
  flipByte(wal!, victim.offset + victim.sizeBytes - 6);
  const { code, out } = await run(['verify', dir]);
  t.is(code, 1);
  t.true(out.includes(`(${wal}, offset ${victim.offset})`), out);
  t.regex(out, /^error ERR_/m);
});

test('a torn WAL tail, which a crash leaves and the next open cuts, is only a warning', async (t) => {
  const dir = await candleStore(t);
  const [wal] = walFiles(dir);
  const size = readFileSync(wal!).length;
  truncateSync(wal!, size - 5);
  const { code, out } = await run(['verify', dir]);
  t.is(code, 0, out);
  t.regex(out, /^warning ERR_TRUNCATED: .*torn tail/m);
});

test('a volume no manifest lists (an interrupted seal) is only a warning', async (t) => {
  const dir = await candleStore(t);
  const [first] = volumeFiles(dir);
  const orphan = join(dir, 'volumes', TABLE, 'vol_00000000000000ff.vol');
  cpSync(first!, orphan);
  const { code, out } = await run(['verify', dir]);
  t.is(code, 0, out);
  t.true(out.includes(`warning ERR_CORRUPT: a volume no manifest lists`), out);
  t.true(out.includes(orphan), out);
});

test('a manifest checkpoint LSN beyond the end of the WAL is an error', async (t) => {
  const dir = await candleStore(t);
  const path = join(dir, 'volumes', TABLE, 'manifest.bin');
  const manifest = decodeTableManifest(readFileSync(path));
  writeFileSync(path, encodeTableManifest({ ...manifest, checkpointLsn: 1_000_000n }));
  const { code, out } = await run(['verify', dir]);
  t.is(code, 1);
  t.regex(out, /^error ERR_CORRUPT: the manifest's checkpoint LSN 1000000 is beyond the WAL's last LSN \d+/m);
});

test('a WAL truncated past a manifest checkpoint LSN is an error: rows in between are lost', async (t) => {
  const dir = await candleStore(t);
  const path = join(dir, 'volumes', TABLE, 'manifest.bin');
  const manifest = decodeTableManifest(readFileSync(path));
  writeFileSync(path, encodeTableManifest({ ...manifest, checkpointLsn: 5n }));
  const { code, out } = await run(['verify', dir]);
  t.is(code, 1);
  t.regex(out, /^error ERR_CORRUPT: the WAL was truncated up to LSN \d+, past this manifest's checkpoint LSN 5/m);
});

test('a checkpoint.meta LSN beyond the end of the WAL is an error', async (t) => {
  const dir = await candleStore(t);
  const path = join(dir, 'wal', 'checkpoint.meta');
  writeFileSync(path, encodeCheckpointMeta({ ...decodeCheckpointMeta(readFileSync(path)), lsn: 1_000_000n }));
  const { code, out } = await run(['verify', dir]);
  t.is(code, 1);
  t.regex(out, /^error ERR_CORRUPT: checkpoint\.meta says LSN 1000000 but the WAL ends at LSN \d+/m);
  t.true(out.includes(path), out);
});

test('verify --json is one document with the first error and its file', async (t) => {
  const dir = await candleStore(t);
  const manifest = join(dir, 'volumes', TABLE, 'manifest.bin');
  flipByte(manifest, 20);
  const { code, out } = await run(['verify', dir, '--json']);
  t.is(code, 1);
  const doc = JSON.parse(out) as { ok: boolean; findings: Array<{ level: string; code: string; file: string }>; summary: { walLastLsn: string } };
  t.false(doc.ok);
  t.deepEqual(doc.findings.at(-1), { ...doc.findings.at(-1)!, level: 'error', code: 'ERR_CHECKSUM', file: manifest });
  t.regex(doc.summary.walLastLsn, /^\d+$/);
});

test('verify changes nothing, even in a damaged directory', async (t) => {
  const dir = await candleStore(t);
  const [wal] = walFiles(dir);
  truncateSync(wal!, readFileSync(wal!).length - 5);
  cpSync(volumeFiles(dir)[0]!, join(dir, 'volumes', TABLE, 'vol_00000000000000ff.vol'));
  const before = snapshotTree(dir);
  await run(['verify', dir]);
  t.deepEqual(snapshotTree(dir), before);
});

test('verify on a directory that holds no database exits 2', async (t) => {
  const dir = tempDir();
  t.teardown(dir.remove);
  const { code, err } = await run(['verify', dir.path]);
  t.is(code, 2);
  t.regex(err, /ERR_NOT_FOUND/);
});
