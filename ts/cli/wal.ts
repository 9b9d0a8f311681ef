/**
 * `permafrost wal dump <file|dir> [--json]` — one line per entry (LSN, txn, operation, table,
 * row id, flags, decoded payload) and per damaged region;
 * `permafrost wal verify <dir>` — checks every WAL file and checkpoint.meta of a database (or
 * `wal/`) directory without changing anything; reports the first problem with file and offset
 * and exits 1 when there is one.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { PermafrostError } from '../errors';
import { nodeFileSystem } from '../io/file-system';
import { WalFlag } from '../wal/wal-constants';
import { damageError, type WalDamage } from '../wal/wal-damage';
import type { WalEntry } from '../wal/wal-entry';
import { compareWalFileNames, isWalFileName } from '../wal/wal-file-names';
import { readWalRecords, verifyWalDirectory } from '../wal/wal-reader';
import type { CommandGroup, CommandIo, ParsedArgs } from './command';
import { payloadJson } from './wal-payload-json';

function flagNames(flags: number): string[] {
  const names: string[] = [];
  if (flags & WalFlag.Compressed) names.push('compressed');
  if (flags & WalFlag.CommitMarker) names.push('commit');
  if (flags & WalFlag.AbortMarker) names.push('abort');
  return names;
}

/** The `wal/` directory of a database directory, or the directory itself. */
async function walDirectoryOf(path: string): Promise<string> {
  try {
    if ((await stat(join(path, 'wal'))).isDirectory()) return join(path, 'wal');
  } catch {
    // not a database directory: treat it as the WAL directory
  }
  return path;
}

async function filesToDump(target: string): Promise<Array<{ path: string; name: string }>> {
  let info;
  try {
    info = await stat(target);
  } catch (error) {
    throw new PermafrostError('ERR_NOT_FOUND', `cannot read ${target}`, { file: target, cause: error });
  }
  if (!info.isDirectory()) return [{ path: target, name: target }];
  const dir = await walDirectoryOf(target);
  const names = (await nodeFileSystem.readdir(dir)).filter(isWalFileName).sort(compareWalFileNames);
  return names.map((name) => ({ path: join(dir, name), name }));
}

function entryLine(entry: WalEntry, json: boolean): string {
  const fields = {
    file: entry.file,
    offset: entry.offset,
    lsn: entry.lsn.toString(),
    previousLsn: entry.previousLsn.toString(),
    txnId: entry.txnId.toString(),
    operation: entry.operationName,
    table: entry.tableName,
    rowId: entry.rowId.toString(),
    flags: flagNames(entry.flags),
    timestamp: entry.timestamp.toString(),
    payload: payloadJson(entry),
  };
  if (json) return JSON.stringify(fields);
  const flags = fields.flags.length > 0 ? fields.flags.join('|') : '-';
  return `lsn=${fields.lsn} txn=${fields.txnId} op=${fields.operation} table=${JSON.stringify(fields.table)} row=${fields.rowId} flags=${flags} payload=${JSON.stringify(fields.payload)}`;
}

function damageLine(damage: WalDamage, json: boolean): string {
  const error = damageError(damage);
  if (json) return JSON.stringify({ damage: { file: damage.file, offset: damage.offset, lengthBytes: damage.lengthBytes, code: damage.code, what: damage.what } });
  return `damage ${error.code}: ${error.message}`;
}

async function dump(args: ParsedArgs, io: CommandIo): Promise<number> {
  const [target] = args.positionals;
  if (target === undefined) throw new PermafrostError('ERR_INVALID_ARGUMENT', 'wal dump needs a file or directory');
  const json = args.flags.has('json');
  let damaged = false;
  for (const file of await filesToDump(target)) {
    for await (const record of readWalRecords(nodeFileSystem, file.path, file.name)) {
      if (record.kind === 'entry') io.out(entryLine(record.entry, json));
      else {
        damaged = true;
        io.out(damageLine(record.damage, json));
      }
    }
  }
  return damaged ? 1 : 0;
}

async function verify(args: ParsedArgs, io: CommandIo): Promise<number> {
  const [target] = args.positionals;
  if (target === undefined) throw new PermafrostError('ERR_INVALID_ARGUMENT', 'wal verify needs a directory');
  const report = await verifyWalDirectory(nodeFileSystem, await walDirectoryOf(target));
  const first = report.problems[0];
  if (first === undefined) {
    io.out(`ok: ${report.files.length} WAL file(s), ${report.entries} entries, no problems`);
    return 0;
  }
  io.err(`${first.code}: ${first.message}`);
  if (report.problems.length > 1) io.err(`(${report.problems.length - 1} more problem(s))`);
  return 1;
}

export const walCommands: CommandGroup = {
  name: 'wal',
  summary: 'inspect write-ahead log files',
  commands: {
    dump: { usage: 'dump <file|dir> [--json]', summary: 'print every WAL entry (LSN, txn, operation, table, row id, flags, decoded payload)', run: dump },
    verify: { usage: 'verify <dir>', summary: 'check every WAL file and checkpoint.meta; report the first problem and exit 1', run: verify },
  },
};
