/**
 * ViewDefinition: the payload of a WAL CreateView entry and of `ddl-*.bin` records (spec §4.6).
 *
 * | field       | encoding        |
 * |-------------|-----------------|
 * | view name   | u16 len + UTF-8 (original case; the WAL entry's table field holds it lower-cased) |
 * | query       | u32 len + UTF-8 |
 */
import { ByteReader } from './byte-reader';
import { ByteWriter } from './byte-writer';

export interface ViewDefinition {
  readonly name: string;
  readonly query: string;
}

export function encodeViewDefinition(view: ViewDefinition): Buffer {
  return new ByteWriter(32 + view.query.length).string16(view.name, 'view name').string32(view.query, 'view query').toBuffer();
}

export function decodeViewDefinition(bytes: Uint8Array): ViewDefinition {
  const reader = new ByteReader(bytes);
  return { name: reader.string16('view name'), query: reader.string32('view query') };
}
