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
const EXPECTED_ABI_VERSION = 6;


// WAL: the names of the constants crates/core/src/constants.rs defines for the WAL (values
// come from the binary; only the names are listed here so the binding is typed).
export const WAL_CONSTANT_NAMES = [
  'WAL_ENTRY_MAGIC',
  'WAL_ENTRY_VERSION',
  'WAL_HEADER_BYTES',
  'WAL_HEADER_FLAGS_OFFSET',
  'WAL_HEADER_SIZE_OFFSET',
  'WAL_HEADER_LSN_OFFSET',
  'WAL_HEADER_PREVIOUS_LSN_OFFSET',
  'WAL_HEADER_ENTRY_SIZE_OFFSET',
  'WAL_HEADER_CHECKSUM_OFFSET',
  'WAL_DATA_FIXED_BYTES',
  'WAL_DATA_NAME_LENGTH_OFFSET',
  'WAL_DATA_NAME_OFFSET',
  'WAL_CRC_BYTES',
  'WAL_ENTRY_DATA_BYTES_MAX',
  'WAL_COMPRESSION_THRESHOLD_BYTES',
  'WAL_FLAG_COMPRESSED',
  'WAL_FLAG_COMMIT_MARKER',
  'WAL_FLAG_ABORT_MARKER',
  'WAL_FLAGS_NEVER_WRITTEN',
  'WAL_OP_INSERT',
  'WAL_OP_UPDATE',
  'WAL_OP_DELETE',
  'WAL_OP_COMMIT',
  'WAL_OP_ROLLBACK',
  'WAL_OP_CREATE_TABLE',
  'WAL_OP_DROP_TABLE',
  'WAL_OP_ALTER_TABLE',
  'WAL_OP_CREATE_INDEX',
  'WAL_OP_DROP_INDEX',
  'WAL_OP_CREATE_VIEW',
  'WAL_OP_DROP_VIEW',
  'WAL_OP_TRUNCATE_TABLE',
  'WAL_OP_MAX',
  'WAL_DDL_TXN_ID',
  'WAL_MARKER_TXN_ID',
  'WAL_INDEX_RECORD_BYTES',
  'WAL_INDEX_OFFSET',
  'WAL_INDEX_LSN',
  'WAL_INDEX_PREVIOUS_LSN',
  'WAL_INDEX_TXN_ID',
  'WAL_INDEX_TXN_ID_NUMBER',
  'WAL_INDEX_ROW_ID',
  'WAL_INDEX_TIMESTAMP',
  'WAL_INDEX_LSN_NUMBER',
  'WAL_INDEX_ENTRY_BYTES',
  'WAL_INDEX_DATA_CRC',
  'WAL_INDEX_PAYLOAD_OFFSET',
  'WAL_INDEX_PAYLOAD_STORED_BYTES',
  'WAL_INDEX_PAYLOAD_RAW_BYTES',
  'WAL_INDEX_TABLE_NAME_BYTES',
  'WAL_INDEX_HEADER_BYTES',
  'WAL_INDEX_KIND',
  'WAL_INDEX_REASON',
  'WAL_INDEX_FLAGS',
  'WAL_INDEX_OPERATION',
  'WAL_INDEX_PRESENT',
  'WAL_INDEX_HAS_HEADER',
  'WAL_INDEX_HAS_TXN',
  'WAL_INDEX_HEADER_VERIFIED',
  'WAL_RECORD_ENTRY',
  'WAL_RECORD_DAMAGE',
  'WAL_DAMAGE_BAD_MAGIC',
  'WAL_DAMAGE_BAD_VERSION',
  'WAL_DAMAGE_BAD_HEADER_SIZE',
  'WAL_DAMAGE_HEADER_CHECKSUM',
  'WAL_DAMAGE_ENTRY_TOO_LARGE',
  'WAL_DAMAGE_TRUNCATED',
  'WAL_DAMAGE_DATA_CHECKSUM',
  'WAL_DAMAGE_BAD_LAYOUT',
  'WAL_DAMAGE_UNKNOWN_OPERATION',
  'WAL_DAMAGE_BAD_TABLE_NAME',
  'WAL_DAMAGE_BAD_FLAGS',
  'WAL_DAMAGE_BAD_COMPRESSION',
  'WAL_DAMAGE_ZERO_LSN',
  'WAL_SCAN_END',
  'WAL_SCAN_NEED_MORE',
  'WAL_SCAN_INDEX_FULL',
] as const;

