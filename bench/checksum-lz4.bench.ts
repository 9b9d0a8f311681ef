/**
 * CRC32 and LZ4 (raw block) through the public API, against:
 * - the same core calls in native Rust (crates/bench-native), interleaved in the same run;
 * - Node's built-in `zlib.crc32` and the `crc-32` npm package (CRC32);
 * - lz4js's block API with reused buffers (LZ4).
 *
 * Goal (issue 2): ≥ 0.9× native at 64 KiB and larger. Small blocks pay the fixed cost of a
 * JS→native call (tens of ns) and, for the allocating forms, of a Buffer allocation.
 */
import * as crc32Package from 'crc-32';
import * as lz4js from 'lz4js';
import { crc32 as zlibCrc32 } from 'node:zlib';
import { crc32, lz4Compress, lz4CompressBound, lz4CompressInto, lz4Decompress, lz4DecompressInto } from '../ts/index';
import { formatSize, makeBlock, SHAPE_NAMES, SHAPES, SIZES, type Shape } from './data';
import { place, type Placed } from './layout';
import { local, mbps, measure, ratio, times, type BenchOptions, type Measurement, type Subject } from './harness';
import { NativeBaseline } from './native-baseline';

export const tags = ['crc32', 'lz4'];

const GOAL = 0.9;

interface Input {
  readonly shape: Shape;
  readonly size: number;
  /** The inputs and reusable outputs, placed like the native baseline's (bench/layout.ts). */
  readonly placed: Placed;
  readonly native: string | undefined;
}

/** Ratios vs native at ≥ 64 KiB, collected for the summary. */
const goalRatios: Array<{ what: string; case: string; value: number }> = [];

function noteGoal(what: string, caseName: string, size: number, value: number | undefined): void {
  if (size >= 64 * 1024 && value !== undefined) goalRatios.push({ what, case: caseName, value });
}

async function prepare(native: NativeBaseline | undefined, shapes: readonly Shape[], sizes: readonly number[]): Promise<Input[]> {
  const inputs: Input[] = [];
  for (const shape of shapes) {
    for (const size of sizes) {
      const raw = makeBlock(shape, size);
      const compressed = lz4Compress(raw);
      let name: string | undefined;
      if (native !== undefined) {
        const loaded = await native.load(raw);
        if (loaded.compressed !== compressed.length) {
          throw new Error(`${shape}/${size}: addon compressed to ${compressed.length} bytes, native to ${loaded.compressed}`);
        }
        name = loaded.name;
      }
      inputs.push({ shape, size, placed: place(raw, compressed, lz4CompressBound(size)), native: name });
    }
  }
  return inputs;
}

function keep(results: Map<string, Measurement>, label: string): unknown {
  return { case: label, results: [...results.values()] };
}

async function crcCases(options: BenchOptions, native: NativeBaseline | undefined, inputs: readonly Input[]): Promise<void> {
  const rows: Array<Array<string | number>> = [];
  const raw: unknown[] = [];
  for (const input of inputs.filter((i) => i.shape === 'bytes_rand')) {
    const data = input.placed.raw;
    const expected = zlibCrc32(data);
    if (crc32(data) !== expected || crc32Package.buf(data) >>> 0 !== expected) throw new Error('CRC32 implementations disagree');
    const subjects: Subject[] = [
      local('permafrost crc32', () => crc32(data)),
      local('zlib.crc32', () => zlibCrc32(data)),
      local('crc-32', () => crc32Package.buf(data)),
    ];
    if (native !== undefined && input.native !== undefined) subjects.push(native.subject('native', 'crc32', input.native));
    const results = await measure(subjects, input.size, options);
    const size = formatSize(input.size);
    const vsNative = ratio(results, 'permafrost crc32', 'native');
    noteGoal('crc32', size, input.size, vsNative);
    rows.push([
      size,
      mbps(results.get('permafrost crc32')?.median),
      mbps(results.get('native')?.median),
      times(vsNative),
      mbps(results.get('zlib.crc32')?.median),
      times(ratio(results, 'permafrost crc32', 'zlib.crc32')),
      mbps(results.get('crc-32')?.median),
      times(ratio(results, 'permafrost crc32', 'crc-32')),
    ]);
    raw.push(keep(results, `crc32 ${size}`));
  }
  options.report({
    title: 'CRC32 (MB/s; ratio = permafrost / baseline)',
    columns: ['size', 'permafrost', 'native', 'ratio', 'zlib.crc32', 'ratio', 'crc-32', 'ratio'],
    rows,
    notes: ['CRC32 speed does not depend on the data; random bytes are used.'],
    measurements: raw,
  });
}

