import test from 'ava';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/fixtures';
import { run } from './helpers';

test('demo with a small --rows finds nothing lost after the kill and removes its temporary directory', async (t) => {
  const { code, out } = await run(['demo', '--rows', '3000']);
  t.is(code, 0, out);
  t.regex(out, /^result: no acknowledged row was lost$/m);
  t.regex(out, /^ {3}nothing lost: all 3,000 ingested rows and the 5,000 rows the child acknowledged are there/m);
  t.regex(out, /^ {3}killed pid \d+ with SIGKILL/m);
  const dir = /^permafrost demo: .* in (.+)$/m.exec(out)![1]!;
  t.false(existsSync(dir));
});

test('demo reports the recovery and the time-range query with what the zone maps skipped', async (t) => {
  const { code, out } = await run(['demo', '--rows', '2000']);
  t.is(code, 0, out);
  t.regex(out, /^ {3}opened in .*: volumes mode, 1 volume\(s\), replayed \d[\d,]* rows from LSN \d+/m);
  t.regex(out, /^ {3}\d+ candles in .*; expected \d+$/m);
  const [, found, expected] = /^ {3}(\d+) candles in .*; expected (\d+)$/m.exec(out)!;
  t.is(found, expected);
  t.regex(out, /^ {3}zone maps skipped \d+ volume\(s\) and \d+ of \d+ row group\(s\)/m);
});

test('demo into a given directory keeps the database, and verify finds it clean', async (t) => {
  const dir = tempDir();
  t.teardown(dir.remove);
  const target = join(dir.path, 'db');
  t.is((await run(['demo', target, '--rows', '2000'])).code, 0);
  const verify = await run(['verify', target]);
  t.is(verify.code, 0, verify.out);
  const inspect = JSON.parse((await run(['inspect', target, '--json'])).out) as { tables: Array<{ rows: number }> };
  t.true(inspect.tables[0]!.rows >= 2000 + 5 * 1000);
});

test('demo refuses a directory that is not empty', async (t) => {
  const dir = tempDir();
  t.teardown(dir.remove);
  writeFileSync(join(dir.path, 'precious.txt'), 'keep me');
  const { code, err } = await run(['demo', dir.path, '--rows', '10']);
  t.is(code, 2);
  t.regex(err, /ERR_INVALID_ARGUMENT: the demo needs an empty or new directory/);
  t.true(existsSync(join(dir.path, 'precious.txt')));
});
