/** Checks that a path given to a store command is a database directory, before anything opens it. */
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { PermafrostError } from '../errors';

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/**
 * The absolute path of `dir` if it holds a database (`wal/`, `volumes/` or `snapshots/`);
 * ERR_NOT_FOUND otherwise, so `inspect` never creates a database where there was none.
 */
export async function databaseDirectory(dir: string | undefined, command: string): Promise<string> {
  if (dir === undefined) throw new PermafrostError('ERR_INVALID_ARGUMENT', `usage: permafrost ${command} <dir> [--json]`);
  const path = resolve(dir);
  if (!(await isDirectory(path))) throw new PermafrostError('ERR_NOT_FOUND', `${path} is not a directory`, { file: path });
  for (const child of ['wal', 'volumes', 'snapshots']) if (await isDirectory(join(path, child))) return path;
  throw new PermafrostError('ERR_NOT_FOUND', `${path} is not a database directory (no wal/, volumes/ or snapshots/)`, { file: path });
}
