/**
 * Options of `PersistenceManager.open`, their defaults (stoolap's, spec §9) and validation.
 */
import { PermafrostError } from '../errors';
import { type FileSystem, nodeFileSystem } from '../io/file-system';
import type { SyncMode } from '../wal/wal-manager';

export interface PersistenceOptions {
  /** `false` opens memory-only: every call succeeds and nothing touches the disk. @default true */
  readonly persistence?: boolean;
  /**
   * How durable a commit is when its promise resolves (README "Sync modes"):
   * `'none'` — written to the OS (an application crash loses nothing acknowledged; a power
   * cut can lose everything since the last checkpoint, rotation or close);
   * `'normal'` — written to the OS, fsynced within `syncIntervalMs` (a power cut loses at most
   * the commits of the last `syncIntervalMs`); DDL is fsynced before it resolves;
   * `'full'` — fdatasynced (nothing acknowledged is lost, even by a power cut).
   * @default 'normal'
   */
  readonly syncMode?: SyncMode;
  /** `'normal'` mode: longest time an acknowledged commit waits for its fsync. @default 1000 */
  readonly syncIntervalMs?: number;
  /** How often the engine should run a checkpoint; 0 means the default. @default 60000 */
  readonly checkpointIntervalMs?: number;
  /** Backup snapshots to keep; 0 means the default. @default 3 */
  readonly keepSnapshots?: number;
  /** A WAL file is rotated once it holds this many bytes. @default 67108864 (64 MiB) */
  readonly walMaxFileBytes?: number;
  /** Staged WAL bytes that trigger a write even without a commit. @default 32768 */
  readonly walFlushTriggerBytes?: number;
  /**
   * What to do about WAL damage that is not a torn tail: `'report'` skips the damaged bytes,
   * drops the transactions they touch and reports both (`recoveryReport`, and a process
   * warning); `'throw'` refuses to open with `ERR_CORRUPT` / `ERR_CHECKSUM` naming file and offset.
   * @default 'report'
   */
  readonly onCorruption?: 'report' | 'throw';
  /** The file system to use (tests inject faults through it). @default node:fs */
  readonly fileSystem?: FileSystem;
  /** Wall clock in nanoseconds since the epoch (entry timestamps, file names). @default the system clock */
  readonly clock?: () => bigint;
}

export interface ResolvedOptions {
  readonly persistence: boolean;
  readonly syncMode: SyncMode;
  readonly syncIntervalMs: number;
  readonly checkpointIntervalMs: number;
  readonly keepSnapshots: number;
  readonly maxFileBytes: number;
  readonly flushTriggerBytes: number;
  readonly onCorruption: 'report' | 'throw';
  readonly fileSystem: FileSystem;
  readonly clock: () => bigint;
}

let cachedMillis = -1;
let cachedNanos = 0n;

/**
 * The system clock in nanoseconds since the epoch, at millisecond resolution (entry
 * timestamps are informational; reading the clock must stay cheap on the append path).
 */
export function systemClockNanos(): bigint {
  const millis = Date.now();
  if (millis !== cachedMillis) {
    cachedMillis = millis;
    cachedNanos = BigInt(millis) * 1_000_000n;
  }
  return cachedNanos;
}

function count(value: number | undefined, name: string, fallback: number, minimum: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < minimum) {
    throw new PermafrostError('ERR_INVALID_ARGUMENT', `${name} must be an integer ≥ ${minimum}, got ${String(value)}`);
  }
  return value;
}

/** Checks `options` and fills in the defaults. */
export function resolveOptions(options: PersistenceOptions): ResolvedOptions {
  const syncMode = options.syncMode ?? 'normal';
  if (syncMode !== 'none' && syncMode !== 'normal' && syncMode !== 'full') {
    throw new PermafrostError('ERR_INVALID_ARGUMENT', `syncMode must be 'none', 'normal' or 'full', got ${String(syncMode)}`);
  }
  const onCorruption = options.onCorruption ?? 'report';
  if (onCorruption !== 'report' && onCorruption !== 'throw') {
    throw new PermafrostError('ERR_INVALID_ARGUMENT', `onCorruption must be 'report' or 'throw', got ${String(onCorruption)}`);
  }
  return {
    persistence: options.persistence ?? true,
    syncMode,
    syncIntervalMs: count(options.syncIntervalMs, 'syncIntervalMs', 1000, 0),
    checkpointIntervalMs: count(options.checkpointIntervalMs, 'checkpointIntervalMs', 0, 0) || 60_000,
    keepSnapshots: count(options.keepSnapshots, 'keepSnapshots', 0, 0) || 3,
    maxFileBytes: count(options.walMaxFileBytes, 'walMaxFileBytes', 64 << 20, 1),
    flushTriggerBytes: count(options.walFlushTriggerBytes, 'walFlushTriggerBytes', 32 << 10, 1),
    onCorruption,
    fileSystem: options.fileSystem ?? nodeFileSystem,
    clock: options.clock ?? systemClockNanos,
  };
}
