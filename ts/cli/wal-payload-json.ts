/**
 * A JSON-ready description of a WAL entry's payload, decoded with the codec its operation
 * uses (spec §4): RowVersion for row operations, schema, index metadata, view, ALTER, names
 * for drops, the commit digest for permafrost commit markers. Values become JSON-safe text
 * (bigints as strings, timestamps as RFC 3339, vectors as arrays).
 */
import { decodeAlterTable } from '../codec/alter-table';
import { decodeIndexMetadata } from '../codec/index-metadata';
import { decodeRowVersion } from '../codec/row-version';
import { decodeSchema } from '../codec/schema';
import { Extension, FloatBits, Json, Timestamp, TypedNull, type Value } from '../codec/values';
import { decodeViewDefinition } from '../codec/view-definition';
import { isPermafrostError } from '../errors';
import { decodeCommitDigest } from '../wal/commit-digest';
import { WalOperation } from '../wal/wal-constants';
import type { WalEntry } from '../wal/wal-entry';

/** JSON-safe form of a stoolap value. */
export function valueJson(value: Value): unknown {
  if (value === null || value instanceof TypedNull) return null;
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Timestamp) return value.toISOString();
  if (value instanceof Json) return value.text;
  if (value instanceof Float32Array) return Array.from(value);
  if (value instanceof Extension) return { dataType: value.dataType, hex: Buffer.from(value.bytes).toString('hex') };
  if (value instanceof FloatBits) return value.value;
  return value;
}

/** Replaces bigints by strings so `JSON.stringify` accepts the object. */
export function jsonSafe(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (_key, item: unknown) => (typeof item === 'bigint' ? item.toString() : item)));
}

function decode(entry: WalEntry): unknown {
  const payload = entry.payload;
  switch (entry.operation) {
    case WalOperation.Insert:
    case WalOperation.Update:
    case WalOperation.Delete: {
      const version = decodeRowVersion(payload);
      return { ...version, values: version.values.map(valueJson) };
    }
    case WalOperation.CreateTable:
      return decodeSchema(payload);
    case WalOperation.CreateIndex:
      return decodeIndexMetadata(payload);
    case WalOperation.AlterTable:
      return decodeAlterTable(payload);
    case WalOperation.CreateView:
      return decodeViewDefinition(payload);
    case WalOperation.DropIndex:
    case WalOperation.DropView:
      return { name: payload.toString('utf8') };
    case WalOperation.Commit:
      return payload.length === 0 ? null : (decodeCommitDigest(payload) ?? { hex: payload.toString('hex') });
    default:
      return payload.length === 0 ? null : { hex: payload.toString('hex') };
  }
}

/** The decoded payload, or `{ error }` when it does not decode. */
export function payloadJson(entry: WalEntry): unknown {
  try {
    return jsonSafe(decode(entry));
  } catch (error) {
    if (isPermafrostError(error)) return { error: `${error.code}: ${error.message}` };
    throw error;
  }
}
