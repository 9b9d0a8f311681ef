/**
 * Names of the files in `<dir>/wal/` (spec §2.1) and their order.
 *
 * | pattern                                        | created by            | `<N>` means |
 * |------------------------------------------------|-----------------------|-------------|
 * | `wal-<YYYYMMDD>-<HHMMSS>-lsn-0.log`            | first open            | 0 |
 * | `wal-<YYYYMMDD>-<HHMMSS>-lsn-<N>.log`          | truncation            | the truncation point; entries have LSN > N |
 * | `wal_<SEQ:08>-<YYYYMMDD>-<HHMMSS>-lsn-<N>.log` | rotation              | the last LSN before rotating; entries have LSN > N |
 * | `wal-temp-<nanos>.log`                         | truncation (transient) | — |
 * | `<wal file>.bak`                               | truncation (transient) | — |
 * | `checkpoint.meta`, `checkpoint.meta.<nanos>.tmp` | checkpoints         | — |
 *
 * Times are UTC. Files are ordered by `<N>`; stoolap leaves ties in directory order, we break
 * them deterministically (fresh/truncated before rotated, then by sequence, then by name).
 * stoolap cannot parse `<SEQ>` back from a rotated name and restarts it at 1 (§11 item 18);
 * we continue after the largest sequence present, so rotated names never repeat.
 */

/** Prefix of transient truncation copies. */
export const TEMP_PREFIX = 'wal-temp-';
/** Suffix of the backup a truncation keeps until it completes. */
export const BACKUP_SUFFIX = '.bak';
export const CHECKPOINT_META_NAME = 'checkpoint.meta';
const LSN_PATTERN = /lsn-(\d+)\./;
const ROTATED_PATTERN = /^wal_(\d+)-/;

/** True for WAL segment names (`wal-*.log`, `wal_*.log`), excluding truncation temp files. */
export function isWalFileName(name: string): boolean {
  return (name.startsWith('wal-') || name.startsWith('wal_')) && name.endsWith('.log') && !name.startsWith(TEMP_PREFIX);
}

export function isTempFileName(name: string): boolean {
  return name.startsWith(TEMP_PREFIX) && name.endsWith('.log');
}

/** True for `<wal file>.bak`; the original name is the name without the suffix. */
export function isBackupFileName(name: string): boolean {
  return name.endsWith(`.log${BACKUP_SUFFIX}`) && isWalFileName(name.slice(0, -BACKUP_SUFFIX.length));
}

/** The `<N>` of a WAL name: the integer after the first `lsn-` up to the next `.` (0 if none). */
export function walFileLsn(name: string): bigint {
  const match = LSN_PATTERN.exec(name);
  return match ? BigInt(match[1]!) : 0n;
}

/** The rotation sequence of a `wal_<SEQ>-...` name, or 0 for other names. */
export function rotationSequence(name: string): number {
  const match = ROTATED_PATTERN.exec(name);
  return match ? Number(match[1]) : 0;
}

/** Orders WAL names as readers must replay them. */
export function compareWalFileNames(a: string, b: string): number {
  const byLsn = walFileLsn(a) - walFileLsn(b);
  if (byLsn !== 0n) return byLsn < 0n ? -1 : 1;
  const rotatedA = a.startsWith('wal_') ? 1 : 0;
  const rotatedB = b.startsWith('wal_') ? 1 : 0;
  if (rotatedA !== rotatedB) return rotatedA - rotatedB;
  const bySequence = rotationSequence(a) - rotationSequence(b);
  if (bySequence !== 0) return bySequence;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** UTC `YYYYMMDD-HHMMSS` of a time in nanoseconds since the epoch. */
export function walTimestamp(nowNanos: bigint): string {
  const iso = new Date(Number(nowNanos / 1_000_000n)).toISOString();
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}-${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}`;
}

/** Name of a fresh (LSN 0) or truncated WAL file. */
export function plainWalFileName(nowNanos: bigint, lsn: bigint): string {
  return `wal-${walTimestamp(nowNanos)}-lsn-${lsn}.log`;
}

/** Name of a rotated WAL file. */
export function rotatedWalFileName(sequence: number, nowNanos: bigint, lsn: bigint): string {
  return `wal_${String(sequence).padStart(8, '0')}-${walTimestamp(nowNanos)}-lsn-${lsn}.log`;
}

export function tempWalFileName(nowNanos: bigint): string {
  return `${TEMP_PREFIX}${nowNanos}.log`;
}

export function checkpointTempName(nowNanos: bigint): string {
  return `${CHECKPOINT_META_NAME}.${nowNanos}.tmp`;
}

export function isCheckpointTempName(name: string): boolean {
  return name.startsWith(`${CHECKPOINT_META_NAME}.`) && name.endsWith('.tmp');
}
