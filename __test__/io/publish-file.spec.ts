import test from 'ava';
import { existsSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { publishFile } from '../../ts/io/publish-file';
import { tempDir } from '../helpers/fixtures';

test('publishing replaces a temp file a crash left behind', async (t) => {
  const dir = tempDir();
  try {
    writeFileSync(join(dir.path, 'manifest.manifest.tmp'), 'half written');
    await publishFile(dir.path, 'manifest.manifest.tmp', 'manifest.bin', [Buffer.from('new '), Buffer.from('bytes')]);
    t.is(readFileSync(join(dir.path, 'manifest.bin'), 'utf8'), 'new bytes');
    t.false(existsSync(join(dir.path, 'manifest.manifest.tmp')));
  } finally {
    dir.remove();
  }
});

test('a symlink planted at the temp name is removed, never written through', async (t) => {
  const dir = tempDir();
  const outside = tempDir();
  try {
    const victim = join(outside.path, 'victim');
    writeFileSync(victim, 'keep me');
    symlinkSync(victim, join(dir.path, 'volumes.catalog.tmp'));
    await publishFile(dir.path, 'volumes.catalog.tmp', 'volumes.catalog', [Buffer.from('catalog')]);
    t.is(readFileSync(victim, 'utf8'), 'keep me');
    t.is(readFileSync(join(dir.path, 'volumes.catalog'), 'utf8'), 'catalog');
  } finally {
    dir.remove();
    outside.remove();
  }
});
