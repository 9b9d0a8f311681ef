/**
 * Table schema: the payload of a WAL CreateTable entry (spec §4.4, `serialize_schema` /
 * `deserialize_schema` in stoolap's engine.rs). Snapshot files use a variant with two
 * timestamps after the columns (§3.4, `snapshot: true`).
 *
 * | field                        | encoding                                              |
 * |------------------------------|-------------------------------------------------------|
 * | table name                   | u16 len + UTF-8 (original case)                       |
 * | column count                 | u16                                                   |
 * | per column: name             | u16 len + UTF-8                                       |
 * |   data type                  | u8 DataType                                           |
 * |   vector dimensions          | u16, only when the type is Vector (7)                 |
 * |   nullable, primary key      | u8, u8 (1/0)                                          |
 * |   auto increment             | u8 (optional on read)                                 |
 * |   default expression         | u16 len + UTF-8, len 0 = none (optional on read)      |
 * |   CHECK expression           | u16 len + UTF-8, len 0 = none (optional on read)      |
 * | [snapshot only] created/updated at | i64, i64 nanoseconds                            |
 * | foreign key count            | u16 (optional: absent ⇒ none)                         |
 * | per FK                       | u16 column index, 3 × (u16 len + UTF-8: column, referenced table, referenced column), u8 on delete, u8 on update |
 * | default value count          | u16 (optional), = column count when written           |
 * | per column                   | u16 len + value bytes (§4.2), len 0 = no default      |
 *
 * Deviations from stoolap's reader (which never matter for files stoolap writes): an
 * expression length that overruns the input is `ERR_TRUNCATED` (stoolap drops it and then
 * misreads what follows); a truncated default section is an error (stoolap stops quietly);
 * unknown type or FK-action bytes are `ERR_UNKNOWN_TAG` (stoolap maps them to Null/Restrict).
 */
import { PermafrostError } from '../errors';
import { ByteReader } from './byte-reader';
import { ByteWriter } from './byte-writer';
import { DataType, dataTypeFromByte } from './data-type';
import { encodeValue, readValue } from './value-codec';
import type { Value } from './values';

/** Foreign-key referential actions (byte values on disk). */
export const ForeignKeyAction = { Restrict: 0, Cascade: 1, SetNull: 2, NoAction: 3 } as const;
export type ForeignKeyAction = (typeof ForeignKeyAction)[keyof typeof ForeignKeyAction];

export interface ColumnSchema {
  readonly name: string;
  readonly dataType: DataType;
  /** Element count of a Vector column; undefined for other types. */
  readonly vectorDimensions?: number | undefined;
  readonly nullable: boolean;
  readonly primaryKey: boolean;
  readonly autoIncrement: boolean;
  /** SQL text of the DEFAULT expression; '' when there is none. */
  readonly defaultExpression: string;
  /** SQL text of the CHECK expression; '' when there is none. */
  readonly checkExpression: string;
  /** The pre-computed default value; undefined when none is stored. */
  readonly defaultValue: Value | undefined;
}

export interface ForeignKey {
  readonly columnIndex: number;
  readonly columnName: string;
  readonly referencedTable: string;
  readonly referencedColumn: string;
  readonly onDelete: ForeignKeyAction;
  readonly onUpdate: ForeignKeyAction;
}

export interface TableSchema {
  /** Table name in its original case. */
  readonly tableName: string;
  readonly columns: readonly ColumnSchema[];
  readonly foreignKeys: readonly ForeignKey[];
}

/** A snapshot-file schema (§3.4): the table schema plus its creation and update times. */
export interface SnapshotSchema extends TableSchema {
  readonly createdAtNanos: bigint;
  readonly updatedAtNanos: bigint;
}

