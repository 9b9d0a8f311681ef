/**
 * Options of `Store.open`, with stoolap's defaults (spec §9) where stoolap has one.
 */
import { PermafrostError } from '../errors';
import type { PersistenceOptions } from '../persistence/persistence-options';

export interface StoreOptions extends Omit<PersistenceOptions, 'checkpointIntervalMs' | 'keepSnapshots'> {
  /**
   * How often a checkpoint seals committed rows into volumes and truncates the WAL, in
   * milliseconds; 0 turns the periodic checkpoint off (`checkpoint()` still works).
   * @default 60000
   */
  readonly checkpointIntervalMs?: number;
  /** Rows per sealed volume, rounded down to a multiple of 65,536. @default 1048576 */
  readonly rowsPerVolume?: number;
  /** LZ4-compress volume blocks (each kept only when smaller). @default true */
  readonly compressVolumes?: boolean;
  /** Run a final checkpoint in `close()`, sealing every committed row. @default true */
  readonly checkpointOnClose?: boolean;
}

export interface ResolvedStoreOptions {
  readonly checkpointIntervalMs: number;
  readonly rowsPerVolume: number;
  readonly compressVolumes: boolean;
  readonly checkpointOnClose: boolean;
}

function whole(value: number | undefined, name: string, fallback: number, minimum: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < minimum) {
    throw new PermafrostError('ERR_INVALID_ARGUMENT', `${name} must be an integer ≥ ${minimum}, got ${String(value)}`);
  }
  return value;
}

export function resolveStoreOptions(options: StoreOptions): ResolvedStoreOptions {
  return {
    checkpointIntervalMs: whole(options.checkpointIntervalMs, 'checkpointIntervalMs', 60_000, 0),
    rowsPerVolume: whole(options.rowsPerVolume, 'rowsPerVolume', 1_048_576, 65_536),
    compressVolumes: options.compressVolumes ?? true,
    checkpointOnClose: options.checkpointOnClose ?? true,
  };
}
