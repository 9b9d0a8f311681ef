/**
 * Bounds-checked little-endian reads over hostile bytes. Every read checks the bytes that
 * remain first and throws `ERR_TRUNCATED` with the offset of the field (counted from the
 * start of the input), so decoders never read past the end or allocate from an unchecked
 * length. `what` names the field for the error message.
 */
import { PermafrostError } from '../errors';

const utf8 = new TextDecoder('utf-8', { fatal: true });

export class ByteReader {
  readonly bytes: Uint8Array;
  readonly #view: DataView;
  #offset: number;
  /** Reads stop here (`bytes.length` unless `limit` narrowed it). */
  #end: number;

  constructor(bytes: Uint8Array, offset = 0) {
    this.bytes = bytes;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.#offset = offset;
    this.#end = bytes.length;
  }

  /**
   * Makes `end` (an offset from the start of `bytes`) the end of the input, as if a reader
   * had been made over just the bytes before it, without allocating one; returns the
   * previous end so the caller can put it back.
   */
  limit(end: number): number {
    const previous = this.#end;
    this.#end = end;
    return previous;
  }

  get offset(): number {
    return this.#offset;
  }

  get remaining(): number {
    return this.#end - this.#offset;
  }

  /** Claims `size` bytes for `what`, returning their offset. */
  #take(size: number, what: string): number {
    const at = this.#offset;
    if (size > this.#end - at) {
      throw new PermafrostError(
        'ERR_TRUNCATED',
        `${what} needs ${size} bytes but only ${this.#end - at} remain`,
        { offset: at },
      );
    }
    this.#offset = at + size;
    return at;
  }

  u8(what: string): number {
    return this.bytes[this.#take(1, what)]!;
  }

  u16(what: string): number {
    return this.#view.getUint16(this.#take(2, what), true);
  }

  u32(what: string): number {
    return this.#view.getUint32(this.#take(4, what), true);
  }

  i32(what: string): number {
    return this.#view.getInt32(this.#take(4, what), true);
  }

  u64(what: string): bigint {
    return this.#view.getBigUint64(this.#take(8, what), true);
  }

  i64(what: string): bigint {
    return this.#view.getBigInt64(this.#take(8, what), true);
  }

  f64(what: string): number {
    return this.#view.getFloat64(this.#take(8, what), true);
  }

  /** A view (no copy) of the next `length` bytes. */
  bytesView(length: number, what: string): Uint8Array {
    const at = this.#take(length, what);
    return this.bytes.subarray(at, at + length);
  }

  /** The next `length` bytes as strict UTF-8 (invalid sequences are `ERR_CORRUPT`). */
  utf8(length: number, what: string): string {
    const at = this.#take(length, what);
    try {
      return utf8.decode(this.bytes.subarray(at, at + length));
    } catch (error) {
      throw new PermafrostError('ERR_CORRUPT', `${what} is not valid UTF-8`, { offset: at, cause: error });
    }
  }

  /** A u16 length prefix, then that many bytes of UTF-8. */
  string16(what: string): string {
    return this.utf8(this.u16(`${what} length`), what);
  }

  /** A u32 length prefix, then that many bytes of UTF-8. */
  string32(what: string): string {
    return this.utf8(this.u32(`${what} length`), what);
  }

  skip(length: number, what: string): void {
    this.#take(length, what);
  }

  /** Moves to `offset` (from the start of `bytes`; within the input). */
  seek(offset: number): void {
    if (offset < 0 || offset > this.#end) throw new PermafrostError('ERR_INTERNAL', `seek to ${offset} outside 0..${this.#end}`);
    this.#offset = offset;
  }

  /** Reads a count and checks that `count * elementBytes` fits in what remains. */
  count32(elementBytes: number, what: string): number {
    const at = this.#offset;
    const count = this.u32(`${what} count`);
    this.requireElements(count, elementBytes, what, at);
    return count;
  }

  /** Refuses a count whose elements (at least `elementBytes` each) cannot fit in what remains. */
  requireElements(count: number, elementBytes: number, what: string, offset = this.#offset): void {
    if (count * elementBytes > this.remaining) {
      throw new PermafrostError(
        'ERR_LIMIT',
        `${what} count ${count} needs at least ${count * elementBytes} bytes but only ${this.remaining} remain`,
        { offset },
      );
    }
  }
}
