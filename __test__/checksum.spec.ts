import test from 'ava';
import { crc32 as zlibCrc32 } from 'node:zlib';
import { randomBytes } from 'node:crypto';
import { Crc32, crc32, crc32Async } from '../ts/index';

test('crc32 of "123456789" is the standard check value 0xCBF43926', (t) => {
  t.is(crc32(Buffer.from('123456789')), 0xcbf43926);
});

test('crc32 of nothing is 0', (t) => {
  t.is(crc32(new Uint8Array(0)), 0);
});

test('crc32 equals node:zlib crc32 on random buffers of many sizes', (t) => {
  for (const size of [1, 7, 63, 64, 127, 128, 4096, 65_537]) {
    const data = randomBytes(size);
    t.is(crc32(data), zlibCrc32(data), `size ${size}`);
  }
});

test('crc32 continues from an initial value', (t) => {
  const data = randomBytes(10_000);
  t.is(crc32(data.subarray(4321), crc32(data.subarray(0, 4321))), crc32(data));
});

test('Crc32 streams pieces to the one-shot result', (t) => {
  const data = randomBytes(100_000);
  const hasher = new Crc32();
  for (let start = 0; start < data.length; start += 7_777) hasher.update(data.subarray(start, start + 7_777));
  t.is(hasher.digest(), zlibCrc32(data));
});

test('crc32 accepts a plain Uint8Array view at an offset', (t) => {
  const data = randomBytes(1000);
  const view = new Uint8Array(data.buffer, data.byteOffset + 10, 500);
  t.is(crc32(view), zlibCrc32(data.subarray(10, 510)));
});

test('crc32Async gives the same value off the event loop', async (t) => {
  const data = randomBytes(2 << 20);
  t.is(await crc32Async(data), zlibCrc32(data));
});
