/** Temporary directories for tests, removed when the test ends. */
import type { ExecutionContext } from 'ava';
import { mkdtempSync, rmSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh directory under the OS temp dir, deleted in the test's teardown. */
export function tempDir(t: ExecutionContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'permafrost-wal-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** The stoolap fixtures shipped next to the repository (never copied into it). */
export const FIXTURES = join(__dirname, '..', '..', '..', '..', 'shared', 'stoolap-fixtures');
export const FIXTURE_WAL_DIR = join(FIXTURES, 'v037db', 'wal');
export const FIXTURE_WAL_FILE = join(FIXTURE_WAL_DIR, 'wal-20260321-124840-lsn-0.log');

/** Every file under `dir` (relative path → bytes), to prove that nothing changed. */
export function snapshotTree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const visit = (path: string, rel: string): void => {
    for (const name of readdirSync(path)) {
      const full = join(path, name);
      const relative = rel === '' ? name : `${rel}/${name}`;
      if (statSync(full).isDirectory()) visit(full, relative);
      else out.set(relative, readFileSync(full).toString('hex'));
    }
  };
  visit(dir, '');
  return out;
}

/** Silences process warnings (recovery reports damage through them) in sweep tests. */
export function silenceWarnings(): void {
  process.emitWarning = () => undefined;
}
