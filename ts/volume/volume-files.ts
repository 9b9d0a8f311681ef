/**
 * Volume files of a table (spec §6.3): `<volumesDir>/<table>/vol_<16 lower-case hex>.vol`.
 *
 * - list: files whose name is exactly `vol_<16 hex>.vol`, sorted by id (fixed-width hex,
 *   so by name too); `.vol.tmp` leftovers and anything else are ignored;
 * - load all: open every listed volume (any failure aborts the call and closes the rest);
 * - delete one / delete all (then the table directory, if empty), with a directory fsync;
 * - remove temps: deletes leftover `vol_<16 hex>.vol.tmp` regular files (never following a
 *   symlink) — the owner of the directory does this at open.
 */
import { lstat, readdir, rmdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { PermafrostError, ioError } from '../errors';
import { fsyncDirectory } from '../io/publish-file';
import { tableDirectoryName } from './table-name';
import { VolumeReader, type VolumeReadOptions } from './volume-reader';

const VOLUME_NAME = /^vol_([0-9a-f]{16})\.vol$/;
const TEMP_NAME = /^vol_[0-9a-f]{16}\.vol\.tmp$/;

export interface VolumeFile {
  readonly volumeId: bigint;
  readonly path: string;
}

/** `vol_<16 hex>.vol` for a u64 id. */
export function volumeFileName(volumeId: bigint): string {
  if (volumeId < 0n || volumeId >= 1n << 64n) throw new PermafrostError('ERR_INVALID_ARGUMENT', `volume id ${volumeId} is not a u64`);
  return `vol_${volumeId.toString(16).padStart(16, '0')}.vol`;
}

/** The id of a volume file name, or undefined when the name is not one. */
export function parseVolumeFileName(name: string): bigint | undefined {
  const match = VOLUME_NAME.exec(name);
  return match ? BigInt(`0x${match[1]}`) : undefined;
}

/** `<volumesDir>/<table lower-cased>` after validating the name. */
export function tableDirectory(volumesDir: string, tableName: string): string {
  return join(volumesDir, tableDirectoryName(tableName));
}

async function entries(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw ioError(`cannot list ${dir}`, error, dir);
  }
}

/** The table's volumes, oldest (smallest id) first; a missing directory has none. */
export async function listVolumes(volumesDir: string, tableName: string): Promise<VolumeFile[]> {
  const dir = tableDirectory(volumesDir, tableName);
  const files: VolumeFile[] = [];
  for (const name of await entries(dir)) {
    const volumeId = parseVolumeFileName(name);
    if (volumeId !== undefined) files.push({ volumeId, path: join(dir, name) });
  }
  return files.sort((a, b) => (a.volumeId < b.volumeId ? -1 : a.volumeId > b.volumeId ? 1 : 0));
}

/** Opens every volume of the table, oldest first. */
export async function loadAllVolumes(volumesDir: string, tableName: string, options: VolumeReadOptions = {}): Promise<VolumeReader[]> {
  const readers: VolumeReader[] = [];
  try {
    for (const file of await listVolumes(volumesDir, tableName)) readers.push(await VolumeReader.open(file.path, options));
  } catch (error) {
    await Promise.all(readers.map((reader) => reader.close()));
    throw error;
  }
  return readers;
}

/** Deletes one volume file (ERR_NOT_FOUND when it does not exist). */
export async function deleteVolume(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new PermafrostError('ERR_NOT_FOUND', `no volume file ${path}`, { file: path, cause: error });
    throw ioError(`cannot delete ${path}`, error, path);
  }
}

/** Deletes every volume of the table, then the directory if nothing else is left in it. */
export async function deleteAllVolumes(volumesDir: string, tableName: string): Promise<number> {
  const dir = tableDirectory(volumesDir, tableName);
  const files = await listVolumes(volumesDir, tableName);
  for (const file of files) await deleteVolume(file.path);
  try {
    await rmdir(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST' && code !== 'ENOENT') throw ioError(`cannot remove ${dir}`, error, dir);
    if (code !== 'ENOENT' && files.length > 0) await fsyncDirectory(dir);
  }
  return files.length;
}

/** Deletes leftover `vol_<16 hex>.vol.tmp` regular files; returns how many. */
export async function removeVolumeTempFiles(volumesDir: string, tableName: string): Promise<number> {
  const dir = tableDirectory(volumesDir, tableName);
  let removed = 0;
  for (const name of await entries(dir)) {
    if (!TEMP_NAME.test(name)) continue;
    const path = join(dir, name);
    const stat = await lstat(path).catch(() => undefined);
    if (!stat?.isFile()) continue;
    await unlink(path).catch((error: unknown) => {
      throw ioError(`cannot delete ${path}`, error, path);
    });
    removed += 1;
  }
  if (removed > 0) await fsyncDirectory(dir);
  return removed;
}
