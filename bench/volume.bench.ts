/**
 * Volume benchmark (`npm run bench`, or `node --import=tsx bench/volume.bench.ts [--runs N]`).
 *
 * 1,048,576 rows: timestamp, sequential id, small int, price, low-cardinality text,
 * nullable float, boolean. Every figure is a median over ≥ 5 interleaved rounds (each round
 * runs every subject once, in a rotated order), in GB/s of raw column data (null flags +
 * values, 54.5 MB) and rows/s. Subjects:
 *
 * - native baselines from `crates/bench-volume-native` (built here with cargo, kept running
 *   and driven one round at a time): single-threaded lz4_flex compress / decompress of the
 *   very blocks our file holds (the bench checks the stored sizes agree), the metadata
 *   block alone, crc32fast over the file, and — like-for-like for `loadAll`, which
 *   returns new arrays — every column decompressed into freshly allocated arrays plus
 *   the metadata into a fresh buffer;
 * - ours: durable write of a finished volume on 1 and 2 threads, build + durable write
 *   (builder, metadata, encode, publish) on 1 and 2 threads — copying the input arrays, and
 *   taking them over (`addBatch(batch, { transfer: true })`, zero-copy as arrow's
 *   `makeVector` is; the copy it needs per round is made before timing) — full scans (open + every
 *   column into typed arrays) with blocks in memory (sync accessors on one thread;
 *   `open(path, { loadAll: true })` on both cores, blocks decoding beside the metadata;
 *   `open(path, { loadInto })` into arrays reused from round to round, as a scan over
 *   many volumes would) and on demand;
 * - apache-arrow 21 IPC file (uncompressed): table from the same typed arrays +
 *   `tableToIPC(table, 'file')` + the same durable write; read = file + `tableFromIPC` +
 *   typed arrays per column (`toArray()`; the dictionary column's keys and the boolean
 *   column's bit words as they are stored — the cheapest forms arrow has);
 * - parquet-wasm 0.8 (LZ4_RAW, 65,536-row groups, its default encodings): arrow table →
 *   IPC stream → `writeParquet` + the same durable write; read = file + `readParquet` →
 *   IPC stream → `tableFromIPC` → typed arrays as for arrow.
 *
 * "Durable write" is always the same `publishFile` (temp file, fsync, rename, directory
 * fsync) on the same filesystem. Ratios are ours / baseline in throughput (> 1 = faster).
 */
