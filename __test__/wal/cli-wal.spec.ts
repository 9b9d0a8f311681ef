/** `permafrost wal dump` and `permafrost wal verify`. */
import test from 'ava';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../../ts/cli/main';
import { tempDir, FIXTURES, FIXTURE_WAL_DIR, FIXTURE_WAL_FILE } from './helpers/temp-dir';

async function cli(...argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (line) => out.push(line), err: (line) => err.push(line) });
  return { code, out, err };
}

test('wal dump prints one line per entry with LSN, txn, operation, table, row id, flags and payload', async (t) => {
  const { code, out } = await cli('wal', 'dump', FIXTURE_WAL_FILE);
  t.is(code, 0);
  t.is(out.length, 299);
  t.regex(out[0]!, /^lsn=1 txn=-2 op=CreateTable table="users" row=0 flags=compressed payload=\{"tableName":"users"/);
  t.true(out.some((line) => /op=Insert table="users" row=1 .*"Alice"/.test(line)));
});

test('wal dump --json prints one JSON object per entry with the decoded payload', async (t) => {
  const { code, out } = await cli('wal', 'dump', join(FIXTURES, 'v037db'), '--json');
  t.is(code, 0);
  const entries = out.map((line) => JSON.parse(line) as { lsn: string; operation: string; payload: { values?: unknown[] } });
  t.is(entries.length, 299);
  const insert = entries.find((entry) => entry.operation === 'Insert')!;
  t.is(insert.payload.values!.length, 8);
});

test('wal verify accepts the fixture and exits 0', async (t) => {
  const { code, out } = await cli('wal', 'verify', join(FIXTURES, 'v037db'));
  t.is(code, 0);
  t.regex(out[0]!, /^ok: 1 WAL file\(s\), 299 entries/);
});

test('wal verify reports the first problem with code, file and offset and exits 1', async (t) => {
  const dir = tempDir(t);
  cpSync(FIXTURE_WAL_DIR, join(dir, 'wal'), { recursive: true });
  const file = join(dir, 'wal', 'wal-20260321-124840-lsn-0.log');
  const bytes = readFileSync(file);
  bytes[1000]! ^= 0x20;
  writeFileSync(file, bytes);
  const { code, err } = await cli('wal', 'verify', dir);
  t.is(code, 1);
  t.regex(err[0]!, /^ERR_CHECKSUM: .*wal-20260321-124840-lsn-0\.log, offset \d+\)$/);
});

test('wal dump marks damaged regions and exits 1', async (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'x.log');
  writeFileSync(file, Buffer.concat([readFileSync(FIXTURE_WAL_FILE).subarray(0, 500), Buffer.alloc(20, 7)]));
  const { code, out } = await cli('wal', 'dump', file);
  t.is(code, 1);
  t.regex(out.at(-1)!, /^damage ERR_/);
});

test('wal dump of a missing path is a usage error (exit 2) with ERR_NOT_FOUND', async (t) => {
  const { code, err } = await cli('wal', 'dump', '/nonexistent/permafrost');
  t.is(code, 2);
  t.regex(err[0]!, /ERR_NOT_FOUND/);
});
