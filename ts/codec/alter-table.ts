/**
 * ALTER TABLE payloads of WAL AlterTable entries (spec §4.7). Every payload starts with
 * `u8 operation` and `u16 len + table name` (the old name for a rename).
 *
 * | op | operation     | remaining fields                                                          |
 * |----|---------------|---------------------------------------------------------------------------|
 * | 1  | add column    | u16 len + name; u8 DataType; [u16 dims if Vector]; u8 nullable; u16 len + default expression (0 = none) |
 * | 2  | drop column   | u16 len + name                                                            |
 * | 3  | rename column | u16 len + old name; u16 len + new name                                    |
 * | 4  | modify column | u16 len + name; u8 DataType; [u16 dims if Vector]; u8 nullable            |
 * | 5  | rename table  | u16 len + new name                                                        |
 */
import { PermafrostError } from '../errors';
import { ByteReader } from './byte-reader';
import { ByteWriter } from './byte-writer';
import { DataType, dataTypeFromByte } from './data-type';

export const AlterOperation = { AddColumn: 1, DropColumn: 2, RenameColumn: 3, ModifyColumn: 4, RenameTable: 5 } as const;

export type AlterTable =
  | {
      readonly operation: 'addColumn';
      readonly tableName: string;
      readonly columnName: string;
      readonly dataType: DataType;
      readonly vectorDimensions?: number | undefined;
      readonly nullable: boolean;
      readonly defaultExpression: string;
    }
  | { readonly operation: 'dropColumn'; readonly tableName: string; readonly columnName: string }
  | { readonly operation: 'renameColumn'; readonly tableName: string; readonly oldName: string; readonly newName: string }
  | {
      readonly operation: 'modifyColumn';
      readonly tableName: string;
      readonly columnName: string;
      readonly dataType: DataType;
      readonly vectorDimensions?: number | undefined;
      readonly nullable: boolean;
    }
  | { readonly operation: 'renameTable'; readonly tableName: string; readonly newName: string };

function writeType(writer: ByteWriter, dataType: DataType, vectorDimensions: number | undefined): void {
  writer.u8(dataType, 'data type');
  if (dataType === DataType.Vector) writer.u16(vectorDimensions ?? 0, 'vector dimensions');
}

export function encodeAlterTable(alter: AlterTable): Buffer {
  const writer = new ByteWriter(64);
  switch (alter.operation) {
    case 'addColumn':
      writer.u8(AlterOperation.AddColumn).string16(alter.tableName, 'table name').string16(alter.columnName, 'column name');
      writeType(writer, alter.dataType, alter.vectorDimensions);
      writer.u8(alter.nullable ? 1 : 0).string16(alter.defaultExpression, 'default expression');
      break;
    case 'dropColumn':
      writer.u8(AlterOperation.DropColumn).string16(alter.tableName, 'table name').string16(alter.columnName, 'column name');
      break;
    case 'renameColumn':
      writer.u8(AlterOperation.RenameColumn).string16(alter.tableName, 'table name');
      writer.string16(alter.oldName, 'old column name').string16(alter.newName, 'new column name');
      break;
    case 'modifyColumn':
      writer.u8(AlterOperation.ModifyColumn).string16(alter.tableName, 'table name').string16(alter.columnName, 'column name');
      writeType(writer, alter.dataType, alter.vectorDimensions);
      writer.u8(alter.nullable ? 1 : 0);
      break;
    case 'renameTable':
      writer.u8(AlterOperation.RenameTable).string16(alter.tableName, 'table name').string16(alter.newName, 'new table name');
      break;
  }
  return writer.toBuffer();
}

function readType(reader: ByteReader): { dataType: DataType; vectorDimensions: number | undefined } {
  const at = reader.offset;
  const dataType = dataTypeFromByte(reader.u8('data type'), at);
  return { dataType, vectorDimensions: dataType === DataType.Vector ? reader.u16('vector dimensions') : undefined };
}

export function decodeAlterTable(bytes: Uint8Array): AlterTable {
  const reader = new ByteReader(bytes);
  const operation = reader.u8('alter operation');
  const tableName = reader.string16('table name');
  switch (operation) {
    case AlterOperation.AddColumn: {
      const columnName = reader.string16('column name');
      const { dataType, vectorDimensions } = readType(reader);
      const nullable = reader.u8('nullable flag') !== 0;
      const defaultExpression = reader.string16('default expression');
      return { operation: 'addColumn', tableName, columnName, dataType, vectorDimensions, nullable, defaultExpression };
    }
    case AlterOperation.DropColumn:
      return { operation: 'dropColumn', tableName, columnName: reader.string16('column name') };
    case AlterOperation.RenameColumn:
      return { operation: 'renameColumn', tableName, oldName: reader.string16('old column name'), newName: reader.string16('new column name') };
    case AlterOperation.ModifyColumn: {
      const columnName = reader.string16('column name');
      const { dataType, vectorDimensions } = readType(reader);
      return { operation: 'modifyColumn', tableName, columnName, dataType, vectorDimensions, nullable: reader.u8('nullable flag') !== 0 };
    }
    case AlterOperation.RenameTable:
      return { operation: 'renameTable', tableName, newName: reader.string16('new table name') };
    default:
      throw new PermafrostError('ERR_UNKNOWN_TAG', `unknown ALTER TABLE operation ${operation} (known: 1-5)`, { offset: 0 });
  }
}
