/**
 * IndexMetadata: the payload of a WAL CreateIndex entry and of `ddl-*.bin` records (spec
 * §4.5, `IndexMetadata::serialize` / `deserialize` in stoolap's persistence.rs).
 *
 * | field            | encoding                                                        |
 * |------------------|-----------------------------------------------------------------|
 * | index name       | u16 len + UTF-8                                                 |
 * | table name       | u16 len + UTF-8                                                 |
 * | column count n   | u16                                                             |
 * | column names     | n × (u16 len + UTF-8)                                           |
 * | column ids       | n × i32                                                         |
 * | data types       | u16 count + count × u8 DataType                                 |
 * | unique           | u8 (optional on read: absent ⇒ false)                           |
 * | index type       | u8: 0 BTree, 1 Hash, 2 Bitmap, 3 MultiColumn, 5 HNSW (optional ⇒ BTree) |
 * | HNSW parameters  | u16 m, u16 ef_construction, u16 ef_search, u8 metric — only for HNSW; all 7 bytes optional on read |
 *
 * The writer always writes the unique flag and the type, and for HNSW the parameters (with
 * stoolap's defaults 16/200/64/L2 when not given). Deviations: unknown type, data-type and
 * metric bytes are `ERR_UNKNOWN_TAG` (stoolap reads unknown types as BTree), and 1–6 bytes
 * of HNSW parameters are `ERR_TRUNCATED` (stoolap ignores them).
 */
import { PermafrostError } from '../errors';
import { ByteReader } from './byte-reader';
import { ByteWriter } from './byte-writer';
import { dataTypeFromByte, type DataType } from './data-type';

export const IndexType = { BTree: 0, Hash: 1, Bitmap: 2, MultiColumn: 3, Hnsw: 5 } as const;
export type IndexType = (typeof IndexType)[keyof typeof IndexType];

export const DistanceMetric = { L2: 0, Cosine: 1, InnerProduct: 2 } as const;
export type DistanceMetric = (typeof DistanceMetric)[keyof typeof DistanceMetric];

const HNSW_PARAMETER_BYTES = 7;

export interface HnswParameters {
  /** Maximum connections per node per layer. @default 16 */
  readonly m: number;
  /** Build beam width. @default 200 */
  readonly efConstruction: number;
  /** Search beam width. @default 64 */
  readonly efSearch: number;
  /** @default DistanceMetric.L2 */
  readonly distanceMetric: DistanceMetric;
}

export const DEFAULT_HNSW_PARAMETERS: HnswParameters = Object.freeze({
  m: 16,
  efConstruction: 200,
  efSearch: 64,
  distanceMetric: DistanceMetric.L2,
});

export interface IndexMetadata {
  readonly name: string;
  readonly tableName: string;
  readonly columnNames: readonly string[];
  /** Positions of the columns in the table schema (one per column name). */
  readonly columnIds: readonly number[];
  readonly dataTypes: readonly DataType[];
  readonly isUnique: boolean;
  readonly indexType: IndexType;
  /** HNSW indexes only; undefined when an older HNSW record stored none. */
  readonly hnsw?: HnswParameters | undefined;
}

function indexTypeFromByte(code: number, offset: number): IndexType {
  if (!(Object.values(IndexType) as number[]).includes(code)) {
    throw new PermafrostError('ERR_UNKNOWN_TAG', `unknown index type ${code} (known: 0-3, 5)`, { offset });
  }
  return code as IndexType;
}

/** The CreateIndex payload of `index`. */
export function encodeIndexMetadata(index: IndexMetadata): Buffer {
  if (index.columnIds.length !== index.columnNames.length) {
    throw new PermafrostError(
      'ERR_INVALID_ARGUMENT',
      `index '${index.name}' has ${index.columnNames.length} column names but ${index.columnIds.length} column ids`,
    );
  }
  const writer = new ByteWriter(64);
  writer.string16(index.name, 'index name').string16(index.tableName, 'table name');
  writer.u16(index.columnNames.length, 'index column count');
  for (const name of index.columnNames) writer.string16(name, 'index column name');
  for (const id of index.columnIds) writer.i32(id, 'index column id');
  writer.u16(index.dataTypes.length, 'index data type count');
  for (const dataType of index.dataTypes) writer.u8(dataType, 'index data type');
  writer.u8(index.isUnique ? 1 : 0).u8(index.indexType, 'index type');
  if (index.indexType === IndexType.Hnsw) {
    const hnsw = index.hnsw ?? DEFAULT_HNSW_PARAMETERS;
    writer.u16(hnsw.m, 'HNSW m').u16(hnsw.efConstruction, 'HNSW ef_construction');
    writer.u16(hnsw.efSearch, 'HNSW ef_search').u8(hnsw.distanceMetric, 'HNSW distance metric');
  }
  return writer.toBuffer();
}

function readHnsw(reader: ByteReader): HnswParameters | undefined {
  if (reader.remaining === 0) return undefined;
  if (reader.remaining < HNSW_PARAMETER_BYTES) {
    throw new PermafrostError('ERR_TRUNCATED', `HNSW parameters need ${HNSW_PARAMETER_BYTES} bytes but only ${reader.remaining} remain`, {
      offset: reader.offset,
    });
  }
  const m = reader.u16('HNSW m');
  const efConstruction = reader.u16('HNSW ef_construction');
  const efSearch = reader.u16('HNSW ef_search');
  const metricAt = reader.offset;
  const metric = reader.u8('HNSW distance metric');
  if (metric > DistanceMetric.InnerProduct) {
    throw new PermafrostError('ERR_UNKNOWN_TAG', `unknown HNSW distance metric ${metric} (known: 0-2)`, { offset: metricAt });
  }
  return { m, efConstruction, efSearch, distanceMetric: metric as DistanceMetric };
}

/** Decodes a CreateIndex payload. Errors carry the offset within `bytes`. */
export function decodeIndexMetadata(bytes: Uint8Array): IndexMetadata {
  if (bytes.length === 0) throw new PermafrostError('ERR_TRUNCATED', 'empty index metadata', { offset: 0 });
  const reader = new ByteReader(bytes);
  const name = reader.string16('index name');
  const tableName = reader.string16('table name');
  const columnCount = reader.u16('index column count');
  reader.requireElements(columnCount, 6, 'index column');
  const columnNames = Array.from({ length: columnCount }, (_, i) => reader.string16(`index column ${i} name`));
  const columnIds = Array.from({ length: columnCount }, (_, i) => reader.i32(`index column ${i} id`));
  const typeCount = reader.u16('index data type count');
  reader.requireElements(typeCount, 1, 'index data type');
  const dataTypes = Array.from({ length: typeCount }, () => {
    const at = reader.offset;
    return dataTypeFromByte(reader.u8('index data type'), at, 'index data type');
  });
  const isUnique = reader.remaining > 0 ? reader.u8('unique flag') !== 0 : false;
  const typeAt = reader.offset;
  const indexType = reader.remaining > 0 ? indexTypeFromByte(reader.u8('index type'), typeAt) : IndexType.BTree;
  const hnsw = indexType === IndexType.Hnsw ? readHnsw(reader) : undefined;
  return { name, tableName, columnNames, columnIds, dataTypes, isUnique, indexType, hnsw };
}
