/**
 * Rows as users write them (an object keyed by column name, or an array by position) and as
 * stoolap stores them (a `Value[]` in schema order). Conversion goes through the column
 * types, so plain JS values are accepted wherever the schema says what they are.
 */
import { PermafrostError } from '../errors';
import type { TableSchema } from './schema';
import { toColumnValue, type Value } from './values';

/** Index of column `name`: an exact match, else a case-insensitive one; −1 when none. */
export function columnIndex(schema: TableSchema, name: string): number {
  const exact = schema.columns.findIndex((column) => column.name === name);
  if (exact >= 0) return exact;
  const folded = name.toLowerCase();
  return schema.columns.findIndex((column) => column.name.toLowerCase() === folded);
}

/** A row as the caller supplies it. */
export type RowInput = Readonly<Record<string, unknown>> | readonly unknown[];

/**
 * The stored values of `input` in schema order. Object keys match column names exactly, or
 * case-insensitively when no exact match exists; unknown keys are refused; missing columns
 * take the column's stored default, else its typed NULL.
 */
export function toRowValues(schema: TableSchema, input: RowInput): Value[] {
  const { columns } = schema;
  if (Array.isArray(input)) {
    if (input.length > columns.length) {
      throw new PermafrostError('ERR_INVALID_ARGUMENT', `row has ${input.length} values; table '${schema.tableName}' has ${columns.length} columns`);
    }
    return columns.map((column, index) =>
      index < input.length ? toColumnValue(input[index], column.dataType) : (column.defaultValue ?? toColumnValue(null, column.dataType)),
    );
  }
  const record = input as Readonly<Record<string, unknown>>;
  const values: Array<Value | undefined> = new Array<Value | undefined>(columns.length).fill(undefined);
  for (const [key, raw] of Object.entries(record)) {
    const index = columnIndex(schema, key);
    if (index < 0) {
      throw new PermafrostError('ERR_INVALID_ARGUMENT', `table '${schema.tableName}' has no column '${key}'`);
    }
    values[index] = toColumnValue(raw, columns[index]!.dataType);
  }
  return columns.map((column, index) => values[index] ?? column.defaultValue ?? toColumnValue(null, column.dataType));
}

/** The values of a stored row keyed by column name (missing trailing values read as NULL). */
export function rowToObject(schema: TableSchema, values: readonly Value[]): Record<string, Value> {
  const row: Record<string, Value> = {};
  schema.columns.forEach((column, index) => {
    row[column.name] = index < values.length ? values[index]! : toColumnValue(null, column.dataType);
  });
  return row;
}
