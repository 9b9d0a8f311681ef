/**
 * stoolap's DataType codes (`src/core/types.rs`, spec §4.1). These are the type bytes of
 * schemas, index metadata, typed NULL hints and volume column types. (WAL value tags, §4.2,
 * and volume value tags, §5.4, are other numberings.)
 *
 * | code | type      | JS value (see values.ts)      |
 * |------|-----------|-------------------------------|
 * | 0    | Null      | `null` / `TypedNull`          |
 * | 1    | Integer   | `bigint` (i64)                |
 * | 2    | Float     | `number` (f64)                |
 * | 3    | Text      | `string`                      |
 * | 4    | Boolean   | `boolean`                     |
 * | 5    | Timestamp | `Timestamp`                   |
 * | 6    | Json      | `Json`                        |
 * | 7    | Vector    | `Float32Array`                |
 */
import { PermafrostError } from '../errors';

export const DataType = {
  Null: 0,
  Integer: 1,
  Float: 2,
  Text: 3,
  Boolean: 4,
  Timestamp: 5,
  Json: 6,
  Vector: 7,
} as const;

export type DataType = (typeof DataType)[keyof typeof DataType];

const NAMES: readonly string[] = ['Null', 'Integer', 'Float', 'Text', 'Boolean', 'Timestamp', 'Json', 'Vector'];

export function isDataType(code: number): code is DataType {
  return Number.isInteger(code) && code >= 0 && code < NAMES.length;
}

/** The name of a DataType code, e.g. `Integer`. */
export function dataTypeName(code: DataType): string {
  return NAMES[code] ?? `DataType(${code})`;
}

/**
 * Checks a DataType byte read from disk. stoolap silently maps unknown codes to Null; we
 * refuse them, since stoolap never writes one (spec §11 item 13).
 */
export function dataTypeFromByte(code: number, offset?: number, what = 'data type'): DataType {
  if (!isDataType(code)) {
    throw new PermafrostError('ERR_UNKNOWN_TAG', `unknown ${what} code ${code} (known: 0-7)`, { offset });
  }
  return code;
}
