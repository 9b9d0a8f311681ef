/**
 * Reads the `INSERT INTO <table> VALUES (...);` statements of a SQL script into rows of SQL
 * literals, and turns a literal into the value stoolap stores for a column type. Only what
 * `create_v037db.sql` uses: numbers, 'strings' ('' escapes), true/false and null.
 */
import { DataType } from '../../../ts/codec/data-type';
import { isNull, Json, Timestamp, type Value } from '../../../ts/codec/values';

export type SqlLiteral = { kind: 'number' | 'string' | 'boolean' | 'null'; text: string };

function tokenize(tuple: string): SqlLiteral[] {
  const out: SqlLiteral[] = [];
  let at = 0;
  while (at < tuple.length) {
    const char = tuple[at]!;
    if (char === ' ' || char === ',') {
      at += 1;
    } else if (char === "'") {
      let text = '';
      at += 1;
      for (;;) {
        const next = tuple[at]!;
        if (next === "'" && tuple[at + 1] === "'") {
          text += "'";
          at += 2;
        } else if (next === "'") {
          at += 1;
          break;
        } else {
          text += next;
          at += 1;
        }
      }
      out.push({ kind: 'string', text });
    } else {
      const end = /[ ,]/.exec(tuple.slice(at));
      const word = end ? tuple.slice(at, at + end.index) : tuple.slice(at);
      at += word.length;
      const lower = word.toLowerCase();
      if (lower === 'null') out.push({ kind: 'null', text: word });
      else if (lower === 'true' || lower === 'false') out.push({ kind: 'boolean', text: lower });
      else out.push({ kind: 'number', text: word });
    }
  }
  return out;
}

/** Table name (lower case) → rows of literals, in script order. */
export function sqlInserts(script: string): Map<string, SqlLiteral[][]> {
  const out = new Map<string, SqlLiteral[][]>();
  for (const match of script.matchAll(/^INSERT INTO (\w+) VALUES \((.*)\);$/gm)) {
    const table = match[1]!.toLowerCase();
    if (!out.has(table)) out.set(table, []);
    out.get(table)!.push(tokenize(match[2]!));
  }
  return out;
}

/** The value a column of `dataType` holds for `literal`. */
export function literalValue(literal: SqlLiteral, dataType: DataType): Value {
  if (literal.kind === 'null') return null;
  switch (dataType) {
    case DataType.Integer:
      return BigInt(literal.text);
    case DataType.Float:
      return Number(literal.text);
    case DataType.Boolean:
      return literal.text === 'true';
    case DataType.Timestamp:
      return Timestamp.fromMillis(Date.parse(literal.text));
    case DataType.Json:
      return new Json(literal.text);
    case DataType.Vector:
      return Float32Array.from(JSON.parse(literal.text) as number[]);
    default:
      return literal.text;
  }
}

/** A canonical text of a value, for exact comparisons. */
export function canonical(value: Value): string {
  if (isNull(value)) return 'null';
  if (typeof value === 'bigint') return `int ${value}`;
  if (typeof value === 'number') return `float ${value}`;
  if (typeof value === 'string') return `text ${JSON.stringify(value)}`;
  if (typeof value === 'boolean') return `bool ${value}`;
  if (value instanceof Timestamp) return `timestamp ${value.epochNanos}`;
  if (value instanceof Json) return `json ${value.text}`;
  if (value instanceof Float32Array) return `vector ${Array.from(value).join(',')}`;
  return `other ${String(value)}`;
}