/* eslint-disable @typescript-eslint/no-require-imports -- parquet-wasm ships its Node build as CommonJS */
import { spawn, spawnSync, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { Bool, Dictionary, Float64, Table, TimestampNanosecond, Uint32, Utf8, makeData, makeVector, tableFromIPC, tableToIPC, vectorFromArray, type Vector } from 'apache-arrow';
import { DataType } from '../ts/codec/data-type';
import { VolumeBuilder, VolumeReader, writeVolume, type FrozenVolume } from '../ts/index';
import { publishFile } from '../ts/io/publish-file';
import { valueByteView } from '../ts/volume/column-data';
import { encodeVolumeMetadata } from '../ts/volume/volume-metadata';

const ROWS = 1 << 20;
const GROUP_ROWS = 65_536;
const WORDS = Array.from({ length: 64 }, (_, i) => `word${i.toString(36)}`);
const ROOT = join(__dirname, '..');

interface Input {
  readonly ts: BigInt64Array;
  readonly id: BigInt64Array;
  readonly small: BigInt64Array;
  readonly price: Float64Array;
  readonly ids: Uint32Array;
  readonly maybe: Float64Array;
  readonly maybeNulls: Uint8Array;
  readonly flag: Uint8Array;
  readonly rowIds: BigInt64Array;
}

function input(): Input {
  let seed = 42;
  const random = (): number => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
  const ts = new BigInt64Array(ROWS);
  let t = 1_774_000_000_000_000_000n;
  for (let i = 0; i < ROWS; i += 1) ts[i] = t += BigInt(Math.floor(random() * 1000)) * 1_000_000n;
  const maybeNulls = Uint8Array.from({ length: ROWS }, () => (random() < 0.1 ? 1 : 0));
  return {
    ts,
    maybeNulls,
    rowIds: BigInt64Array.from({ length: ROWS }, (_, i) => BigInt(i + 1)),
    id: BigInt64Array.from({ length: ROWS }, (_, i) => BigInt(i)),
    small: BigInt64Array.from({ length: ROWS }, () => BigInt(Math.floor(random() * 1000))),
    price: Float64Array.from({ length: ROWS }, () => Math.round(random() * 1_000_000) / 100),
    ids: Uint32Array.from({ length: ROWS }, () => Math.floor(random() * 64)),
    maybe: Float64Array.from({ length: ROWS }, () => random()),
    flag: Uint8Array.from({ length: ROWS }, () => (random() < 0.5 ? 1 : 0)),
  };
}

function copyInput(data: Input): Input {
  return {
    ts: data.ts.slice(),
    id: data.id.slice(),
    small: data.small.slice(),
    price: data.price.slice(),
    ids: data.ids.slice(),
    maybe: data.maybe.slice(),
    maybeNulls: data.maybeNulls.slice(),
    flag: data.flag.slice(),
    rowIds: data.rowIds.slice(),
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

function batch(data: Input): Parameters<VolumeBuilder['addBatch']>[0] {
  return {
    rowIds: data.rowIds,
    columns: [
      { values: data.ts },
      { values: data.id },
      { values: data.small },
      { values: data.price },
      { dictionary: WORDS, ids: data.ids },
      { values: data.maybe, nulls: data.maybeNulls },
      { values: data.flag },
    ],
  };
}

// --- peers -------------------------------------------------------------------------------

function bits(bytes: Uint8Array, set: (byte: number) => boolean): Uint8Array {
  const out = new Uint8Array((bytes.length + 7) >> 3);
  for (let i = 0; i < bytes.length; i += 1) if (set(bytes[i]!)) out[i >> 3]! |= 1 << (i & 7);
  return out;
}

/** An arrow table over the same typed arrays (zero-copy where arrow's layout allows). */
function arrowTable(data: Input): Table {
  const nullCount = data.maybeNulls.reduce((total, flag) => total + flag, 0);
  return new Table({
    ts: makeVector(makeData({ type: new TimestampNanosecond(), length: ROWS, data: data.ts })),
    id: makeVector(data.id),
    small: makeVector(data.small),
    price: makeVector(data.price),
    symbol: makeVector(makeData({ type: new Dictionary(new Utf8(), new Uint32()), length: ROWS, data: data.ids, dictionary: vectorFromArray(WORDS, new Utf8()) })),
    maybe: makeVector(makeData({ type: new Float64(), length: ROWS, data: data.maybe, nullBitmap: bits(data.maybeNulls, (b) => b === 0), nullCount })),
    flag: makeVector(makeData({ type: new Bool(), length: ROWS, data: bits(data.flag, (b) => b !== 0) })),
  });
}

/** Every column as a typed array: `toArray()`, or the stored keys / bit words for dictionary and boolean columns. */
function arrowColumns(table: Table): unknown[] {
  return table.schema.fields.map((field, i) => {
    const column = table.getChildAt(i) as Vector;
    if (column.data.length === 1 && (field.type instanceof Dictionary || field.type instanceof Bool)) return column.data[0]!.values;
    return column.toArray();
  });
}

interface ParquetWasm {
  Table: { fromIPCStream(buffer: Uint8Array): unknown };
  WriterPropertiesBuilder: new () => { setCompression(c: number): unknown };
  Compression: { LZ4_RAW: number };
  writeParquet(table: unknown, properties: unknown): Uint8Array;
  readParquet(file: Uint8Array): { intoIPCStream(): Uint8Array };
}

function parquetWasm(): ParquetWasm {
  return require('parquet-wasm/node') as ParquetWasm;
}

function parquetBytes(pq: ParquetWasm, table: Table): Uint8Array {
  const wasmTable = pq.Table.fromIPCStream(tableToIPC(table, 'stream'));
  const builder = new pq.WriterPropertiesBuilder().setCompression(pq.Compression.LZ4_RAW) as { setMaxRowGroupSize(n: number): { build(): unknown } };
  return pq.writeParquet(wasmTable, builder.setMaxRowGroupSize(GROUP_ROWS).build());
}

// --- the native baseline -----------------------------------------------------------------

interface NativeSetup {
  readonly blocks: number;
  readonly raw_column_bytes: number;
  readonly stored_block_bytes: number;
  readonly metadata_raw_bytes: number;
  readonly metadata_stored_bytes: number;
  readonly volume_bytes: number;
}

interface NativeRound {
  readonly compress_s: number;
  readonly metadata_compress_s: number;
  readonly decompress_s: number;
  readonly metadata_decompress_s: number;
  readonly crc_s: number;
  readonly decompress_fresh_s: number;
  readonly compress_cpu_s: number;
  readonly metadata_compress_cpu_s: number;
  readonly decompress_cpu_s: number;
  readonly metadata_decompress_cpu_s: number;
  readonly crc_cpu_s: number;
  readonly decompress_fresh_cpu_s: number;
}

class NativeBaseline {
  private constructor(
    private readonly child: ChildProcessByStdio<Writable, Readable, null>,
    private readonly lines: AsyncIterator<string>,
    private readonly rl: Interface,
    readonly setup: NativeSetup,
  ) {}

  static async start(columnsFile: string, volumeFile: string): Promise<NativeBaseline> {
    const build = spawnSync('cargo', ['build', '--release', '--locked', '-p', 'permafrost-bench-volume-native'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    if (build.status !== 0) throw new Error('cargo build of permafrost-bench-volume-native failed (the native baseline needs Rust)');
    const exe = join(ROOT, 'target', 'release', `permafrost-bench-volume-native${process.platform === 'win32' ? '.exe' : ''}`);
    const child = spawn(exe, [columnsFile, volumeFile, '--serve'], { stdio: ['pipe', 'pipe', 'inherit'] });
    const rl = createInterface({ input: child.stdout });
    const lines = rl[Symbol.asyncIterator]();
    const first = await lines.next();
    if (first.done === true) throw new Error('permafrost-bench-volume-native exited before it was ready');
    return new NativeBaseline(child, lines, rl, JSON.parse(first.value) as NativeSetup);
  }

  async round(): Promise<NativeRound> {
    this.child.stdin.write('round\n');
    const line = await this.lines.next();
    if (line.done === true) throw new Error('permafrost-bench-volume-native exited');
    return JSON.parse(line.value) as NativeRound;
  }

  close(): void {
    this.child.stdin.end('quit\n');
    this.rl.close();
  }
}

/** The columns file `permafrost-bench-volume-native` reads (format in its main.rs). */
function columnsFile(frozen: FrozenVolume): Buffer {
  const parts: Uint8Array[] = [];
  const u32 = (v: number): Buffer => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(v);
    return b;
  };
  const u64 = (v: number): Buffer => {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(v));
    return b;
  };
  parts.push(Buffer.from('PFBC'), u32(1), u64(frozen.metadata.rowCount), u32(frozen.columns.length));
  for (const column of frozen.columns) {
    if (column.form === 'bytes') throw new Error('the benchmark has no BYTES columns');
    const values = valueByteView(column);
    parts.push(Uint8Array.of(column.kind), u64(column.nulls.length), column.nulls, u64(values.length), values);
  }
  const metadata = encodeVolumeMetadata(frozen.metadata);
  parts.push(u64(metadata.length), metadata);
  return Buffer.concat(parts);
}

// --- timing ------------------------------------------------------------------------------

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Wall seconds, process CPU seconds (every thread: JS, libuv pool, ours, GC, kernel) and minor page faults (first touches of fresh memory). */
interface Sample {
  readonly wall: number;
  readonly cpu: number;
  readonly faults: number;
}

async function seconds(run: () => Promise<unknown> | unknown): Promise<Sample> {
  const faults = process.resourceUsage().minorPageFault;
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  await run();
  const used = process.cpuUsage(cpu);
  return { wall: Number(process.hrtime.bigint() - start) / 1e9, cpu: (used.user + used.system) / 1e6, faults: process.resourceUsage().minorPageFault - faults };
}

/** `npm run bench` passes its options; standalone runs read `--runs N`. */
export interface VolumeBenchOptions {
  readonly runs?: number | undefined;
  readonly report?: (table: { title: string; columns: readonly string[]; rows: ReadonlyArray<ReadonlyArray<string | number>>; notes?: readonly string[] }) => void;
}

export async function run(options: VolumeBenchOptions = {}): Promise<void> {
  const runs = Math.max(5, options.runs ?? 7);
  const data = input();
  const build = (): VolumeBuilder => new VolumeBuilder(SCHEMA, { capacityRows: ROWS }).addBatch(batch(data));
  const frozen = build().finish();
  const dir = await mkdtemp(join(tmpdir(), 'permafrost-bench-'));
  const pq = parquetWasm();
  try {
    const reference = await writeVolume(dir, 'reference', 1n, frozen);
    const columns = join(dir, 'columns.pfbc');
    await writeFile(columns, columnsFile(frozen));
    const native = await NativeBaseline.start(columns, reference);
    const fileBytes = (await stat(reference)).size;
    const headerBytes = await readFile(reference);
    const metaLen = headerBytes.readUInt32LE(16);
    const blockBytes = fileBytes - 20 - metaLen - frozen.columns.length * (ROWS / GROUP_ROWS) * 16 - 4;
    if (native.setup.stored_block_bytes !== blockBytes || native.setup.metadata_stored_bytes + 4 !== metaLen || native.setup.raw_column_bytes !== RAW_BYTES) {
      throw new Error(`the native baseline does not hold the same blocks (${JSON.stringify(native.setup)}; file blocks ${blockBytes}, metadata ${metaLen})`);
    }
    const arrowFile = join(dir, 'arrow', 'table.arrow');
    const parquetFile = join(dir, 'parquet', 'table.parquet');
    const sizes = { arrow: 0, parquet: 0 };
    const sink: unknown[] = [];
    // Arrays a scan loop would reuse from volume to volume (`loadInto`).
    const reused = frozen.columns.map((column, c) => ({
      column: c,
      nulls: new Uint8Array(ROWS),
      values: column.form === 'dictionary' ? new Uint32Array(ROWS) : column.form === 'bytes' ? new Uint8Array(0) : new (column.values.constructor as new (n: number) => BigInt64Array | Float64Array | Uint8Array)(ROWS),
    }));

    // Every writer publishes a new file, as a database writes a new volume: the file the
    // previous round wrote is deleted before timing (ext4 frees a replaced file's pages
    // inside rename, ~0.2 ms per MB here, which no writer of fresh volumes pays). The
    // readers read the files written in round -1 under other names.
    const written = new Map<string, string>();
    const timedWrite = async (name: string, write: () => Promise<string>): Promise<Sample> => {
      const previous = written.get(name);
      if (previous !== undefined) await rm(previous, { force: true });
      let path = '';
      const sample = await seconds(async () => (path = await write()));
      written.set(name, path);
      return sample;
    };
    const subjects: Record<string, () => Promise<Sample>> = {
      native: () => Promise.resolve({ wall: 0, cpu: 0, faults: 0 }), // timed by the native process, below
      write1: () => timedWrite('w1', () => writeVolume(dir, 'w1', 2n, frozen, { concurrency: 1 })),
      write2: () => timedWrite('w2', () => writeVolume(dir, 'w2', 3n, frozen, { concurrency: 2 })),
      buildWrite1: () => timedWrite('b1', () => writeVolume(dir, 'b1', 4n, build().finish(), { concurrency: 1 })),
      buildWrite2: () => timedWrite('b2', async () => writeVolume(dir, 'b2', 5n, await build().finishAsync(), { concurrency: 2 })),
      buildWrite2Transfer: () => {
        // The builder takes (and may change) the arrays it is given: a fresh copy per round, made before timing.
        const own = copyInput(data);
        return timedWrite('b3', async () => writeVolume(dir, 'b3', 6n, await new VolumeBuilder(SCHEMA).addBatch(batch(own), { transfer: true }).finishAsync(), { concurrency: 2 }));
      },
      arrowWrite: () =>
        timedWrite('arrow', async () => {
          const bytes = tableToIPC(arrowTable(data), 'file');
          sizes.arrow = bytes.length;
          await publishFile(join(dir, 'arrow'), 'table.arrow.tmp', 'table.arrow', [bytes]);
          return arrowFile;
        }),
      parquetWrite: () =>
        timedWrite('parquet', async () => {
          const bytes = parquetBytes(pq, arrowTable(data));
          sizes.parquet = bytes.length;
          await publishFile(join(dir, 'parquet'), 'table.parquet.tmp', 'table.parquet', [bytes]);
          return parquetFile;
        }),
      scanSync: () =>
        seconds(async () => {
          await using reader = await VolumeReader.open(reference);
          for (let c = 0; c < reader.columnCount; c += 1) sink.push(reader.rawValues(c), reader.nulls(c));
        }),
      scanMemory: () =>
        seconds(async () => {
          await using reader = await VolumeReader.open(reference, { loadAll: true });
          for (let c = 0; c < reader.columnCount; c += 1) sink.push(reader.rawValues(c), reader.nulls(c));
        }),
      scanInto: () =>
        seconds(async () => {
          await using reader = await VolumeReader.open(reference, { loadInto: reused });
          sink.push(reader.rowCount, reused);
        }),
      scanOnDemand: () =>
        seconds(async () => {
          await using reader = await VolumeReader.open(reference, { blocks: 'on-demand', loadAll: true });
          for (let c = 0; c < reader.columnCount; c += 1) sink.push(reader.rawValues(c), reader.nulls(c));
        }),
      arrowRead: () => seconds(async () => sink.push(arrowColumns(tableFromIPC(await readFile(arrowFile))))),
      parquetRead: () => seconds(async () => sink.push(arrowColumns(tableFromIPC(pq.readParquet(await readFile(parquetFile)).intoIPCStream())))),
    };
    for (const sub of ['arrow', 'parquet']) await mkdir(join(dir, sub), { recursive: true });
    const names = Object.keys(subjects);
    const samples = new Map<string, Sample[]>(names.map((name) => [name, []]));
    const nativeSamples: NativeRound[] = [];
    for (let round = -1; round < runs; round += 1) {
      // Round -1 warms every subject up (and writes the files the readers read); later
      // rounds rotate the order. Every writer deletes its previous file before timing (timedWrite).
      const order = names.map((_, i) => names[(i + Math.max(0, round)) % names.length]!);
      for (const name of order) {
        if (name === 'native') {
          const times = await native.round();
          if (round >= 0) nativeSamples.push(times);
          continue;
        }
        const time = await subjects[name]!();
        if (round >= 0) samples.get(name)!.push(time);
      }
      sink.length = 0;
    }
    native.close();

    const time = (name: string): number => median(samples.get(name)!.map((s) => s.wall));
    const cpuTime = (name: string): number => median(samples.get(name)!.map((s) => s.cpu));
    const nativeTime = (key: keyof NativeRound): number => median(nativeSamples.map((r) => r[key]));
    const nativeBoth = (a: keyof NativeRound, b: keyof NativeRound): number => median(nativeSamples.map((r) => r[a] + r[b]));
    const gbps = (t: number): number => RAW_BYTES / t / 1e9;
    const rows: (string | number)[][] = [];
    const line = (label: string, t: number, cpu: number, extra = '', faults?: number): void => {
      rows.push([label, gbps(t).toFixed(2), (ROWS / t / 1e6).toFixed(1), (t * 1e3).toFixed(1), (cpu * 1e3).toFixed(1), faults === undefined ? '' : faults, extra]);
    };
    const ours = (label: string, name: string, extra = ''): void => line(label, time(name), cpuTime(name), extra, median(samples.get(name)!.map((s) => s.faults)));
    line('native lz4_flex compress, column blocks (1 thread)', nativeTime('compress_s'), nativeTime('compress_cpu_s'));
    line('native lz4_flex compress, column + metadata blocks', nativeBoth('compress_s', 'metadata_compress_s'), nativeBoth('compress_cpu_s', 'metadata_compress_cpu_s'));
    line('native lz4_flex decompress, column blocks (1 thread)', nativeTime('decompress_s'), nativeTime('decompress_cpu_s'));
    line('native lz4_flex decompress, column + metadata blocks', nativeBoth('decompress_s', 'metadata_decompress_s'), nativeBoth('decompress_cpu_s', 'metadata_decompress_cpu_s'));
    line('native decompress into fresh column arrays + metadata (like-for-like for loadAll)', nativeTime('decompress_fresh_s'), nativeTime('decompress_fresh_cpu_s'));
    line('native crc32fast over the file', nativeTime('crc_s'), nativeTime('crc_cpu_s'), `${((fileBytes / nativeTime('crc_s')) / 1e9).toFixed(1)} GB/s of file`);
    ours('permafrost durable write, 1 thread', 'write1');
    ours('permafrost durable write, 2 threads', 'write2');
    ours('permafrost build + durable write, 1 thread', 'buildWrite1');
    ours('permafrost build + durable write, 2 threads', 'buildWrite2');
    ours('permafrost build (arrays transferred) + durable write, 2 threads', 'buildWrite2Transfer');
    ours('apache-arrow build + IPC file + durable write', 'arrowWrite', `${(sizes.arrow / 1e6).toFixed(1)} MB`);
    ours('parquet-wasm LZ4_RAW build + write + durable write', 'parquetWrite', `${(sizes.parquet / 1e6).toFixed(1)} MB`);
    ours('permafrost full scan, in memory, sync accessors (1 thread)', 'scanSync', `${(fileBytes / 1e6).toFixed(1)} MB`);
    ours('permafrost full scan, in memory, open({ loadAll }) (2 threads)', 'scanMemory');
    ours('permafrost full scan, in memory, loadInto reused arrays (2 threads)', 'scanInto');
    ours('permafrost full scan, on demand, open({ loadAll }) (2 threads)', 'scanOnDemand');
    ours('apache-arrow IPC file read', 'arrowRead');
    ours('parquet-wasm read', 'parquetRead');

    const ratio = (ours: number, theirs: number): number => theirs / ours; // throughput ratio from times
    const goal = (label: string, value: number, target: number, lowerIsBetter = false): string[] => {
      const pass = lowerIsBetter ? value <= target : value >= target;
      return [label, value.toFixed(2), `${lowerIsBetter ? '≤' : '≥'} ${target}`, pass ? 'PASS' : 'MISS'];
    };
    const goals = [
      goal('write 1 thread / native compress (column blocks)', ratio(time('write1'), nativeTime('compress_s')), 0.9),
      goal('write 1 thread / native compress (column + metadata blocks)', ratio(time('write1'), nativeBoth('compress_s', 'metadata_compress_s')), 0.9),
      goal('build + write 2 threads / arrow build + write', ratio(time('buildWrite2'), time('arrowWrite')), 1.0),
      goal('build (transferred) + write 2 threads / arrow build + write', ratio(time('buildWrite2Transfer'), time('arrowWrite')), 1.0),
      goal('write 2 threads / arrow build + write', ratio(time('write2'), time('arrowWrite')), 1.0),
      goal('full scan in memory (loadAll) / native decompress (column blocks)', ratio(time('scanMemory'), nativeTime('decompress_s')), 0.9),
      goal('full scan in memory (loadAll) / native decompress (column + metadata blocks)', ratio(time('scanMemory'), nativeBoth('decompress_s', 'metadata_decompress_s')), 0.9),
      goal('full scan in memory (loadAll) / native decompress into fresh arrays (like-for-like)', ratio(time('scanMemory'), nativeTime('decompress_fresh_s')), 0.9),
      goal('full scan into reused arrays / native decompress (column blocks)', ratio(time('scanInto'), nativeTime('decompress_s')), 0.9),
      goal('full scan into reused arrays / native decompress (column + metadata blocks)', ratio(time('scanInto'), nativeBoth('decompress_s', 'metadata_decompress_s')), 0.9),
      goal('full scan in memory (loadAll) / parquet-wasm read', ratio(time('scanMemory'), time('parquetRead')), 5),
      goal('full scan on demand (loadAll) / parquet-wasm read', ratio(time('scanOnDemand'), time('parquetRead')), 5),
      goal('file size / parquet-wasm file size', fileBytes / sizes.parquet, 1.0, true),
    ];
    const notes = [
      `${ROWS} rows × 7 columns, ${(RAW_BYTES / 1e6).toFixed(1)} MB raw column data; volume file ${(fileBytes / 1e6).toFixed(1)} MB (metadata block ${(metaLen / 1e6).toFixed(1)} MB: row ids and bloom filters), arrow ${(sizes.arrow / 1e6).toFixed(1)} MB, parquet ${(sizes.parquet / 1e6).toFixed(1)} MB`,
      `medians of ${runs} interleaved rounds; native baselines: ${native.setup.blocks} column blocks + 1 metadata block, the same stored bytes as the file`,
    ];
    const report =
      options.report ??
      ((table) => {
        const widths = table.columns.map((c, i) => Math.max(c.length, ...table.rows.map((r) => String(r[i]).length)));
        const fmt = (cells: ReadonlyArray<string | number>): string => cells.map((cell, i) => (i === 0 ? String(cell).padEnd(widths[i]!) : String(cell).padStart(widths[i]!))).join('  ');
        console.log(`${table.title}\n${fmt(table.columns)}\n${table.rows.map(fmt).join('\n')}\n${(table.notes ?? []).join('\n')}\n`);
      });
    report({ title: 'Volume write and full-scan read', columns: ['subject', 'GB/s', 'M rows/s', 'ms', 'CPU ms', 'page faults', ''], rows, notes });
    report({ title: 'Volume goals (ratios of throughput, same run)', columns: ['ratio', 'value', 'goal', ''], rows: goals });
    // The same ratios in CPU time: what each side's work costs, whatever else the machine
    // runs (on a shared machine wall-clock ratios move with the neighbours' load).
    const cpuRatio = (ours: string, theirs: number): string => (theirs / cpuTime(ours)).toFixed(2);
    report({
      title: 'CPU-time ratios (same work; the native side is one thread, ours counts every thread of the process)',
      columns: ['ratio', 'value'],
      rows: [
        ['write 1 thread / native compress (column blocks)', cpuRatio('write1', nativeTime('compress_cpu_s'))],
        ['write 1 thread / native compress (column + metadata blocks)', cpuRatio('write1', nativeBoth('compress_cpu_s', 'metadata_compress_cpu_s'))],
        ['build + write 2 threads / arrow build + write', cpuRatio('buildWrite2', cpuTime('arrowWrite'))],
        ['write 2 threads / arrow build + write', cpuRatio('write2', cpuTime('arrowWrite'))],
        ['full scan into reused arrays / native decompress (column blocks)', cpuRatio('scanInto', nativeTime('decompress_cpu_s'))],
        ['full scan into reused arrays / native decompress (column + metadata blocks)', cpuRatio('scanInto', nativeBoth('decompress_cpu_s', 'metadata_decompress_cpu_s'))],
        ['full scan in memory (loadAll) / native decompress (column + metadata blocks)', cpuRatio('scanMemory', nativeBoth('decompress_cpu_s', 'metadata_decompress_cpu_s'))],
        ['full scan in memory (loadAll) / native decompress into fresh arrays (like-for-like)', cpuRatio('scanMemory', nativeTime('decompress_fresh_cpu_s'))],
        ['full scan in memory (loadAll) / parquet-wasm read', cpuRatio('scanMemory', cpuTime('parquetRead'))],
      ],
      notes: [`load average during the run: ${loadavg().map((l) => l.toFixed(1)).join(' ')} (2-core machines: anything above ~1 means a neighbour shares the cores)`],
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const at = process.argv.indexOf('--runs');
  void run({ runs: at > 0 ? Number(process.argv[at + 1]) : undefined }).catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
