/**
 * The only module that loads the Rust addon. It finds the binary, checks that it speaks
 * this package's ABI, gives it a precise type, and turns native failures into
 * `PermafrostError`s with their stable codes. It adds no logic of its own.
 *
 * Resolution order (first hit wins; every failure is kept for the error message):
 * 1. `PERMAFROST_NATIVE_PATH`, when set;
 * 2. `<package root>/permafrost.<platform>.node`, from `npm install` in a checkout or
 *    `node scripts/build-native.cjs`;
 * 3. the platform package `permafrost-<platform>` (optional dependency), whose version must
 *    equal this package's: a stale binary could disagree about on-disk formats.
 */
/* eslint-disable @typescript-eslint/no-require-imports -- a .node addon can only be loaded with require() */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PermafrostError, type ErrorCode, ERROR_CODES } from './errors';

/** Must equal `NATIVE_ABI_VERSION` in crates/node/src/lib.rs; bumped together. */
const EXPECTED_ABI_VERSION = 2;

/** The raw binding, exactly as crates/node exports it. */
export interface NativeBinding {
  abiVersion(): number;
  crc32(data: Uint8Array, initial?: number): number;
  crc32Async(data: Uint8Array, initial?: number): Promise<number>;
  lz4CompressBound(rawLength: number): number;
  lz4CompressInto(src: Uint8Array, dst: Buffer): number;
  lz4CompressIntoAsync(src: Uint8Array, dst: Buffer): Promise<number>;
  lz4DecompressInto(src: Uint8Array, dst: Buffer): void;
  lz4DecompressIntoAsync(src: Uint8Array, dst: Buffer): Promise<void>;
  lz4SizePrependedLength(src: Uint8Array, cap: number): number;
  readonly LZ4_MAX_EXPANSION: number;
  readonly LZ4_EXPANSION_SLACK: number;
  readonly LZ4_BLOCK_BYTES_MAX: number;
  readonly LZ4_SIZE_PREFIX_BYTES: number;
  // Volumes
  volumeOutputBound(rawLength: number, compress: boolean): number;
  volumeEncodeFixedColumn(kind: number, nulls: Uint8Array, values: Uint8Array, compress: boolean, out: Buffer, index: Buffer): number;
  volumeEncodeFixedColumnAsync(
    kind: number,
    nulls: Uint8Array,
    values: Uint8Array,
    compress: boolean,
    out: Buffer,
    index: Buffer,
  ): Promise<number>;
  volumeCompressBlocks(raw: Uint8Array, compress: boolean, out: Buffer, index: Buffer): number;
  volumeCompressBlocksAsync(raw: Uint8Array, compress: boolean, out: Buffer, index: Buffer): Promise<number>;
  volumeDecodeFixedBlock(kind: number, src: Uint8Array, rawLength: number, dictSize: number, nullsDst: Buffer, valuesDst: Buffer): void;
  volumeSummarizeColumn(kind: number, nulls: Uint8Array, values: Uint8Array, bloomBits: Buffer, bloomNumBits: number, out: Buffer): void;
  volumeSummarizeColumnAsync(
    kind: number,
    nulls: Uint8Array,
    values: Uint8Array,
    bloomBits: Buffer,
    bloomNumBits: number,
    out: Buffer,
  ): Promise<void>;
  volumeBloomAdd(tag: number, blob: Uint8Array, ends: Uint8Array, bloomBits: Buffer, bloomNumBits: number): void;
  volumeBloomMightContain(bloomBits: Uint8Array, bloomNumBits: number, tag: number, payload: Uint8Array): boolean;
  volumeFirstUnorderedI64(values: Uint8Array, strict: boolean): number;
  volumeCheckBlockIndex(index: Uint8Array, kinds: Uint8Array, rowCount: number, available: number): number;
  volumeCheckContainerAsync(file: Uint8Array): Promise<number>;
  readonly VOLUME_MAGIC: number;
  readonly VOLUME_VERSION: number;
  readonly VOLUME_HEADER_BYTES: number;
  readonly VOLUME_BLOCK_INDEX_ENTRY_BYTES: number;
  readonly VOLUME_CRC_BYTES: number;
  readonly VOLUME_ROW_GROUP_ROWS: number;
  readonly VOLUME_METADATA_BYTES_MAX: number;
  readonly VOLUME_COLUMNS_MAX: number;
  readonly VOLUME_KIND_INT64: number;
  readonly VOLUME_KIND_FLOAT64: number;
  readonly VOLUME_KIND_TIMESTAMP: number;
  readonly VOLUME_KIND_BOOLEAN: number;
  readonly VOLUME_KIND_DICTIONARY: number;
  readonly VOLUME_KIND_BYTES: number;
  readonly VOLUME_FLAG_SORTED: number;
  readonly VOLUME_BLOOM_BITS_PER_ROW: number;
  readonly VOLUME_BLOOM_BITS_MIN: number;
  readonly VOLUME_SUMMARY_GLOBAL_BYTES: number;
  readonly VOLUME_SUMMARY_GROUP_BYTES: number;
}

