/** Rows stored under an older schema can be shorter or longer than the current one. */
import type { TableSchema } from '../codec/schema';
import { toColumnValue, type Value } from '../codec/values';

/** `values` cut or padded to the schema's width (padding: the column default, else its typed NULL). */
export function padRow(schema: TableSchema, values: readonly Value[]): Value[] {
  const width = schema.columns.length;
  if (values.length === width) return values as Value[];
  if (values.length > width) return values.slice(0, width);
  const padded = [...values];
  for (let index = values.length; index < width; index += 1) {
    const column = schema.columns[index]!;
    padded.push(column.defaultValue ?? toColumnValue(null, column.dataType));
  }
  return padded;
}