async function compressCases(options: BenchOptions, native: NativeBaseline | undefined, inputs: readonly Input[]): Promise<void> {
  const rows: Array<Array<string | number>> = [];
  const raw: unknown[] = [];
  for (const input of inputs) {
    const { raw: src, compressOut: dst } = input.placed;
    const jsDst = new Uint8Array(lz4js.compressBound(src.length));
    const hashTable = new Uint32Array(1 << 16);
    const subjects: Subject[] = [
      local('lz4Compress', () => lz4Compress(src)),
      local('lz4CompressInto', () => lz4CompressInto(src, dst)),
      local('lz4js', () => {
        hashTable.fill(0);
        return lz4js.compressBlock(src, jsDst, 0, src.length, hashTable);
      }),
    ];
    if (native !== undefined && input.native !== undefined) {
      subjects.push(native.subject('native', 'lz4_compress_into', input.native));
    }
    const results = await measure(subjects, input.size, options);
    const label = `${input.shape} ${formatSize(input.size)}`;
    const into = ratio(results, 'lz4CompressInto', 'native');
    const alloc = ratio(results, 'lz4Compress', 'native');
    noteGoal('lz4CompressInto', label, input.size, into);
    noteGoal('lz4Compress', label, input.size, alloc);
    rows.push([
      input.shape,
      formatSize(input.size),
      (input.placed.compressed.length / input.size).toFixed(3),
      mbps(results.get('lz4CompressInto')?.median),
      mbps(results.get('lz4Compress')?.median),
      mbps(results.get('native')?.median),
      times(into),
      times(alloc),
      mbps(results.get('lz4js')?.median),
      times(ratio(results, 'lz4CompressInto', 'lz4js')),
    ]);
    raw.push(keep(results, `compress ${label}`));
  }
  options.report({
    title: 'LZ4 compress, raw block (MB/s of input; ratio = permafrost / baseline)',
    columns: ['shape', 'size', 'comp.', 'Into', 'alloc', 'native', 'Into/nat', 'alloc/nat', 'lz4js', 'Into/lz4js'],
    rows,
    notes: [
      'Into = lz4CompressInto with a reused output buffer; alloc = lz4Compress (new Buffer per call).',
      'native = permafrost-core compress_into (lz4_flex 0.13) with a reused buffer, same release profile.',
      'lz4js = compressBlock with reused buffers (returns 0 = "store raw" on incompressible input).',
    ],
    measurements: raw,
  });
}

async function decompressCases(options: BenchOptions, native: NativeBaseline | undefined, inputs: readonly Input[]): Promise<void> {
  const rows: Array<Array<string | number>> = [];
  const raw: unknown[] = [];
  for (const input of inputs) {
    const { size } = input;
    const { compressed, decompressOut: dst } = input.placed;
    const jsDst = new Uint8Array(size);
    if (lz4js.decompressBlock(compressed, jsDst, 0, compressed.length, 0) !== size || !input.placed.raw.equals(jsDst)) {
      throw new Error(`lz4js cannot decode lz4_flex's block for ${input.shape}/${size}`);
    }
    const subjects: Subject[] = [
      local('lz4Decompress', () => lz4Decompress(compressed, size, size)),
      local('lz4DecompressInto', () => lz4DecompressInto(compressed, dst)),
      local('lz4js', () => lz4js.decompressBlock(compressed, jsDst, 0, compressed.length, 0)),
    ];
    if (native !== undefined && input.native !== undefined) {
      subjects.push(native.subject('native', 'lz4_decompress_into', input.native));
    }
    const results = await measure(subjects, size, options);
    const label = `${input.shape} ${formatSize(size)}`;
    const into = ratio(results, 'lz4DecompressInto', 'native');
    const alloc = ratio(results, 'lz4Decompress', 'native');
    noteGoal('lz4DecompressInto', label, size, into);
    noteGoal('lz4Decompress', label, size, alloc);
    rows.push([
      input.shape,
      formatSize(size),
      mbps(results.get('lz4DecompressInto')?.median),
      mbps(results.get('lz4Decompress')?.median),
      mbps(results.get('native')?.median),
      times(into),
      times(alloc),
      mbps(results.get('lz4js')?.median),
      times(ratio(results, 'lz4DecompressInto', 'lz4js')),
    ]);
    raw.push(keep(results, `decompress ${label}`));
  }
  options.report({
    title: 'LZ4 decompress, raw block (MB/s of output; ratio = permafrost / baseline)',
    columns: ['shape', 'size', 'Into', 'alloc', 'native', 'Into/nat', 'alloc/nat', 'lz4js', 'Into/lz4js'],
    rows,
    notes: [
      'Into = lz4DecompressInto into a reused Buffer; alloc = lz4Decompress (new Buffer per call).',
      'Into and native use buffers placed alike (bench/layout.ts); alloc gets wherever the allocator puts it.',
    ],
    measurements: raw,
  });
}

function summary(options: BenchOptions): void {
  if (goalRatios.length === 0) return;
  const byWhat = new Map<string, Array<{ case: string; value: number }>>();
  for (const entry of goalRatios) byWhat.set(entry.what, [...(byWhat.get(entry.what) ?? []), entry]);
  const rows = [...byWhat].map(([what, entries]) => {
    const worst = entries.reduce((a, b) => (b.value < a.value ? b : a));
    const geomean = Math.exp(entries.reduce((sum, e) => sum + Math.log(e.value), 0) / entries.length);
    const met = entries.filter((e) => e.value >= GOAL).length;
    return [what, times(geomean), `${times(worst.value)} (${worst.case})`, `${met}/${entries.length}`];
  });
  options.report({
    title: `Goal: ≥ ${GOAL}× native at 64 KiB and 1 MiB`,
    columns: ['function', 'geomean', 'worst case', `cases ≥ ${GOAL}×`],
    rows,
  });
}

export async function run(options: BenchOptions): Promise<void> {
  const wantCrc = options.wants('crc32');
  const wantLz4 = options.wants('lz4');
  const shapes: readonly Shape[] = options.quick ? ['i64_ts', 'str_lowcard', 'bytes_rand'] : SHAPE_NAMES;
  const sizes: readonly number[] = options.quick ? [64 * 1024] : SIZES;
  const native = NativeBaseline.start();
  try {
    const inputs = await prepare(native, wantLz4 ? shapes : ['bytes_rand'], sizes);
    if (wantCrc) await crcCases(options, native, inputs);
    if (wantLz4) {
      await compressCases(options, native, inputs);
      await decompressCases(options, native, inputs);
    }
    summary(options);
    if (options.quick && wantLz4) console.log(`shapes: ${shapes.map((s) => `${s} = ${SHAPES[s]}`).join('; ')}`);
  } finally {
    await native?.close();
  }
}
