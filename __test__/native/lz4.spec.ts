import test from 'ava';
import { stat } from 'node:fs';
import {
  isPermafrostError,
  lz4Compress,
  lz4CompressAsync,
  lz4CompressBound,
  lz4CompressInto,
  lz4CompressSizePrepended,
  lz4Decompress,
  lz4DecompressAsync,
  lz4DecompressInto,
  lz4DecompressSizePrepended,
  crc32Async,
} from '../../ts/index';

/** A mix of runs, repeats and noise, so blocks carry both literals and matches. */
function sample(size: number, seed = 1): Buffer {
  const out = Buffer.alloc(size);
  let state = seed;
  for (let i = 0; i < size; i += 1) {
    state = (state * 1103515245 + 12345) >>> 0;
    const mode = (i >> 9) % 3;
    out[i] = mode === 0 ? (i / 7) & 0xff : mode === 1 ? state >>> 24 : 0x61 + (i % 5);
  }
  return out;
}

/** Sizes 0..70000: every size up to 1100 (LZ4's short-block and last-literal rules), then a stride. */
const SIZES = [
  ...Array.from({ length: 1101 }, (_, i) => i),
  ...Array.from({ length: 70 }, (_, i) => 1100 + i * 997),
  4095, 4096, 4097, 65535, 65536, 65537, 70000,
];

const KNOWN_INPUT = Buffer.from(`${"permafrost keeps stoolap's bytes: ".repeat(3)}${'0123456789'.repeat(4)}!`, 'latin1');
/** lz4_flex 0.13.0's block for KNOWN_INPUT; crates/core/src/lz4_block.rs pins the same hex. */
const KNOWN_BLOCK_HEX =
  'ff137065726d6166726f7374206b656570732073746f6f6c617027732062797465733a20220031af303132333435363738390a000660353637383921';

/** Counts Buffer allocations made while `body` runs. */
function countAllocations(body: () => void): number {
  const originals = { allocUnsafe: Buffer.allocUnsafe, allocUnsafeSlow: Buffer.allocUnsafeSlow, alloc: Buffer.alloc };
  let count = 0;
  Buffer.allocUnsafe = (size: number) => ((count += 1), originals.allocUnsafe(size));
  Buffer.allocUnsafeSlow = (size: number) => ((count += 1), originals.allocUnsafeSlow(size));
  Buffer.alloc = ((size: number, ...rest: never[]) => ((count += 1), originals.alloc(size, ...rest))) as typeof Buffer.alloc;
  try {
    body();
  } finally {
    Object.assign(Buffer, originals);
  }
  return count;
}

test('lz4Compress then lz4Decompress returns the input at every size from 0 to 70000', (t) => {
  for (const size of SIZES) {
    const input = sample(size, size);
    const block = lz4Compress(input);
    if (!lz4Decompress(block, size, size).equals(input)) t.fail(`size ${size}`);
  }
  t.pass();
});

test('lz4CompressAsync then lz4DecompressAsync return the input at sizes from 0 to 70000', async (t) => {
  for (const size of SIZES.filter((candidate, index) => index % 23 === 0 || candidate > 60_000)) {
    const input = sample(size, size);
    const block = await lz4CompressAsync(input);
    t.deepEqual(block, lz4Compress(input), `compressed, size ${size}`);
    t.deepEqual(await lz4DecompressAsync(block, size, size), input, `decompressed, size ${size}`);
  }
});

test('lz4CompressInto writes the same block as lz4Compress, within lz4CompressBound', (t) => {
  for (const size of [0, 1, 100, 5000, 70_000]) {
    const input = sample(size);
    const dst = Buffer.alloc(lz4CompressBound(size));
    const written = lz4CompressInto(input, dst);
    t.deepEqual(dst.subarray(0, written), lz4Compress(input), `size ${size}`);
  }
});

test('lz4DecompressInto fills a caller-owned buffer with the input', (t) => {
  const input = sample(20_000);
  const out = Buffer.alloc(input.length);
  lz4DecompressInto(lz4Compress(input), out);
  t.deepEqual(out, input);
});

test('the LZ4+size wrapper is the u32 LE size followed by the raw block', (t) => {
  for (const size of [0, 1, 300, 65_536]) {
    const input = sample(size);
    const prefix = Buffer.alloc(4);
    prefix.writeUInt32LE(size, 0);
    t.deepEqual(lz4CompressSizePrepended(input), Buffer.concat([prefix, lz4Compress(input)]), `size ${size}`);
  }
});

test('lz4DecompressSizePrepended inverts lz4CompressSizePrepended', (t) => {
  const input = sample(12_345);
  t.deepEqual(lz4DecompressSizePrepended(lz4CompressSizePrepended(input), 1 << 20), input);
});

test('compressed bytes equal the known lz4_flex 0.13.0 vector', (t) => {
  t.is(lz4Compress(KNOWN_INPUT).toString('hex'), KNOWN_BLOCK_HEX);
});