interface NativeTarget {
  ROOT: string;
  platformArchAbi(): string | null;
  localBinaryPath(triple: string): string;
  platformPackageName(triple: string): string;
}

const target = require(join(__dirname, '..', 'scripts', 'native-target.cjs')) as NativeTarget;

function packageVersion(manifestPath: string): string {
  return (JSON.parse(readFileSync(manifestPath, 'utf8')) as { version: string }).version;
}

function loadBinding(): NativeBinding {
  const triple = target.platformArchAbi();
  const failures: string[] = [];
  const causes: unknown[] = [];
  const attempt = (label: string, load: () => NativeBinding): NativeBinding | undefined => {
    try {
      return load();
    } catch (error) {
      failures.push(`${label}: ${error instanceof Error ? error.message : String(error)}`);
      causes.push(error);
      return undefined;
    }
  };
  const candidates: Array<[string, () => NativeBinding]> = [];
  const override = process.env['PERMAFROST_NATIVE_PATH'];
  if (override) candidates.push([`PERMAFROST_NATIVE_PATH=${override}`, () => require(override) as NativeBinding]);
  if (triple) {
    const local = target.localBinaryPath(triple);
    candidates.push([local, () => require(local) as NativeBinding]);
    const pkg = target.platformPackageName(triple);
    candidates.push([
      pkg,
      () => {
        const manifest = require.resolve(`${pkg}/package.json`, { paths: [target.ROOT] });
        const own = packageVersion(join(target.ROOT, 'package.json'));
        const found = packageVersion(manifest);
        if (found !== own) throw new Error(`version ${found} does not match permafrost ${own}`);
        return require(pkg) as NativeBinding;
      },
    ]);
  } else {
    failures.push(`no prebuilt binary exists for ${process.platform}-${process.arch}`);
  }
  for (const [label, load] of candidates) {
    const binding = attempt(label, load);
    if (binding === undefined) continue;
    const abi = typeof binding.abiVersion === 'function' ? binding.abiVersion() : undefined;
    if (abi === EXPECTED_ABI_VERSION) return binding;
    failures.push(`${label}: native ABI version ${String(abi)}, expected ${EXPECTED_ABI_VERSION} (stale build)`);
  }
  throw new PermafrostError(
    'ERR_NATIVE_BINDING',
    `cannot load the permafrost native addon for ${triple ?? `${process.platform}-${process.arch}`}; tried:\n  ` +
      `${failures.join('\n  ')}\nFix: in a checkout run \`node scripts/build-native.cjs --force\` (needs Rust); ` +
      'as a dependency reinstall without a lockfile from another OS (npm/cli#4828), approve the install script ' +
      '(`npm install-scripts approve permafrost`) or run `npm rebuild permafrost` with Rust installed',
    { cause: causes.length > 0 ? new AggregateError(causes, 'load failures') : undefined },
  );
}

let cached: NativeBinding | undefined;

/** The loaded binding (loaded on first use, then cached for the life of the process). */
export function native(): NativeBinding {
  cached ??= loadBinding();
  return cached;
}

const CODE_PREFIX = /^(ERR_[A-Z_]+): ([\s\S]*?)(?: at offset (\d+))?$/;

/**
 * Converts an error thrown by the addon into a `PermafrostError`. Native errors arrive as
 * `"ERR_CODE: message[ at offset N]"` (crates/node/src/codec_error.rs); anything else — a
 * caught Rust panic, or a napi argument check — is an internal error.
 */
export function fromNativeError(error: unknown): PermafrostError {
  if (error instanceof PermafrostError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const match = CODE_PREFIX.exec(message);
  if (match && match[1]! in ERROR_CODES) {
    const offset = match[3] === undefined ? undefined : Number(match[3]);
    return new PermafrostError(match[1] as ErrorCode, match[2]!, { offset, cause: error });
  }
  return new PermafrostError('ERR_INTERNAL', `native addon failed: ${message}`, { cause: error });
}

/** Runs a native call, converting its failure into a `PermafrostError`. */
export function callNative<T>(call: (binding: NativeBinding) => T): T {
  const binding = native();
  try {
    return call(binding);
  } catch (error) {
    throw fromNativeError(error);
  }
}

/** Awaits an async native call, converting its rejection into a `PermafrostError`. */
export async function callNativeAsync<T>(call: (binding: NativeBinding) => Promise<T>): Promise<T> {
  const binding = native();
  try {
    return await call(binding);
  } catch (error) {
    throw fromNativeError(error);
  }
}