/** The WAL constants, as numbers read from the addon. */
export type WalConstants = { readonly [Name in (typeof WAL_CONSTANT_NAMES)[number]]: number };

/** Where a `walScan` call stopped (see crates/core/src/wal_scan.rs). */
export interface WalScanOutcome {
  readonly records: number;
  readonly stop: number;
  readonly resume: number;
  readonly neededBytes: number;
  readonly inDamage: boolean;
}

/** The raw binding, exactly as crates/node exports it. */
export interface NativeBinding extends WalConstants {
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
  /** `columns`: two buffers per column (null flags, values; BYTES: empty, then its serialized blocks). */
  volumeEncodeBound(rowCount: number, kinds: Uint8Array, columns: readonly Uint8Array[], metadataLength: number, compress: boolean): number;
  /** Encodes a whole volume into `out`; `pieces` receives (f64 start, f64 length) pairs; returns their count. */
  volumeEncode(rowCount: number, kinds: Uint8Array, columns: readonly Uint8Array[], metadata: Uint8Array, compress: boolean, out: Buffer, pieces: Buffer): number;
  volumeEncodeAsync(
    rowCount: number,
    kinds: Uint8Array,
    columns: readonly Uint8Array[],
    metadata: Uint8Array,
    compress: boolean,
    threads: number,
    out: Buffer,
    pieces: Buffer,
  ): Promise<number>;
  volumeEncodeJobCount(rowCount: number, kinds: Uint8Array, columns: readonly Uint8Array[]): number;
  /** Runs encode jobs `first..first + count` (0 = metadata, then blocks); job k's 32-byte result record goes to `results[k × 32]`. */
  volumeEncodeJobsAsync(
    rowCount: number,
    kinds: Uint8Array,
    columns: readonly Uint8Array[],
    metadata: Uint8Array,
    compress: boolean,
    threads: number,
    out: Buffer,
    first: number,
    count: number,
    results: Buffer,
  ): Promise<void>;
  /** Header, index and CRC once every job has run; `pieces` receives (f64 start, f64 length) pairs; returns their count. */
  volumeEncodeFinish(rowCount: number, kinds: Uint8Array, columns: readonly Uint8Array[], metadataLength: number, compress: boolean, out: Buffer, results: Uint8Array, pieces: Buffer): number;
  /** Decodes every group of the given fixed-width columns; `blocks` holds the block region from byte `base`; `outputs`: two buffers per column (null flags, values). */
  volumeDecodeColumnsAsync(
    blocks: Uint8Array,
    base: number,
    index: Uint8Array,
    rowCount: number,
    groups: number,
    columns: readonly number[],
    kinds: Uint8Array,
    dictSizes: readonly number[],
    outputs: readonly Buffer[],
    threads: number,
  ): Promise<void>;
  /** Resolves to the CRC32 of `covered` after inflating the metadata LZ4 block `wrapped` into `metaOut`. */
  volumeCrcAndMetadataAsync(covered: Uint8Array, wrapped: Uint8Array, metaOut: Buffer, threads: number): Promise<number>;
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
  volumeZeroNullRows(nulls: Uint8Array, values: Buffer, width: number): void;
  volumeNormalizeBooleans(src: Uint8Array, dst: Buffer): void;
  /** Returns the count of newly numbered batch ids (listed in `newIds`), or −(row + 1) for an id out of range. */
  volumeRemapDictionaryIds(ids: Uint8Array, nulls: Uint8Array, remap: Buffer, nextId: number, out: Buffer, newIds: Buffer): number;
  volumeNormalizeBooleansInPlace(values: Buffer): void;
  volumeRemapDictionaryIdsInPlace(ids: Buffer, nulls: Uint8Array, remap: Buffer, nextId: number, newIds: Buffer): number;
  volumeSummarizeDictionary(nulls: Uint8Array, ids: Uint8Array, rank: Uint8Array, out: Buffer): void;
  volumeBloomAdd(tag: number, blob: Uint8Array, ends: Uint8Array, bloomBits: Buffer, bloomNumBits: number): void;
  volumeBloomMightContain(bloomBits: Uint8Array, bloomNumBits: number, tag: number, payload: Uint8Array): boolean;
  volumeFirstUnorderedI64(values: Uint8Array, strict: boolean): number;
  volumeCheckBlockIndex(index: Uint8Array, kinds: Uint8Array, rowCount: number, available: number): number;
  volumeCheckContainerAsync(file: Uint8Array): Promise<number>;
  /** Decompresses the first `out.length` bytes of the raw LZ4 block `src`; returns how many it wrote. */
  volumeLz4Prefix(src: Uint8Array, out: Buffer): number;
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
  // WAL
  walSealDrafts(buffer: Buffer, length: number): number;
  walSealDraftsAsync(buffer: Buffer, length: number): Promise<number>;
  /**
   * Lays out one Insert entry draft per row of a columnar batch at `out[at..]`; `header` holds
   * four LE 64-bit fields (first LSN, previous LSN, txn id, timestamp); `columns` three buffers
   * per column (NULL flags, values, offsets); rows `[firstRow, endRow)` are drafted, the first
   * with the first LSN. Returns bytes written, or −(bytes needed).
   */
  walDraftRows(
    out: Buffer,
    at: number,
    header: Uint8Array,
    tableName: Uint8Array,
    operation: number,
    rowIds: Uint8Array,
    kinds: Uint8Array,
    nullTypes: Uint8Array,
    columns: readonly Uint8Array[],
    firstRow: number,
    endRow: number,
  ): number;
  /**
   * `walDraftRows` into the start of `out`, then `walSealDrafts`, on the libuv pool. Resolves
   * to the sealed length, or −(draft bytes needed) when `out` is too small. Every buffer
   * passed must stay unchanged until the promise settles.
   */
  walDraftSealRowsAsync(
    out: Buffer,
    header: Uint8Array,
    tableName: Uint8Array,
    operation: number,
    rowIds: Uint8Array,
    kinds: Uint8Array,
    nullTypes: Uint8Array,
    columns: readonly Uint8Array[],
    firstRow: number,
    endRow: number,
  ): Promise<number>;
  readonly VALUE_TAG_NULL: number;
  readonly VALUE_TAG_BOOLEAN: number;
  readonly VALUE_TAG_INTEGER: number;
  readonly VALUE_TAG_FLOAT: number;
  readonly VALUE_TAG_TEXT: number;
  readonly VALUE_TAG_LEGACY_TIMESTAMP: number;
  readonly VALUE_TAG_JSON: number;
  readonly VALUE_TAG_TIMESTAMP: number;
  readonly VALUE_TAG_LEGACY_VECTOR: number;
  readonly VALUE_TAG_VECTOR: number;
  readonly VALUE_TAG_EXTENSION: number;
  readonly ROW_COLUMN_INT64: number;
  readonly ROW_COLUMN_FLOAT64: number;
  readonly ROW_COLUMN_TIMESTAMP_NANOS: number;
  readonly ROW_COLUMN_BOOLEAN: number;
  readonly ROW_COLUMN_TEXT: number;
  readonly ROW_COLUMN_JSON: number;
  readonly ROW_COLUMN_ENCODED: number;
  walScan(window: Uint8Array, baseOffset: number, isFinal: boolean, inDamage: boolean, index: Buffer): WalScanOutcome;
  walDecompressPayloads(window: Uint8Array, work: Uint8Array, slab: Buffer): void;
  tryLockFile(fd: number): boolean;
  unlockFile(fd: number): void;
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