test('the known vector decompresses to its input', (t) => {
  t.deepEqual(lz4Decompress(Buffer.from(KNOWN_BLOCK_HEX, 'hex'), KNOWN_INPUT.length, 1024), KNOWN_INPUT);
});

test('every truncation of a compressed block is ERR_CORRUPT or ERR_TRUNCATED', (t) => {
  const input = sample(3000);
  const block = lz4Compress(input);
  const seen = new Set<string>();
  for (let length = 0; length < block.length; length += 1) {
    const error = t.throws(() => lz4Decompress(block.subarray(0, length), input.length, input.length));
    if (!isPermafrostError(error) || (error.code !== 'ERR_CORRUPT' && error.code !== 'ERR_TRUNCATED')) {
      t.fail(`length ${length}: ${String(error)}`);
      return;
    }
    seen.add(error.code);
  }
  t.true(seen.size > 0);
});

test('every truncation of an LZ4+size buffer is ERR_CORRUPT or ERR_TRUNCATED', (t) => {
  const input = sample(3000);
  const framed = lz4CompressSizePrepended(input);
  for (let length = 0; length < framed.length; length += 1) {
    const error = t.throws(() => lz4DecompressSizePrepended(framed.subarray(0, length), 1 << 20));
    if (!isPermafrostError(error) || (error.code !== 'ERR_CORRUPT' && error.code !== 'ERR_TRUNCATED')) {
      t.fail(`length ${length}: ${String(error)}`);
      return;
    }
  }
});

test('a declared size above the cap is ERR_LIMIT before anything is allocated', (t) => {
  const block = lz4Compress(sample(100_000));
  const allocations = countAllocations(() => {
    t.throws(() => lz4Decompress(block, 100_000, 99_999), { code: 'ERR_LIMIT' });
  });
  t.is(allocations, 0);
});

test('an LZ4+size prefix above the cap is ERR_LIMIT before anything is allocated', (t) => {
  const framed = lz4CompressSizePrepended(sample(100_000));
  const allocations = countAllocations(() => {
    t.throws(() => lz4DecompressSizePrepended(framed, 65_536), { code: 'ERR_LIMIT' });
  });
  t.is(allocations, 0);
});

test('a 4 GiB declared size is refused at once, whatever the caller cap', (t) => {
  const framed = Buffer.concat([Buffer.from([0xff, 0xff, 0xff, 0xff]), lz4Compress(sample(1000))]);
  const allocations = countAllocations(() => {
    t.throws(() => lz4DecompressSizePrepended(framed, Number.MAX_SAFE_INTEGER), { code: 'ERR_LIMIT' });
    t.throws(() => lz4Decompress(framed.subarray(4), 2 ** 32, 2 ** 40), { code: 'ERR_LIMIT' });
  });
  t.is(allocations, 0);
});

test('a declared size the block cannot expand to is ERR_CORRUPT', (t) => {
  t.throws(() => lz4Decompress(Buffer.from([0x10, 0x61]), 1_000_000, 1 << 30), { code: 'ERR_CORRUPT' });
});

test('a negative or fractional raw length is ERR_INVALID_ARGUMENT', (t) => {
  const block = lz4Compress(sample(10));
  t.throws(() => lz4Decompress(block, -1, 100), { code: 'ERR_INVALID_ARGUMENT' });
  t.throws(() => lz4Decompress(block, 1.5, 100), { code: 'ERR_INVALID_ARGUMENT' });
});

/**
 * Starts `work` from an I/O callback (libuv's poll phase) and counts the event-loop turns
 * (setImmediate callbacks) that run before its promise settles. The check phase, where
 * immediates run, comes right after the poll phase, so work done off the main thread
 * always sees at least one turn, however fast it is, and work done synchronously inside
 * the call sees none. No clock is involved.
 */
async function turnsWhileRunning(work: () => Promise<unknown>): Promise<number> {
  await new Promise<void>((resolve) => stat('.', () => resolve()));
  let settled = false;
  let turns = 0;
  const spin = (): void => {
    if (settled) return;
    turns += 1;
    setImmediate(spin);
  };
  const pending = work();
  setImmediate(spin);
  await pending.finally(() => (settled = true));
  return turns;
}

const LARGE = sample(8 << 20);

test('lz4CompressAsync lets the event loop run while it works', async (t) => {
  t.true((await turnsWhileRunning(() => lz4CompressAsync(LARGE))) > 0);
});

test('lz4DecompressAsync lets the event loop run while it works', async (t) => {
  const block = lz4Compress(LARGE);
  t.true((await turnsWhileRunning(() => lz4DecompressAsync(block, LARGE.length, LARGE.length))) > 0);
});

test('crc32Async lets the event loop run while it works', async (t) => {
  t.true((await turnsWhileRunning(() => crc32Async(LARGE))) > 0);
});

test('lz4CompressAsync copies its input, so the caller may reuse it at once', async (t) => {
  const input = sample(1 << 20);
  const expected = lz4Compress(input);
  const pending = lz4CompressAsync(input);
  input.fill(0);
  t.deepEqual(await pending, expected);
});