/** A column with stoolap's defaults for everything not given. */
export function column(name: string, dataType: DataType, options: Partial<Omit<ColumnSchema, 'name' | 'dataType'>> = {}): ColumnSchema {
  return {
    name,
    dataType,
    vectorDimensions: options.vectorDimensions ?? (dataType === DataType.Vector ? 0 : undefined),
    nullable: options.nullable ?? true,
    primaryKey: options.primaryKey ?? false,
    autoIncrement: options.autoIncrement ?? false,
    defaultExpression: options.defaultExpression ?? '',
    checkExpression: options.checkExpression ?? '',
    defaultValue: options.defaultValue,
  };
}

function foreignKeyAction(code: number, offset: number): ForeignKeyAction {
  if (code > ForeignKeyAction.NoAction) {
    throw new PermafrostError('ERR_UNKNOWN_TAG', `unknown foreign-key action ${code} (known: 0-3)`, { offset });
  }
  return code as ForeignKeyAction;
}

function writeColumns(schema: TableSchema, writer: ByteWriter): void {
  writer.string16(schema.tableName, 'table name');
  writer.u16(schema.columns.length, 'column count');
  for (const col of schema.columns) {
    writer.string16(col.name, 'column name').u8(col.dataType, 'data type');
    if (col.dataType === DataType.Vector) writer.u16(col.vectorDimensions ?? 0, 'vector dimensions');
    writer.u8(col.nullable ? 1 : 0).u8(col.primaryKey ? 1 : 0).u8(col.autoIncrement ? 1 : 0);
    writer.string16(col.defaultExpression, 'default expression').string16(col.checkExpression, 'check expression');
  }
}

function writeTrailer(schema: TableSchema, writer: ByteWriter): void {
  writer.u16(schema.foreignKeys.length, 'foreign key count');
  for (const fk of schema.foreignKeys) {
    writer.u16(fk.columnIndex, 'foreign key column index');
    writer.string16(fk.columnName, 'foreign key column').string16(fk.referencedTable, 'referenced table');
    writer.string16(fk.referencedColumn, 'referenced column').u8(fk.onDelete).u8(fk.onUpdate);
  }
  writer.u16(schema.columns.length, 'default count');
  for (const col of schema.columns) {
    if (col.defaultValue === undefined) {
      writer.u16(0);
      continue;
    }
    const lengthAt = writer.length;
    writer.u16(0);
    encodeValue(col.defaultValue, writer);
    const length = writer.length - lengthAt - 2;
    if (length > 0xffff) throw new PermafrostError('ERR_LIMIT', `default of column '${col.name}' is ${length} bytes (max 65535)`);
    writer.view().writeUInt16LE(length, lengthAt);
  }
}

/** The CreateTable payload of `schema`. */
export function encodeSchema(schema: TableSchema): Buffer {
  const writer = new ByteWriter(64 + schema.columns.length * 24);
  writeColumns(schema, writer);
  writeTrailer(schema, writer);
  return writer.toBuffer();
}

/** The schema block of a snapshot file (§3.4). */
export function encodeSnapshotSchema(schema: SnapshotSchema): Buffer {
  const writer = new ByteWriter(80 + schema.columns.length * 24);
  writeColumns(schema, writer);
  writer.i64(schema.createdAtNanos, 'created at').i64(schema.updatedAtNanos, 'updated at');
  writeTrailer(schema, writer);
  return writer.toBuffer();
}

/** Optional trailing fields are absent only when nothing at all remains; a partial field is truncated. */
function readOptionalExpression(reader: ByteReader, what: string, mandatory: boolean): string {
  if (!mandatory && reader.remaining === 0) return '';
  return reader.string16(what);
}

