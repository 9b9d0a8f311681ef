/** Byte helpers for codec tests: build exact byte vectors from readable parts. */

type Part = number | string | Uint8Array | readonly number[];

/**
 * Concatenates parts: a number is one byte; a string of hex digits (spaces allowed) is
 * those bytes, unless it is quoted like `'"text"'`, which gives its UTF-8; arrays and
 * Uint8Arrays are copied.
 */
export function bytes(...parts: Part[]): Buffer {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    if (typeof part === 'number') chunks.push(Buffer.of(part));
    else if (typeof part === 'string') {
      if (part.startsWith('"') && part.endsWith('"')) chunks.push(Buffer.from(part.slice(1, -1), 'utf8'));
      else chunks.push(Buffer.from(part.replace(/\s+/g, ''), 'hex'));
    } else chunks.push(Buffer.from(part));
  }
  return Buffer.concat(chunks);
}

export const u16 = (value: number): Buffer => {
  const buffer = Buffer.alloc(2);
  buffer.writeUInt16LE(value);
  return buffer;
};

export const u32 = (value: number): Buffer => {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32LE(value);
  return buffer;
};

export const i32 = (value: number): Buffer => {
  const buffer = Buffer.alloc(4);
  buffer.writeInt32LE(value);
  return buffer;
};

export const i64 = (value: bigint): Buffer => {
  const buffer = Buffer.alloc(8);
  buffer.writeBigInt64LE(value);
  return buffer;
};

export const f64 = (value: number): Buffer => {
  const buffer = Buffer.alloc(8);
  buffer.writeDoubleLE(value);
  return buffer;
};

/** A u16 length prefix and the UTF-8 of `text`. */
export const str16 = (text: string): Buffer => Buffer.concat([u16(Buffer.byteLength(text)), Buffer.from(text)]);

/** A u32 length prefix and the UTF-8 of `text`. */
export const str32 = (text: string): Buffer => Buffer.concat([u32(Buffer.byteLength(text)), Buffer.from(text)]);
