/**
 * The rows `create_v037db.sql` leaves in each table: its INSERT, UPDATE … SET … WHERE id = N
 * and DELETE … WHERE id = N statements applied in script order. Only the statement shapes the
 * fixture uses are understood; anything else in a data statement fails loudly.
 */
import type { TableSchema } from '../../ts/codec/schema';
import type { Value } from '../../ts/codec/values';
import { literalValue, type SqlLiteral } from '../wal/helpers/sql-inserts';

/** Splits `text` at top-level commas (outside single-quoted strings and brackets). */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let at = 0; at < text.length; at += 1) {
    const char = text[at]!;
    if (char === "'") quoted = !quoted;
    else if (!quoted && (char === '(' || char === '[')) depth += 1;
    else if (!quoted && (char === ')' || char === ']')) depth -= 1;
    else if (!quoted && depth === 0 && char === ',') {
      parts.push(text.slice(start, at).trim());
      start = at + 1;
    }
  }
  parts.push(text.slice(start).trim());
  return parts;
}

function literal(text: string): SqlLiteral {
  if (text.startsWith("'") && text.endsWith("'")) return { kind: 'string', text: text.slice(1, -1).replace(/''/g, "'") };
  const lower = text.toLowerCase();
  if (lower === 'null') return { kind: 'null', text };
  if (lower === 'true' || lower === 'false') return { kind: 'boolean', text: lower };
  if (!/^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(text)) throw new Error(`unsupported SQL literal ${text}`);
  return { kind: 'number', text };
}

/** Table (lower case) → row id → values in schema order, after the whole script. */
export function sqlFinalState(script: string, schemas: ReadonlyMap<string, TableSchema>): Map<string, Map<bigint, Value[]>> {
  const tables = new Map<string, Map<bigint, Value[]>>();
  const rowsOf = (name: string): [TableSchema, Map<bigint, Value[]>] => {
    const key = name.toLowerCase();
    const schema = schemas.get(key);
    if (!schema) throw new Error(`no schema for ${name}`);
    if (!tables.has(key)) tables.set(key, new Map());
    return [schema, tables.get(key)!];
  };
  for (const statement of script.split('\n').filter((line) => /^(INSERT|UPDATE|DELETE)\b/.test(line))) {
    let match = /^INSERT INTO (\w+) VALUES \((.*)\);$/.exec(statement);
    if (match) {
      const [schema, rows] = rowsOf(match[1]!);
      const values = splitTopLevel(match[2]!).map((text, index) => literalValue(literal(text), schema.columns[index]!.dataType));
      rows.set(values[0] as bigint, values);
      continue;
    }
    match = /^UPDATE (\w+) SET (.*) WHERE id = (\d+);$/.exec(statement);
    if (match) {
      const [schema, rows] = rowsOf(match[1]!);
      const row = rows.get(BigInt(match[3]!));
      if (!row) throw new Error(`UPDATE of a missing row: ${statement}`);
      for (const assignment of splitTopLevel(match[2]!)) {
        const [name, text] = assignment.split(/\s*=\s*/, 2) as [string, string];
        const index = schema.columns.findIndex((column) => column.name === name);
        row[index] = literalValue(literal(assignment.slice(assignment.indexOf('=') + 1).trim()), schema.columns[index]!.dataType);
        void text;
      }
      continue;
    }
    match = /^DELETE FROM (\w+) WHERE id = (\d+);$/.exec(statement);
    if (match) {
      rowsOf(match[1]!)[1].delete(BigInt(match[2]!));
      continue;
    }
    throw new Error(`unsupported statement: ${statement}`);
  }
  return tables;
}
