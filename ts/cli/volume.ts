/**
 * `permafrost volume dump|verify` and `permafrost catalog dump`: inspection of volume
 * files and the STVC catalog. Output is plain text, or JSON with `--json` (bigints as
 * decimal strings).
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { dataTypeName } from '../codec/data-type';
import { Extension, FloatBits, Json, Timestamp, TypedNull, type Value } from '../codec/values';
import { PermafrostError, isPermafrostError } from '../errors';
import { readCatalog } from '../catalog/volume-catalog';
import { kindName } from '../volume/column-kind';
import { VolumeReader } from '../volume/volume-reader';
import type { CommandGroup, CommandIo, ParsedArgs } from './command';

function show(value: Value): string {
  if (value === null) return 'NULL';
  if (value instanceof TypedNull) return value.toString();
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'string') return JSON.stringify(value);
  if (value instanceof Timestamp || value instanceof Json) return value.toString();
  if (value instanceof Float32Array) return `[${[...value].join(', ')}]`;
  if (value instanceof Extension) return `ext(${value.dataType}, ${Buffer.from(value.bytes).toString('hex')})`;
  if (value instanceof FloatBits) return `f64(0x${value.bits.toString(16)})`;
  return String(value);
}

function json(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof TypedNull) return null;
  if (value instanceof Timestamp || value instanceof Json) return value.toString();
  if (value instanceof Float32Array) return [...value];
  if (value instanceof Extension || value instanceof FloatBits) return show(value);
  return value;
}

function rowLimit(args: ParsedArgs): number {
  const raw = args.options.get('rows') ?? '10';
  const rows = Number(raw);
  if (!Number.isSafeInteger(rows) || rows < 0) throw new PermafrostError('ERR_INVALID_ARGUMENT', `--rows needs a non-negative integer, got ${raw}`);
  return rows;
}

async function dump(args: ParsedArgs, io: CommandIo): Promise<number> {
  const file = args.positionals[0];
  if (file === undefined) throw new PermafrostError('ERR_INVALID_ARGUMENT', 'usage: permafrost volume dump <file> [--json] [--rows N]');
  await using reader = await VolumeReader.open(file);
  const rows = Math.min(rowLimit(args), reader.rowCount);
  const meta = reader.metadata;
  const columns = meta.columns.map((c, i) => ({
    name: c.name,
    type: dataTypeName(c.dataType),
    kind: kindName(c.kind),
    sorted: c.sorted,
    dictionarySize: c.dictionary?.length,
    zoneMap: { min: json(meta.zoneMaps[i]!.min), max: json(meta.zoneMaps[i]!.max), nullCount: meta.zoneMaps[i]!.nullCount },
    stats: { ...Object.fromEntries(Object.entries(meta.stats.columns[i]!).map(([k, v]) => [k, json(v)])) },
    bloomBits: meta.blooms[i]!.numBits.toString(),
  }));
  const firstRows = Array.from({ length: rows }, (_, r) => ({ rowId: reader.rowId(r).toString(), values: reader.getRow(r).map(json) }));
  if (args.flags.has('json')) {
    io.out(JSON.stringify({ file, rowCount: reader.rowCount, groupCount: reader.groupCount, rowGroups: meta.rowGroups.length, columns, rows: firstRows }, null, 2));
    return 0;
  }
  io.out(`${file}: STV4 v1, ${reader.rowCount} rows, ${columns.length} columns, ${reader.groupCount} groups of up to 65536 rows`);
  meta.columns.forEach((c, i) => {
    const z = meta.zoneMaps[i]!;
    const s = meta.stats.columns[i]!;
    io.out(`  [${i}] ${c.name} ${dataTypeName(c.dataType)} (${kindName(c.kind)}${c.sorted ? ', sorted' : ''}${c.dictionary ? `, ${c.dictionary.length} strings` : ''})`);
    io.out(`      zone map min ${show(z.min)} max ${show(z.max)} nulls ${z.nullCount}; stats non-null ${s.nonNullCount} sumInt ${s.sumInt} sumFloat ${s.sumFloat}`);
  });
  firstRows.forEach((row, r) => io.out(`  row ${row.rowId}: ${reader.getRow(r).map(show).join(' | ')}`));
  return 0;
}

async function volumeFiles(path: string): Promise<string[]> {
  if (!(await stat(path)).isDirectory()) return [path];
  const found: string[] = [];
  for (const entry of (await readdir(path, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
    const child = join(path, entry.name);
    if (entry.isDirectory()) found.push(...(await volumeFiles(child)));
    else if (entry.name.endsWith('.vol')) found.push(child);
  }
  return found;
}

async function verify(args: ParsedArgs, io: CommandIo): Promise<number> {
  const target = args.positionals[0];
  if (target === undefined) throw new PermafrostError('ERR_INVALID_ARGUMENT', 'usage: permafrost volume verify <file|dir>');
  let bad = 0;
  const files = await volumeFiles(target);
  for (const file of files) {
    try {
      await using reader = await VolumeReader.open(file);
      for (let c = 0; c < reader.columnCount; c += 1) for (let g = 0; g < reader.groupCount; g += 1) reader.group(c, g);
      io.out(`ok ${file} (${reader.rowCount} rows)`);
    } catch (error) {
      if (!isPermafrostError(error)) throw error;
      bad += 1;
      io.out(`BAD ${file}: ${error.code}: ${error.message}`);
    }
  }
  io.out(`${files.length - bad} ok, ${bad} bad`);
  return bad === 0 ? 0 : 1;
}

async function catalogDump(args: ParsedArgs, io: CommandIo): Promise<number> {
  const dir = args.positionals[0];
  if (dir === undefined) throw new PermafrostError('ERR_INVALID_ARGUMENT', 'usage: permafrost catalog dump <dir>');
  const catalog = await readCatalog(dir);
  const tables = catalog.tableNames().map((name) => ({
    name,
    volumes: catalog.getVolumes(name).map((e) => Object.fromEntries(Object.entries(e).map(([k, v]) => [k, String(v)]))),
  }));
  if (args.flags.has('json')) io.out(JSON.stringify({ tables }, null, 2));
  else {
    io.out(`${tables.length} tables`);
    for (const table of tables) {
      io.out(`  ${table.name}: ${table.volumes.length} volumes`);
      for (const v of table.volumes) io.out(`    volume ${v['volumeId']} rows ${v['rowCount']} time [${v['timeMinMicros']}, ${v['timeMaxMicros']}] µs`);
    }
  }
  return 0;
}

export const volumeCommands: CommandGroup = {
  name: 'volume',
  summary: 'inspect and verify STV4 volume files',
  commands: {
    dump: { usage: 'dump <file> [--json] [--rows N]', summary: 'header, metadata, zone maps, stats and the first rows', valueOptions: ['rows'], run: dump },
    verify: { usage: 'verify <file|dir>', summary: 'check every volume (CRC, structure, every block); exit 1 if any is bad', run: verify },
  },
};

export const catalogCommands: CommandGroup = {
  name: 'catalog',
  summary: 'inspect the STVC volume catalog',
  commands: {
    dump: { usage: 'dump <dir> [--json]', summary: 'tables and their volumes in <dir>/volumes.catalog', run: catalogDump },
  },
};
