import test from 'ava';
import { readFile, writeFile } from 'node:fs/promises';
import { runCli } from '../../ts/cli/main';
import { VolumeBuilder, VolumeCatalog, writeCatalog, writeVolume } from '../../ts/index';
import { DataType, schema, tempDir } from './helpers';

async function run(argv: string[]): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const code = await runCli(argv, { out: (l) => lines.push(l), err: (l) => lines.push(l) });
  return { code, out: lines.join('\n') };
}

async function sampleVolume(dir: string): Promise<string> {
  const b = new VolumeBuilder(schema(['id', DataType.Integer], ['name', DataType.Text]));
  b.addRow(7, [1n, 'alpha']).addRow(8, [2n, 'beta']);
  return writeVolume(dir, 't', 1n, b.finish());
}

test('volume dump --json shows metadata and the first rows', async (t) => {
  const path = await sampleVolume(await tempDir(t));
  const { code, out } = await run(['volume', 'dump', path, '--json', '--rows', '1']);
  t.is(code, 0);
  const parsed = JSON.parse(out) as { rowCount: number; columns: { name: string; zoneMap: { max: unknown } }[]; rows: { rowId: string; values: unknown[] }[] };
  t.is(parsed.rowCount, 2);
  t.is(parsed.columns[1]!.zoneMap.max, 'beta');
  t.deepEqual(parsed.rows, [{ rowId: '7', values: ['1', 'alpha'] }]);
});

test('volume verify exits 1 and names a corrupt file', async (t) => {
  const dir = await tempDir(t);
  const path = await sampleVolume(dir);
  t.is((await run(['volume', 'verify', dir])).code, 0);
  const bytes = await readFile(path);
  bytes[bytes.length - 10]! ^= 1;
  await writeFile(path, bytes);
  const { code, out } = await run(['volume', 'verify', dir]);
  t.is(code, 1);
  t.true(out.includes(`BAD ${path}: ERR_CHECKSUM`));
});

test('catalog dump lists tables and volumes', async (t) => {
  const dir = await tempDir(t);
  const catalog = new VolumeCatalog();
  catalog.addVolume('t1', { volumeId: 42n, rowCount: 10n, timeMinMicros: 1n, timeMaxMicros: 2n });
  await writeCatalog(dir, catalog);
  const { code, out } = await run(['catalog', 'dump', dir]);
  t.is(code, 0);
  t.true(out.includes('t1: 1 volumes'));
  t.true(out.includes('volume 42 rows 10'));
});
