/**
 * Reading WAL files for inspection (the CLI, tests, tools): every entry with its payload, or
 * a strict pass that turns the first problem into an error with its code, file and offset.
 * Recovery does not use this module; it uses `wal-analysis.ts` and `replay.ts`.
 */
import { join } from 'node:path';
import { PermafrostError } from '../errors';
import type { FileSystem } from '../io/file-system';
import { BatchPayloads } from './payloads';
import { readCheckpointMeta, analyzeWalFiles } from './recovery';
import type { ScanBatch } from './scan-batch';
import { WalAnalyzer } from './wal-analysis';
import { damageError, type WalDamage } from './wal-damage';
import { WalEntry } from './wal-entry';
import { compareWalFileNames, isBackupFileName, isTempFileName, isWalFileName, walFileLsn } from './wal-file-names';
import { scanWalBytes, scanWalFile } from './wal-scanner';

/** Every entry of `batch`, with decompressed payloads. */
export function entriesOf(batch: ScanBatch, file: string): WalEntry[] {
  const indices = new Int32Array(batch.count);
  let count = 0;
  for (let i = 0; i < batch.count; i += 1) if (batch.isEntry(i)) indices[count++] = i;
  const payloads = new BatchPayloads(batch, indices, count, file);
  return Array.from({ length: count }, (_, k) => new WalEntry(batch, indices[k]!, file, payloads, k));
}

/**
 * Decodes the WAL entries in `bytes` (one whole file) strictly: the first damaged byte, bad
 * field or LSN that does not increase throws a `PermafrostError` with its code and offset.
 */
export function decodeWalEntries(bytes: Uint8Array, file = '<bytes>'): WalEntry[] {
  const batches = scanWalBytes(bytes);
  const analyzer = new WalAnalyzer({ oldestRetainedLsn: 0n });
  analyzer.beginFile({ name: file, sizeBytes: bytes.length }, false);
  for (const batch of batches) analyzer.addBatch(batch);
  analyzer.endFile();
  const damage = analyzer.finish().damage[0];
  if (damage !== undefined) throw damageError(damage);
  return batches.flatMap((batch) => entriesOf(batch, file));
}

/** One item of a file dump: an entry, or a damaged region. */
export type WalRecord = { readonly kind: 'entry'; readonly entry: WalEntry } | { readonly kind: 'damage'; readonly damage: WalDamage };

/** Every entry and damaged region of the WAL file at `path`, in file order. */
export async function* readWalRecords(fileSystem: FileSystem, path: string, name = path): AsyncGenerator<WalRecord> {
  const analyzer = new WalAnalyzer({ oldestRetainedLsn: 0n });
  const fd = await fileSystem.open(path, 'r');
  const size = await fileSystem.sizeOf(fd).finally(() => fileSystem.close(fd));
  const batches: ScanBatch[] = [];
  for await (const batch of scanWalFile(fileSystem, path, { sizeBytes: size })) batches.push(batch);
  analyzer.beginFile({ name, sizeBytes: size }, false);
  for (const batch of batches) analyzer.addBatch(batch);
  analyzer.endFile();
  const damage = [...analyzer.finish().damage];
  for (const batch of batches) {
    for (const entry of entriesOf(batch, name)) {
      while (damage.length > 0 && damage[0]!.offset < entry.offset) yield { kind: 'damage', damage: damage.shift()! };
      yield { kind: 'entry', entry };
    }
  }
  for (const region of damage) yield { kind: 'damage', damage: region };
}

/** What `verifyWalDirectory` checked. */
export interface WalVerifyReport {
  readonly files: readonly string[];
  readonly entries: number;
  /** Every problem found, in file order; empty when the WAL is clean. */
  readonly problems: readonly PermafrostError[];
  /** The problems the next open repairs by itself: a torn tail (cut) and truncation leftovers. */
  readonly repairable: ReadonlySet<PermafrostError>;
  /** The highest LSN the WAL accounts for: its last valid entry's, or a file name's when higher (0n when empty). */
  readonly lastLsn: bigint;
  /** checkpoint.meta's LSN, when the file exists and reads. */
  readonly checkpointLsn: bigint | undefined;
}

/**
 * Checks every WAL file of `walDir` (every CRC, header checksum, field and LSN), the
 * checkpoint metadata and leftovers of an interrupted truncation. Changes nothing; the torn
 * tail a crash leaves counts as a problem here (the next open cuts it).
 */
export async function verifyWalDirectory(fileSystem: FileSystem, walDir: string): Promise<WalVerifyReport> {
  const names = await fileSystem.readdir(walDir);
  const problems: PermafrostError[] = [];
  const meta = await readCheckpointMeta(fileSystem, walDir);
  if (meta.error !== undefined) problems.push(meta.error);
  const files = names.filter(isWalFileName).sort(compareWalFileNames);
  const analysis = await analyzeWalFiles(fileSystem, walDir, files);
  const repairable = new Set<PermafrostError>();
  for (const region of analysis.damage) {
    const problem = damageError({ ...region, file: join(walDir, region.file) });
    problems.push(problem);
    if (region.atTail) repairable.add(problem);
  }
  for (const name of names.filter((n) => isTempFileName(n) || isBackupFileName(n))) {
    const problem = new PermafrostError('ERR_CORRUPT', 'leftover of an interrupted truncation (repaired at the next open)', { file: join(walDir, name) });
    problems.push(problem);
    repairable.add(problem);
  }
  const entries = analysis.files.reduce((sum, file) => sum + file.entryCount, 0);
  const lastLsn = files.reduce((last, name) => (walFileLsn(name) > last ? walFileLsn(name) : last), analysis.lastLsn);
  return { files, entries, problems, repairable, lastLsn, checkpointLsn: meta.meta?.lsn };
}
