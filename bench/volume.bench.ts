/**
 * Volume benchmark (`npm run bench`, or `node --import=tsx bench/volume.bench.ts`).
 * 1,048,576 rows: timestamp, sequential id, small int, price, low-cardinality text,
 * nullable float, boolean. Reports medians of interleaved runs and ratios measured in the
 * same run. Baselines: the core's lz4_flex compression and decompression of the same
 * serialized blocks, called once per column / block from JS (the napi crossing is a few
 * µs against tens of ms of work).
 * Not yet measured here: apache-arrow IPC and parquet-wasm (see docs/volumes.md).
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataType } from '../ts/codec/data-type';
import { lz4DecompressInto } from '../ts/lz4';
import { native } from '../ts/native';
import { VolumeBuilder, VolumeReader, encodeVolumeSync, writeVolume, type FrozenVolume } from '../ts/index';
import { publishFile } from '../ts/io/publish-file';

const ROWS = 1 << 20;
const RUNS = 5;
const WORDS = Array.from({ length: 64 }, (_, i) => `word${i.toString(36)}`);

function table(): { rowIds: BigInt64Array; columns: Parameters<VolumeBuilder['addBatch']>[0]['columns'] } {
  let seed = 42;
  const random = (): number => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
  const ts = new BigInt64Array(ROWS);
  let t = 1_774_000_000_000_000_000n;
  for (let i = 0; i < ROWS; i += 1) ts[i] = t += BigInt(Math.floor(random() * 1000)) * 1_000_000n;
  const nulls = Uint8Array.from({ length: ROWS }, () => (random() < 0.1 ? 1 : 0));
  return {
    rowIds: BigInt64Array.from({ length: ROWS }, (_, i) => BigInt(i + 1)),
    columns: [
      { values: ts },
      { values: BigInt64Array.from({ length: ROWS }, (_, i) => BigInt(i)) },
      { values: BigInt64Array.from({ length: ROWS }, () => BigInt(Math.floor(random() * 1000))) },
      { values: Float64Array.from({ length: ROWS }, () => Math.round(random() * 1_000_000) / 100) },
      { dictionary: WORDS, ids: Uint32Array.from({ length: ROWS }, () => Math.floor(random() * 64)) },
      { values: Float64Array.from({ length: ROWS }, () => random()), nulls },
      { values: Uint8Array.from({ length: ROWS }, () => (random() < 0.5 ? 1 : 0)) },
    ],
  };
}

const SCHEMA = {
  columns: [
    { name: 'ts', dataType: DataType.Timestamp },
    { name: 'id', dataType: DataType.Integer },
    { name: 'small', dataType: DataType.Integer },
    { name: 'price', dataType: DataType.Float },
    { name: 'symbol', dataType: DataType.Text },
    { name: 'maybe', dataType: DataType.Float },
    { name: 'flag', dataType: DataType.Boolean },
  ],
};

/** Raw column bytes: what every GB/s figure counts (null flags + values). */
const RAW_BYTES = ROWS * (9 + 9 + 9 + 9 + 5 + 9 + 2);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function time(run: () => Promise<unknown> | unknown): Promise<number> {
  const start = process.hrtime.bigint();
  await run();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

export async function run(): Promise<void> {
  const n = native();
  const input = table();
  const build = (): VolumeBuilder => new VolumeBuilder(SCHEMA, { capacityRows: ROWS }).addBatch(input);
  const frozen: FrozenVolume = build().finish();
  const dir = await mkdtemp(join(tmpdir(), 'permafrost-bench-'));
  // The same serialized blocks, compressed by the core once per column (the native baseline).
  const fixed = frozen.columns.filter((c) => c.form !== 'bytes');
  const nativeCompress = (): { blocks: Buffer[]; raw: number[] } => {
    const blocks: Buffer[] = [];
    const raw: number[] = [];
    for (const column of fixed) {
      const values = column.form === 'dictionary' ? column.ids : column.values;
      const out = Buffer.allocUnsafe(n.volumeOutputBound(ROWS * 9, true) + 16 * 65_536);
      const index = Buffer.alloc(16 * 16);
      const written = n.volumeEncodeFixedColumn(column.kind, column.nulls, new Uint8Array(values.buffer, values.byteOffset, values.byteLength), true, out, index);
      let at = 0;
      for (let g = 0; g < 16; g += 1) {
        const stored = Number(index.readBigUInt64LE(g * 16));
        blocks.push(out.subarray(at, at + stored));
        raw.push(Number(index.readBigUInt64LE(g * 16 + 8)));
        at += stored;
      }
      void written;
    }
    return { blocks, raw };
  };
  const compressed = nativeCompress();
  const scratch = Buffer.allocUnsafe(65_536 * 9);
  const nativeDecompress = (): void => {
    compressed.blocks.forEach((block, i) => {
      const raw = compressed.raw[i]!;
      if (block.length === raw) scratch.set(block);
      else lz4DecompressInto(block, scratch.subarray(0, raw));
    });
  };
  const samples: Record<string, number[]> = { nativeCompress: [], nativeDecompress: [], writeOneCore: [], buildWriteBothCores: [], fullScan: [] };
  let path = '';
  for (let r = 0; r < RUNS; r += 1) {
    samples.nativeCompress!.push(await time(nativeCompress));
    samples.writeOneCore!.push(await time(async () => {
      const encoded = encodeVolumeSync(frozen);
      await publishFile(dir, 'one.vol.tmp', 'one.vol', encoded.pieces);
    }));
    samples.buildWriteBothCores!.push(await time(async () => {
      path = await writeVolume(dir, 'bench', BigInt(r + 1), await build().finishAsync());
    }));
    samples.nativeDecompress!.push(await time(nativeDecompress));
    samples.fullScan!.push(await time(async () => {
      await using reader = await VolumeReader.open(path);
      for (let c = 0; c < reader.columnCount; c += 1) reader.rawValues(c);
    }));
  }
  const gbps = (key: string): number => RAW_BYTES / median(samples[key]!) / 1e9;
  const fileBytes = (await stat(path)).size;
  const line = (label: string, key: string): void => console.log(`${label.padEnd(44)} ${gbps(key).toFixed(2)} GB/s  ${(ROWS / median(samples[key]!) / 1e6).toFixed(1)} M rows/s`);
  console.log(`volume bench: ${ROWS} rows × 7 columns, ${(RAW_BYTES / 1e6).toFixed(1)} MB raw, file ${(fileBytes / 1e6).toFixed(1)} MB, medians of ${RUNS}`);
  line('native lz4_flex compress (same blocks, 1 core)', 'nativeCompress');
  line('write, 1 core (encode + CRC + durable publish)', 'writeOneCore');
  line('build + durable write, both cores', 'buildWriteBothCores');
  line('native lz4_flex decompress (same blocks)', 'nativeDecompress');
  line('full scan (open + CRC + every column)', 'fullScan');
  console.log(`ratio write 1 core / native compress:        ${(gbps('writeOneCore') / gbps('nativeCompress')).toFixed(2)} (goal ≥ 0.9)`);
  console.log(`ratio build+write 2 cores / native compress: ${(gbps('buildWriteBothCores') / gbps('nativeCompress')).toFixed(2)}`);
  console.log(`ratio full scan / native decompress:         ${(gbps('fullScan') / gbps('nativeDecompress')).toFixed(2)} (goal ≥ 0.9)`);
  await rm(dir, { recursive: true, force: true });
}

if (require.main === module) void run();
