/**
 * The writer's staging area: entries are laid out here as drafts (the final entry layout of
 * crates/core/src/wal_entry.rs with the payload uncompressed and the CRC and header checksum
 * still zero) by plain DataView writes, then sealed in place by one native call per batch
 * (`walSealDrafts`: LZ4 for payloads ≥ 64 bytes, CRC, header checksum). Appending copies the
 * caller's payload, so callers may reuse their buffers at once.
 */
import { PermafrostError } from '../errors';
import { callNative } from '../native';
import { EntryLayout } from './wal-constants';

/** The fields of one entry. */
export interface EntryFields {
  readonly lsn: bigint;
  readonly previousLsn: bigint;
  /** COMMIT_MARKER / ABORT_MARKER bits; COMPRESSED is decided when sealing. */
  readonly flags: number;
  readonly txnId: bigint;
  /** UTF-8 of the table name (at most 65,535 bytes). */
  readonly tableName: Uint8Array;
  readonly rowId: bigint;
  readonly operation: number;
  readonly timestampNanos: bigint;
  readonly payload: Uint8Array;
}

const L = EntryLayout;
/** Draft bytes besides the name and payload: header, fixed data fields, CRC. */
const OVERHEAD_BYTES = L.headerBytes + L.dataFixedBytes + L.crcBytes;

export class DraftBuffer {
  #buffer: Buffer;
  #view: DataView;
  #length = 0;

  constructor(initialBytes = 64 * 1024) {
    this.#buffer = Buffer.allocUnsafeSlow(initialBytes);
    this.#view = new DataView(this.#buffer.buffer, this.#buffer.byteOffset, this.#buffer.byteLength);
  }

  /** Bytes of drafts waiting to be sealed. */
  get length(): number {
    return this.#length;
  }

  /** The draft size of an entry with these name and payload lengths. */
  static draftBytes(tableNameBytes: number, payloadBytes: number): number {
    return OVERHEAD_BYTES + tableNameBytes + payloadBytes;
  }

  #reserve(size: number): number {
    const at = this.#length;
    if (at + size > this.#buffer.length) {
      const grown = Buffer.allocUnsafeSlow(Math.max(at + size, this.#buffer.length * 2));
      this.#buffer.copy(grown, 0, 0, at);
      this.#buffer = grown;
      this.#view = new DataView(grown.buffer, grown.byteOffset, grown.byteLength);
    }
    this.#length = at + size;
    return at;
  }

  /** Appends one entry draft. */
  append(entry: EntryFields): void {
    const nameBytes = entry.tableName.length;
    const payloadBytes = entry.payload.length;
    if (nameBytes > 0xffff) throw new PermafrostError('ERR_LIMIT', `table name of ${nameBytes} bytes exceeds 65535`);
    const dataBytes = L.dataFixedBytes + nameBytes + payloadBytes;
    if (dataBytes > L.dataBytesMax) {
      throw new PermafrostError('ERR_LIMIT', `WAL entry of ${dataBytes} bytes exceeds the ${L.dataBytesMax}-byte limit`);
    }
    const at = this.#reserve(L.headerBytes + dataBytes + L.crcBytes);
    const view = this.#view;
    view.setUint32(at, L.magic, true);
    view.setUint8(at + 4, L.version);
    view.setUint8(at + L.flagsOffset, entry.flags);
    view.setUint16(at + L.headerSizeOffset, L.headerBytes, true);
    view.setBigUint64(at + L.lsnOffset, entry.lsn, true);
    view.setBigUint64(at + L.previousLsnOffset, entry.previousLsn, true);
    view.setUint32(at + L.entrySizeOffset, dataBytes, true);
    view.setUint32(at + L.headerChecksumOffset, 0, true);
    const data = at + L.headerBytes;
    view.setBigInt64(data, entry.txnId, true);
    view.setUint16(data + L.dataNameLengthOffset, nameBytes, true);
    this.#buffer.set(entry.tableName, data + L.dataNameOffset);
    const afterName = data + L.dataNameOffset + nameBytes;
    view.setBigInt64(afterName, entry.rowId, true);
    view.setUint8(afterName + 8, entry.operation);
    view.setBigInt64(afterName + 9, entry.timestampNanos, true);
    view.setUint32(afterName + 17, payloadBytes, true);
    this.#buffer.set(entry.payload, afterName + 21);
    view.setUint32(afterName + 21 + payloadBytes, 0, true);
  }

  /**
   * Seals every draft (one native call) and returns the final bytes: a view that stays valid
   * until the next `append` or `clear`.
   */
  seal(): Buffer {
    const sealed = callNative((binding) => binding.walSealDrafts(this.#buffer, this.#length));
    return this.#buffer.subarray(0, sealed);
  }

  /** Forgets every draft. */
  clear(): void {
    this.#length = 0;
  }
}
