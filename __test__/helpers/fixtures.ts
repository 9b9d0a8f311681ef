/** Where tests find the shared stoolap fixtures, and temporary directories for files made on the fly. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** `shared/` beside the repository root (CI clones the repo next to it). */
export const SHARED_DIR = join(__dirname, '..', '..', '..', 'shared');
export const STOOLAP_FIXTURES = join(SHARED_DIR, 'stoolap-fixtures');
export const V037_DB = join(STOOLAP_FIXTURES, 'v037db');

/** A fresh temporary directory; call the returned `remove` when done. */
export function tempDir(prefix = 'permafrost-'): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}
