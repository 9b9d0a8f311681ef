/**
 * Realistic benchmark inputs (performance.md §2): the column shapes a stoolap volume holds,
 * as little-endian byte blocks, generated deterministically from a seed so every run and
 * every contender (including the native baseline, which reads the same bytes from a file)
 * sees identical data. Averages over text or JSON would hide lz4_flex's weak spots
 * (sparse and run-heavy blocks), so every shape is reported on its own. `makeRows` gives
 * rows of a realistic table for the codec benchmarks.
 */
import { Timestamp, type Value } from '../ts/index';

/** Block sizes every byte benchmark runs at. */
export const SIZES = [4 * 1024, 64 * 1024, 1024 * 1024] as const;

/** `4 KiB`, `64 KiB`, `1 MiB`. */
export function formatSize(bytes: number): string {
  if (bytes >= 1 << 20 && bytes % (1 << 20) === 0) return `${bytes >> 20} MiB`;
  if (bytes >= 1 << 10 && bytes % (1 << 10) === 0) return `${bytes >> 10} KiB`;
  return `${bytes} B`;
}

/**
 * A small, fast, seedable PRNG (sfc32). `next()` is uniform in [0, 1); `int(n)` in [0, n).
 * Deterministic across platforms and Node versions.
 */
export class Random {
  #a: number;
  #b: number;
  #c: number;
  #d: number;

  constructor(seed: number) {
    this.#a = 0x9e3779b9;
    this.#b = 0x243f6a88;
    this.#c = 0xb7e15162;
    this.#d = seed >>> 0;
    for (let i = 0; i < 16; i += 1) this.u32();
  }

  u32(): number {
    const t = (((this.#a + this.#b) | 0) + this.#d) | 0;
    this.#d = (this.#d + 1) | 0;
    this.#a = this.#b ^ (this.#b >>> 9);
    this.#b = (this.#c + (this.#c << 3)) | 0;
    this.#c = (this.#c << 21) | (this.#c >>> 11);
    this.#c = (this.#c + t) | 0;
    return t >>> 0;
  }

  next(): number {
    return this.u32() / 4294967296;
  }

  int(n: number): number {
    return Math.floor(this.next() * n);
  }
}

/** 64 words, the vocabulary of the low-cardinality string column. */
export const WORDS: readonly string[] = (
  'alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november ' +
  'oscar papa quebec romeo sierra tango uniform victor whiskey xray yankee zulu amber azure ' +
  'beige coral cyan ivory jade khaki lemon lilac linen maroon mauve navy ochre olive orchid ' +
  'peach pearl plum rose ruby rust sage salmon sand scarlet sepia silver slate tan teal ' +
  'thistle topaz umber violet wheat'
).split(' ');

/** The column shapes, with what each one models. */
export const SHAPES = {
  i64_ts: 'timestamps (ms) with random 0–999 ms steps',
  i64_seq: 'sequential ids',
  i64_small: 'small ints 0–999',
  f64_price: 'prices with 2 decimals',
  f64_rand: 'random doubles',
  str_lowcard: '64-word low-cardinality strings (u32 length + UTF-8)',
  i64_sparse: '95% zeros, else random',
  i64_runs: 'runs of one repeated int64',
  bytes_rand: 'random bytes (incompressible)',
} as const;

export type Shape = keyof typeof SHAPES;
export const SHAPE_NAMES = Object.keys(SHAPES) as Shape[];

const START_MS = 1_767_225_600_000; // 2026-01-01T00:00:00Z

function fillInt64(view: DataView, next: (index: number) => bigint): void {
  for (let i = 0; i * 8 + 8 <= view.byteLength; i += 1) view.setBigInt64(i * 8, next(i), true);
}

function fillFloat64(view: DataView, next: () => number): void {
  for (let i = 0; i * 8 + 8 <= view.byteLength; i += 1) view.setFloat64(i * 8, next(), true);
}

/** `size` bytes of `shape`, the same for the same (shape, size, seed). */
export function makeBlock(shape: Shape, size: number, seed = 42): Buffer {
  const random = new Random(seed ^ (size * 31) ^ SHAPE_NAMES.indexOf(shape));
  const block = Buffer.alloc(size);
  const view = new DataView(block.buffer, block.byteOffset, block.byteLength);
  switch (shape) {
    case 'i64_ts': {
      let ms = START_MS;
      fillInt64(view, () => BigInt((ms += random.int(1000))));
      break;
    }
    case 'i64_seq':
      fillInt64(view, (index) => BigInt(1_000_000 + index));
      break;
    case 'i64_small':
      fillInt64(view, () => BigInt(random.int(1000)));
      break;
    case 'f64_price':
      fillFloat64(view, () => Math.round(random.next() * 100_000) / 100);
      break;
    case 'f64_rand':
      fillFloat64(view, () => (random.next() - 0.5) * 2e6);
      break;
    case 'str_lowcard': {
      let at = 0;
      while (at < size) {
        const word = Buffer.from(WORDS[random.int(WORDS.length)]!, 'utf8');
        const header = Buffer.alloc(4);
        header.writeUInt32LE(word.length, 0);
        at += Buffer.concat([header, word]).copy(block, at);
      }
      break;
    }
    case 'i64_sparse':
      fillInt64(view, () => (random.int(100) < 95 ? 0n : BigInt(random.u32()) * 4096n + BigInt(random.int(4096))));
      break;
    case 'i64_runs': {
      let value = 0n;
      let left = 0;
      fillInt64(view, () => {
        if (left === 0) {
          value = BigInt(random.u32()) << 16n;
          left = 100 + random.int(1900);
        }
        left -= 1;
        return value;
      });
      break;
    }
    case 'bytes_rand':
      for (let i = 0; i < size; i += 4) {
        const word = random.u32();
        for (let j = 0; j < 4 && i + j < size; j += 1) block[i + j] = (word >>> (8 * j)) & 0xff;
      }
      break;
  }
  return block;
}

/** Number of values in each row of `makeRows`. */
export const ROW_WIDTH = 7;

/**
 * `count` rows of a trades-like table, in stored form (`Value[]` per row): id (sequential
 * bigint), ts (Timestamp, random 0–999 ms steps), symbol (64-word vocabulary), price
 * (2 decimals), qty (small bigint), note (80% NULL, else short text), active (boolean).
 */
export function makeRows(count: number, seed = 7): Value[][] {
  const random = new Random(seed);
  let ms = START_MS;
  const rows: Value[][] = [];
  for (let i = 0; i < count; i += 1) {
    ms += random.int(1000);
    rows.push([
      BigInt(1_000_000 + i),
      Timestamp.fromMillis(ms),
      WORDS[random.int(WORDS.length)]!,
      Math.round(random.next() * 100_000) / 100,
      BigInt(random.int(1000)),
      random.int(5) === 0 ? `note ${WORDS[random.int(WORDS.length)]!} ${random.int(100)}` : null,
      random.int(2) === 0,
    ]);
  }
  return rows;
}
