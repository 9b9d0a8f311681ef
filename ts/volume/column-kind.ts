/**
 * Column kinds of a volume (spec §5.5): how a schema DataType is stored. The tags come
 * from the Rust core (`native()`), never retyped here.
 *
 * | DataType                        | kind       | in memory                        |
 * |---------------------------------|------------|----------------------------------|
 * | Integer                         | INT64      | BigInt64Array + null flags       |
 * | Float                           | FLOAT64    | Float64Array + null flags        |
 * | Timestamp                       | TIMESTAMP  | BigInt64Array of nanos + flags   |
 * | Boolean                         | BOOLEAN    | Uint8Array 0/1 + null flags      |
 * | Text                            | DICTIONARY | Uint32Array ids + dictionary     |
 * | Json, Vector, anything else     | BYTES      | payloads (extension bytes without the type byte) |
 */
import { DataType } from '../codec/data-type';
import { native } from '../native';

export type ColumnKind = number;

export interface ColumnKinds {
  readonly INT64: ColumnKind;
  readonly FLOAT64: ColumnKind;
  readonly TIMESTAMP: ColumnKind;
  readonly BOOLEAN: ColumnKind;
  readonly DICTIONARY: ColumnKind;
  readonly BYTES: ColumnKind;
}

let cached: ColumnKinds | undefined;

/** The kind tags, read once from the native core. */
export function columnKinds(): ColumnKinds {
  if (cached === undefined) {
    const n = native();
    cached = Object.freeze({
      INT64: n.VOLUME_KIND_INT64,
      FLOAT64: n.VOLUME_KIND_FLOAT64,
      TIMESTAMP: n.VOLUME_KIND_TIMESTAMP,
      BOOLEAN: n.VOLUME_KIND_BOOLEAN,
      DICTIONARY: n.VOLUME_KIND_DICTIONARY,
      BYTES: n.VOLUME_KIND_BYTES,
    });
  }
  return cached;
}

/** The kind stoolap's `VolumeBuilder::new` picks for a schema type. */
export function kindForDataType(dataType: DataType): ColumnKind {
  const k = columnKinds();
  switch (dataType) {
    case DataType.Integer:
      return k.INT64;
    case DataType.Float:
      return k.FLOAT64;
    case DataType.Timestamp:
      return k.TIMESTAMP;
    case DataType.Boolean:
      return k.BOOLEAN;
    case DataType.Text:
      return k.DICTIONARY;
    default:
      return k.BYTES;
  }
}

/** Bytes per value after the null flags; undefined for BYTES. */
export function valueBytes(kind: ColumnKind): number | undefined {
  const k = columnKinds();
  if (kind === k.INT64 || kind === k.FLOAT64 || kind === k.TIMESTAMP) return 8;
  if (kind === k.BOOLEAN) return 1;
  if (kind === k.DICTIONARY) return 4;
  return undefined;
}

/** A short name for dumps and messages. */
export function kindName(kind: ColumnKind): string {
  const k = columnKinds();
  const names: Record<number, string> = {
    [k.INT64]: 'INT64',
    [k.FLOAT64]: 'FLOAT64',
    [k.TIMESTAMP]: 'TIMESTAMP',
    [k.BOOLEAN]: 'BOOLEAN',
    [k.DICTIONARY]: 'DICTIONARY',
    [k.BYTES]: 'BYTES',
  };
  return names[kind] ?? `KIND(${kind})`;
}
