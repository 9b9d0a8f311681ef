import test from 'ava';
import { run } from './helpers';

test('usage lists the store commands and the file-level command groups', async (t) => {
  const { code, out } = await run(['help']);
  t.is(code, 0);
  for (const line of ['permafrost demo [dir]', 'permafrost inspect <dir>', 'permafrost verify <dir>', 'permafrost wal verify <dir>', 'permafrost volume dump <file>', 'permafrost catalog dump <dir>']) {
    t.true(out.includes(line), line);
  }
});

test('an unknown command exits 2 and names it', async (t) => {
  const { code, err } = await run(['frobnicate']);
  t.is(code, 2);
  t.regex(err, /unknown command 'frobnicate'/);
});
