/**
 * A growable little-endian byte builder. Every width is explicit and every value is
 * range-checked before it is written, so a length that does not fit its field is an error
 * (`ERR_LIMIT`) instead of a silent truncation (stoolap casts with `as u16`/`as u32`).
 */
import { PermafrostError } from '../errors';

const utf8 = new TextEncoder();
// Hoisted: a BigInt literal expression like `1n << 63n` allocates on every evaluation.
const I64_MIN = -(1n << 63n);
const I64_LIMIT = 1n << 63n;
const U64_LIMIT = 1n << 64n;

export class ByteWriter {
  #buffer: Buffer;
  #view: DataView;
  #length = 0;

  constructor(initialCapacity = 256) {
    this.#buffer = Buffer.allocUnsafe(Math.max(16, initialCapacity));
    this.#view = new DataView(this.#buffer.buffer, this.#buffer.byteOffset, this.#buffer.byteLength);
  }

  get length(): number {
    return this.#length;
  }

  #reserve(size: number): number {
    const at = this.#length;
    const needed = at + size;
    if (needed > this.#buffer.length) {
      const grown = Buffer.allocUnsafe(Math.max(needed, this.#buffer.length * 2));
      this.#buffer.copy(grown, 0, 0, at);
      this.#buffer = grown;
      this.#view = new DataView(grown.buffer, grown.byteOffset, grown.byteLength);
    }
    this.#length = needed;
    return at;
  }

  static #check(value: number, max: number, what: string): void {
    if (!Number.isInteger(value) || value < 0 || value > max) {
      throw new PermafrostError('ERR_LIMIT', `${what} ${value} does not fit in its field (0..${max})`);
    }
  }

  u8(value: number, what = 'u8'): this {
    ByteWriter.#check(value, 0xff, what);
    const at = this.#reserve(1); // reserve first: it may replace the buffer
    this.#buffer[at] = value;
    return this;
  }

  u16(value: number, what = 'u16'): this {
    ByteWriter.#check(value, 0xffff, what);
    const at = this.#reserve(2);
    this.#view.setUint16(at, value, true);
    return this;
  }

  u32(value: number, what = 'u32'): this {
    ByteWriter.#check(value, 0xffff_ffff, what);
    const at = this.#reserve(4);
    this.#view.setUint32(at, value, true);
    return this;
  }

  i32(value: number, what = 'i32'): this {
    if (!Number.isInteger(value) || value < -0x8000_0000 || value > 0x7fff_ffff) {
      throw new PermafrostError('ERR_LIMIT', `${what} ${value} does not fit in i32`);
    }
    const at = this.#reserve(4);
    this.#view.setInt32(at, value, true);
    return this;
  }

  u64(value: bigint, what = 'u64'): this {
    if (value < 0n || value >= U64_LIMIT) throw new PermafrostError('ERR_LIMIT', `${what} ${value} does not fit in u64`);
    const at = this.#reserve(8);
    this.#view.setBigUint64(at, value, true);
    return this;
  }

  i64(value: bigint, what = 'i64'): this {
    if (value < I64_MIN || value >= I64_LIMIT) {
      throw new PermafrostError('ERR_LIMIT', `${what} ${value} does not fit in i64`);
    }
    const at = this.#reserve(8);
    this.#view.setBigInt64(at, value, true);
    return this;
  }

  f64(value: number): this {
    const at = this.#reserve(8);
    this.#view.setFloat64(at, value, true);
    return this;
  }

  bytes(data: Uint8Array): this {
    const at = this.#reserve(data.length); // reserve first: it may replace the buffer
    this.#buffer.set(data, at);
    return this;
  }

  /** A u16 length prefix, then the UTF-8 bytes of `text`. */
  string16(text: string, what: string): this {
    const encoded = encodeUtf8(text, what);
    return this.u16(encoded.length, `${what} length`).bytes(encoded);
  }

  /** A u32 length prefix, then the UTF-8 bytes of `text` (encoded in place: no temporary copy). */
  string32(text: string, what: string): this {
    if (!text.isWellFormed()) encodeUtf8(text, what); // throws the lone-surrogate error
    const length = Buffer.byteLength(text, 'utf8');
    ByteWriter.#check(length, 0xffff_ffff, `${what} length`);
    const at = this.#reserve(4 + length); // reserve first: it may replace the buffer
    this.#view.setUint32(at, length, true);
    this.#buffer.write(text, at + 4, length, 'utf8');
    return this;
  }

  /** Overwrites a u32 at `offset` (for length-then-patch framing). */
  patchU32(offset: number, value: number, what = 'u32'): this {
    ByteWriter.#check(value, 0xffff_ffff, what);
    this.#view.setUint32(offset, value, true);
    return this;
  }

  /** The bytes written so far (a view over the internal buffer; valid until the next write). */
  view(): Buffer {
    return this.#buffer.subarray(0, this.#length);
  }

  /** A copy of the bytes written so far. */
  toBuffer(): Buffer {
    return Buffer.from(this.view());
  }
}

/** UTF-8 bytes of `text`; refuses lone surrogates, which have no UTF-8 form. */
export function encodeUtf8(text: string, what = 'text'): Uint8Array {
  if (!text.isWellFormed()) {
    throw new PermafrostError('ERR_INVALID_ARGUMENT', `${what} contains a lone UTF-16 surrogate and cannot be UTF-8`);
  }
  return utf8.encode(text);
}