function readColumn(reader: ByteReader, index: number, snapshot: boolean): Omit<ColumnSchema, 'defaultValue'> {
  const name = reader.string16(`column ${index} name`);
  const typeAt = reader.offset;
  const dataType = dataTypeFromByte(reader.u8(`column ${index} type`), typeAt, `column '${name}' type`);
  const vectorDimensions = dataType === DataType.Vector ? reader.u16(`column '${name}' vector dimensions`) : undefined;
  const nullable = reader.u8(`column '${name}' nullable flag`) !== 0;
  const primaryKey = reader.u8(`column '${name}' primary-key flag`) !== 0;
  const autoIncrement = snapshot || reader.remaining > 0 ? reader.u8(`column '${name}' auto-increment flag`) !== 0 : false;
  const defaultExpression = readOptionalExpression(reader, `column '${name}' default expression`, snapshot);
  const checkExpression = readOptionalExpression(reader, `column '${name}' check expression`, snapshot);
  return { name, dataType, vectorDimensions, nullable, primaryKey, autoIncrement, defaultExpression, checkExpression };
}

function readForeignKeys(reader: ByteReader): ForeignKey[] {
  if (reader.remaining === 0) return [];
  const count = reader.u16('foreign key count');
  reader.requireElements(count, 10, 'foreign key');
  const keys: ForeignKey[] = [];
  for (let index = 0; index < count; index += 1) {
    const columnIndex = reader.u16(`foreign key ${index} column index`);
    const columnName = reader.string16(`foreign key ${index} column`);
    const referencedTable = reader.string16(`foreign key ${index} referenced table`);
    const referencedColumn = reader.string16(`foreign key ${index} referenced column`);
    const onDeleteAt = reader.offset;
    const onDelete = foreignKeyAction(reader.u8('on-delete action'), onDeleteAt);
    const onUpdate = foreignKeyAction(reader.u8('on-update action'), onDeleteAt + 1);
    keys.push({ columnIndex, columnName, referencedTable, referencedColumn, onDelete, onUpdate });
  }
  return keys;
}

function readDefaults(reader: ByteReader, columnCount: number): Array<Value | undefined> {
  const defaults = new Array<Value | undefined>(columnCount).fill(undefined);
  if (reader.remaining === 0) return defaults;
  const countAt = reader.offset;
  const count = reader.u16('default value count');
  if (count > columnCount) {
    throw new PermafrostError('ERR_CORRUPT', `${count} default values for ${columnCount} columns`, { offset: countAt });
  }
  for (let index = 0; index < count; index += 1) {
    const length = reader.u16(`default ${index} length`);
    if (length === 0) continue;
    const slotAt = reader.offset;
    const slot = reader.bytesView(length, `default ${index} value`);
    try {
      defaults[index] = readValue(new ByteReader(slot));
    } catch (error) {
      throw error instanceof PermafrostError ? error.locate(undefined, slotAt) : error;
    }
  }
  return defaults;
}

function readSchema(bytes: Uint8Array, snapshot: boolean): SnapshotSchema {
  const reader = new ByteReader(bytes);
  const tableName = reader.string16('table name');
  const columnCount = reader.u16('column count');
  reader.requireElements(columnCount, 5, 'column');
  const partial = Array.from({ length: columnCount }, (_, index) => readColumn(reader, index, snapshot));
  const createdAtNanos = snapshot ? reader.i64('created at') : 0n;
  const updatedAtNanos = snapshot ? reader.i64('updated at') : 0n;
  const foreignKeys = readForeignKeys(reader);
  const defaults = readDefaults(reader, columnCount);
  const columns = partial.map((col, index) => ({ ...col, defaultValue: defaults[index] }));
  return { tableName, columns, foreignKeys, createdAtNanos, updatedAtNanos };
}

/** Decodes a CreateTable payload. Errors carry the offset within `bytes`. */
export function decodeSchema(bytes: Uint8Array): TableSchema {
  const { tableName, columns, foreignKeys } = readSchema(bytes, false);
  return { tableName, columns, foreignKeys };
}

/** Decodes the schema block of a snapshot file (§3.4). */
export function decodeSnapshotSchema(bytes: Uint8Array): SnapshotSchema {
  return readSchema(bytes, true);
}
