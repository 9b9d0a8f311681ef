import test from 'ava';
import { mkdir, writeFile, symlink, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  VolumeBuilder,
  deleteVolume,
  isPermafrostError,
  listVolumes,
  parseVolumeFileName,
  removeVolumeTempFiles,
  tableDirectoryName,
  volumeFileName,
  volumeIdGenerator,
  writeVolume,
} from '../../ts/index';
import { DataType, schema, tempDir } from './helpers';

test('volume ids follow the microsecond clock and stay strictly increasing within a microsecond', (t) => {
  let now = 1_000n;
  const next = volumeIdGenerator(() => now);
  t.is(next(), 1_000n);
  t.is(next(), 1_001n);
  t.is(next(), 1_002n);
  now = 5_000n;
  t.is(next(), 5_000n);
  now = 10n;
  t.is(next(), 5_001n, 'a clock going back does not reuse ids');
});

test('volume file names are vol_ + 16 lower-case hex digits', (t) => {
  t.is(volumeFileName(0xabcn), 'vol_0000000000000abc.vol');
  t.is(parseVolumeFileName('vol_0000000000000abc.vol'), 0xabcn);
  t.is(parseVolumeFileName('vol_0000000000000ABC.vol'), undefined);
  t.is(parseVolumeFileName('vol_0000000000000abc.vol.tmp'), undefined);
});

const HOSTILE = ['', '.', '..', 'a/b', 'a\\b', '../x', 'nul\0', 'tab\tname', 'con', 'CON', 'nul.txt', 'com1', 'LPT9', 'a:b', 'a*', 'trailing.', 'trailing ', 'x'.repeat(256), '\u0085'];

test('table names that are not a single safe directory name are refused with ERR_INVALID_NAME', (t) => {
  for (const name of HOSTILE) t.true(isPermafrostError(t.throws(() => tableDirectoryName(name)), 'ERR_INVALID_NAME'), JSON.stringify(name));
});

test('table names are lower-cased like stoolap', (t) => {
  t.is(tableDirectoryName('Candles_1M'), 'candles_1m');
  t.is(tableDirectoryName('ΟΔΟΣ'), 'οδος');
  t.is(tableDirectoryName('x'.repeat(255)), 'x'.repeat(255));
});

test('a leftover .vol.tmp (crash before rename) is not listed and is cleaned by the owner', async (t) => {
  const dir = await tempDir(t);
  const b = new VolumeBuilder(schema(['i', DataType.Integer]));
  b.addRow(1, [1n]);
  await writeVolume(dir, 't', 2n, b.finish());
  await writeFile(join(dir, 't', 'vol_0000000000000003.vol.tmp'), 'partial');
  await writeFile(join(dir, 't', 'notes.txt'), 'x');
  t.deepEqual((await listVolumes(dir, 't')).map((v) => v.volumeId), [2n]);
  t.is(await removeVolumeTempFiles(dir, 't'), 1);
  t.deepEqual((await readdir(join(dir, 't'))).sort(), ['notes.txt', 'vol_0000000000000002.vol']);
});

test('cleaning temps never follows a symlink', async (t) => {
  const dir = await tempDir(t);
  await mkdir(join(dir, 't'));
  await writeFile(join(dir, 'victim'), 'keep');
  await symlink(join(dir, 'victim'), join(dir, 't', 'vol_0000000000000001.vol.tmp'));
  t.is(await removeVolumeTempFiles(dir, 't'), 0);
  t.deepEqual(await readdir(dir), ['t', 'victim']);
});

test('volumes are listed in id order and a missing table has none', async (t) => {
  const dir = await tempDir(t);
  for (const id of [0x20n, 0x3n, 0x100n]) {
    const b = new VolumeBuilder(schema(['i', DataType.Integer]));
    b.addRow(1, [1n]);
    await writeVolume(dir, 'T', id, b.finish());
  }
  t.deepEqual((await listVolumes(dir, 't')).map((v) => v.volumeId), [0x3n, 0x20n, 0x100n]);
  t.deepEqual(await listVolumes(dir, 'other'), []);
});

test('deleting a missing volume is ERR_NOT_FOUND', async (t) => {
  const dir = await tempDir(t);
  t.true(isPermafrostError(await t.throwsAsync(deleteVolume(join(dir, 'vol_0000000000000001.vol'))), 'ERR_NOT_FOUND'));
});

test('writing under an invalid table name is refused before touching the disk', async (t) => {
  const dir = await tempDir(t);
  const b = new VolumeBuilder(schema(['i', DataType.Integer]));
  b.addRow(1, [1n]);
  t.true(isPermafrostError(await t.throwsAsync(writeVolume(dir, '../escape', 1n, b.finish())), 'ERR_INVALID_NAME'));
  t.deepEqual(await readdir(dir), []);
});
