/**
 * The hand-written callbacks of crates/node/src/raw.rs (crc32, lz4CompressInto,
 * lz4DecompressInto): argument checks and error codes, which napi-rs would otherwise do,
 * and their life in several Node environments (worker threads).
 */
import test from 'ava';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { crc32, lz4Compress, lz4CompressBound, lz4CompressInto, lz4DecompressInto } from '../../ts/index';

const notBytes = 'not bytes' as unknown as Uint8Array;

test('crc32 of something that is not a Uint8Array is ERR_INVALID_ARGUMENT', (t) => {
  t.throws(() => crc32(notBytes), { code: 'ERR_INVALID_ARGUMENT' });
  t.throws(() => crc32(new Uint16Array(4) as unknown as Uint8Array), { code: 'ERR_INVALID_ARGUMENT' });
});

test('crc32 with a non-numeric initial value is ERR_INVALID_ARGUMENT', (t) => {
  t.throws(() => crc32(Buffer.alloc(1), 'x' as unknown as number), { code: 'ERR_INVALID_ARGUMENT' });
});

test('crc32 of a detached buffer is the CRC of nothing', (t) => {
  const view = new Uint8Array(16);
  structuredClone(view.buffer, { transfer: [view.buffer] });
  t.is(view.length, 0);
  t.is(crc32(view), 0);
});

test('lz4CompressInto into a buffer smaller than the bound is ERR_INVALID_ARGUMENT', (t) => {
  const src = Buffer.alloc(1000, 7);
  t.throws(() => lz4CompressInto(src, Buffer.alloc(lz4CompressBound(1000) - 1)), { code: 'ERR_INVALID_ARGUMENT' });
});

test('lz4CompressInto refuses an output that shares memory with the input', (t) => {
  const arena = Buffer.alloc(4096);
  const error = t.throws(() => lz4CompressInto(arena.subarray(0, 1000), arena.subarray(500)), { code: 'ERR_INVALID_ARGUMENT' });
  t.true(error?.message.includes('share memory'));
});

test('lz4DecompressInto refuses an output that shares memory with the input', (t) => {
  const block = lz4Compress(Buffer.alloc(100, 1));
  const arena = Buffer.alloc(200);
  block.copy(arena);
  t.throws(() => lz4DecompressInto(arena.subarray(0, block.length), arena.subarray(block.length - 1, block.length + 99)), {
    code: 'ERR_INVALID_ARGUMENT',
  });
});

test('lz4CompressInto accepts adjacent, non-overlapping input and output in one buffer', (t) => {
  const arena = Buffer.alloc(1000 + lz4CompressBound(1000));
  arena.fill(3, 0, 1000);
  const written = lz4CompressInto(arena.subarray(0, 1000), arena.subarray(1000));
  t.deepEqual(arena.subarray(1000, 1000 + written), lz4Compress(Buffer.alloc(1000, 3)));
});

test('lz4DecompressInto into an output of the wrong size is ERR_CORRUPT', (t) => {
  const block = lz4Compress(Buffer.alloc(1000, 9));
  t.throws(() => lz4DecompressInto(block, Buffer.alloc(999)), { code: 'ERR_CORRUPT' });
  t.throws(() => lz4DecompressInto(block, Buffer.alloc(1001)), { code: 'ERR_CORRUPT' });
});

test('lz4DecompressInto of garbage is ERR_CORRUPT', (t) => {
  t.throws(() => lz4DecompressInto(Buffer.from([0xf0, 0xff, 0xff]), Buffer.alloc(100)), { code: 'ERR_CORRUPT' });
});

test('lz4DecompressInto with a non-Uint8Array source is ERR_INVALID_ARGUMENT', (t) => {
  t.throws(() => lz4DecompressInto(notBytes, Buffer.alloc(1)), { code: 'ERR_INVALID_ARGUMENT' });
});

test('the addon loads, works and unloads in worker threads, one after another and side by side', async (t) => {
  const { localBinaryPath, platformArchAbi } = createRequire(__filename)('../../scripts/native-target.cjs') as {
    localBinaryPath(triple: string): string;
    platformArchAbi(): string;
  };
  const binary = process.env['PERMAFROST_NATIVE_PATH'] ?? localBinaryPath(platformArchAbi());
  const source = `
    const { parentPort, workerData } = require('node:worker_threads');
    const binding = require(workerData);
    const input = Buffer.alloc(100000, 7);
    const block = Buffer.alloc(binding.lz4CompressBound(input.length));
    const written = binding.lz4CompressInto(input, block);
    const output = Buffer.alloc(input.length);
    binding.lz4DecompressInto(block.subarray(0, written), output);
    parentPort.postMessage({ crc: binding.crc32(Buffer.from('123456789')), same: output.equals(input) });`;
  const run = (): Promise<{ crc: number; same: boolean }> =>
    new Promise((resolve, reject) => {
      const worker = new Worker(source, { eval: true, workerData: binary });
      worker.once('message', resolve);
      worker.once('error', reject);
    });
  t.deepEqual(await run(), { crc: 0xcbf43926, same: true });
  t.deepEqual(await run(), { crc: 0xcbf43926, same: true });
  t.deepEqual(await Promise.all([run(), run(), run()]), Array(3).fill({ crc: 0xcbf43926, same: true }));
  t.is(crc32(Buffer.from('123456789')), 0xcbf43926);
});
