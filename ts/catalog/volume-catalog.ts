/**
 * The STVC volume catalog (spec §6.2): which volumes each table has, with their row counts
 * and time ranges, so a scan can pick volumes without opening them. stoolap 0.4.0 defines
 * it but never uses it (the per-table manifest is the source of truth); the format is
 * kept byte-compatible.
 *
 * | field        | bytes                                                                     |
 * |--------------|---------------------------------------------------------------------------|
 * | magic        | "STVC"                                                                    |
 * | version      | u32 = 1                                                                   |
 * | table_count  | u32                                                                       |
 * | tables       | u32 len + name, u32 entry_count, entry_count × (u64 volume_id, u64 row_count, i64 time_min_micros, i64 time_max_micros) |
 * | crc          | u32 CRC32 of every preceding byte                                         |
 *
 * Deviations: tables are written in UTF-8 byte order of their names (stoolap's order is
 * hash-map random); the reader refuses versions other than 1, duplicate table names and
 * bytes between the last table and the CRC.
 *
 * Durability (`writeCatalog`): `volumes.catalog.tmp`, fsync, rename, directory fsync; a
 * crash before the rename leaves the previous catalog (or none) in place.
 */
import { readFile } from 'node:fs/promises';
import { ByteReader } from '../codec/byte-reader';
import { ByteWriter } from '../codec/byte-writer';
import { crc32 } from '../checksum';
import { PermafrostError, ioError, isPermafrostError } from '../errors';
import { publishFile } from '../io/publish-file';

export const CATALOG_FILE_NAME = 'volumes.catalog';
const MAGIC = Buffer.from('STVC', 'latin1');
const VERSION = 1;
const ENTRY_BYTES = 32;
const MIN_BYTES = 16;

export interface VolumeEntry {
  readonly volumeId: bigint;
  readonly rowCount: bigint;
  /** Inclusive time range of the volume's rows, microseconds since the epoch. */
  readonly timeMinMicros: bigint;
  readonly timeMaxMicros: bigint;
}

export class VolumeCatalog {
  readonly #tables = new Map<string, VolumeEntry[]>();

  /** Appends a volume to a table's list. */
  addVolume(tableName: string, entry: VolumeEntry): void {
    const list = this.#tables.get(tableName);
    if (list) list.push(entry);
    else this.#tables.set(tableName, [entry]);
  }

  /** A table's volumes in insertion order (empty for an unknown table). */
  getVolumes(tableName: string): readonly VolumeEntry[] {
    return this.#tables.get(tableName) ?? [];
  }

  /** Table names in UTF-8 byte order. */
  tableNames(): string[] {
    return [...this.#tables.keys()].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  }

  /** A table's volumes whose [timeMin, timeMax] overlaps [fromMicros, toMicros] (inclusive). */
  volumesOverlapping(tableName: string, fromMicros: bigint, toMicros: bigint): VolumeEntry[] {
    return this.getVolumes(tableName).filter((e) => e.timeMinMicros <= toMicros && e.timeMaxMicros >= fromMicros);
  }

  serialize(): Buffer {
    const w = new ByteWriter(64);
    w.bytes(MAGIC).u32(VERSION).u32(this.#tables.size, 'table count');
    for (const name of this.tableNames()) {
      const entries = this.#tables.get(name)!;
      w.string32(name, 'table name').u32(entries.length, 'entry count');
      for (const e of entries) {
        w.u64(e.volumeId, 'volume id').u64(e.rowCount, 'row count').i64(e.timeMinMicros, 'time min').i64(e.timeMaxMicros, 'time max');
      }
    }
    w.u32(crc32(w.view()));
    return w.toBuffer();
  }

  static deserialize(bytes: Uint8Array): VolumeCatalog {
    if (bytes.length < MIN_BYTES) throw new PermafrostError('ERR_TRUNCATED', `a catalog has at least ${MIN_BYTES} bytes; this one has ${bytes.length}`, { offset: bytes.length });
    if (Buffer.compare(Buffer.from(bytes.subarray(0, 4)), MAGIC) !== 0) throw new PermafrostError('ERR_CORRUPT', 'bad catalog magic (expected "STVC")', { offset: 0 });
    const body = bytes.subarray(0, bytes.length - 4);
    const stored = new DataView(bytes.buffer, bytes.byteOffset + body.length, 4).getUint32(0, true);
    const computed = crc32(body);
    if (stored !== computed) {
      throw new PermafrostError('ERR_CHECKSUM', `catalog CRC32 is 0x${stored.toString(16)}; the bytes give 0x${computed.toString(16)}`, { offset: body.length });
    }
    const r = new ByteReader(body, 4);
    const version = r.u32('catalog version');
    if (version !== VERSION) throw new PermafrostError('ERR_UNSUPPORTED_VERSION', `catalog version ${version}; this build reads version ${VERSION}`, { offset: 4 });
    const tableCount = r.count32(8, 'catalog tables');
    const catalog = new VolumeCatalog();
    for (let t = 0; t < tableCount; t += 1) {
      const at = r.offset;
      const name = r.string32('table name');
      if (catalog.#tables.has(name)) throw new PermafrostError('ERR_CORRUPT', `table ${JSON.stringify(name)} appears twice`, { offset: at });
      const count = r.count32(ENTRY_BYTES, 'catalog entries');
      const entries: VolumeEntry[] = [];
      for (let e = 0; e < count; e += 1) {
        entries.push({ volumeId: r.u64('volume id'), rowCount: r.u64('row count'), timeMinMicros: r.i64('time min'), timeMaxMicros: r.i64('time max') });
      }
      catalog.#tables.set(name, entries);
    }
    if (r.remaining !== 0) throw new PermafrostError('ERR_CORRUPT', `${r.remaining} unexpected bytes before the catalog CRC`, { offset: r.offset });
    return catalog;
  }
}

/** Writes `<dir>/volumes.catalog` atomically. */
export async function writeCatalog(dir: string, catalog: VolumeCatalog): Promise<string> {
  return publishFile(dir, `${CATALOG_FILE_NAME}.tmp`, CATALOG_FILE_NAME, [catalog.serialize()]);
}

/** Reads `<dir>/volumes.catalog`; a missing file is an empty catalog. */
export async function readCatalog(dir: string): Promise<VolumeCatalog> {
  const path = `${dir}/${CATALOG_FILE_NAME}`;
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new VolumeCatalog();
    throw ioError(`cannot read ${path}`, error, path);
  }
  try {
    return VolumeCatalog.deserialize(bytes);
  } catch (error) {
    throw isPermafrostError(error) ? error.locate(path) : error;
  }
}
