/**
 * Parent side of the crash tests: spawns the crash child, feeds its stdout into a CrashModel,
 * kills it (or lets a crash point kill it), then reopens the directory and judges it.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Store } from '../../../ts/index';
import { decodeTableManifest, MANIFEST_FILE_NAME } from '../../../ts/manifest/table-manifest';
import { decodeCheckpointMeta } from '../../../ts/wal/checkpoint-meta';
import { CHECKPOINT_META_NAME, isWalFileName, walFileLsn } from '../../../ts/wal/wal-file-names';
import type { ChildConfig } from './crash-child';
import { type CrashModel, judge, LEDGER, NOTES, rowFor, type Line, type Op } from './crash-workload';
export { prng } from '../../helpers/prng';

const ROOT = resolve(__dirname, '..', '..', '..');
const CHILD = join(__dirname, 'crash-child.ts');

/** Runs at most `limit` tasks at a time (children share two cores with everything else). */
export function limiter(limit: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: Array<() => void> = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (active >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    active += 1;
    try {
      return await task();
    } finally {
      active -= 1;
      waiting.shift()?.();
    }
  };
}

export interface ChildRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stderr: string;
  /** True when the parent sent the SIGKILL (black-box runs). */
  readonly killedByParent: boolean;
}

export interface RunOptions {
  /** PERMAFROST_CRASH_AT for the child. */
  readonly crashAt?: string;
  /** SIGKILL the child this many milliseconds after it reports that load started. */
  readonly killAfterMs?: number;
}

/** Runs the child on `dir`, feeding every line it prints into `model`. */
export function runChild(dir: string, config: ChildConfig, model: CrashModel, options: RunOptions = {}): Promise<ChildRun> {
  return new Promise((resolvePromise, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env['PERMAFROST_CRASH_AT'];
    if (options.crashAt !== undefined) env['PERMAFROST_CRASH_AT'] = options.crashAt;
    const child = spawn(process.execPath, ['--import=tsx', CHILD, dir, JSON.stringify(config)], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let killedByParent = false;
    let timer: NodeJS.Timeout | undefined;
    let buffered = '';
    let stderr = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      buffered += chunk;
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const text = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        const line = JSON.parse(text) as Line;
        model.feed(line);
        if (line.k === 'R' && options.killAfterMs !== undefined) {
          timer = setTimeout(() => {
            killedByParent = true;
            child.kill('SIGKILL');
          }, options.killAfterMs);
        }
      }
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (timer !== undefined) clearTimeout(timer);
      // A partial last line is a line whose write the kill interrupted: it was never printed.
      resolvePromise({ code, signal, stderr, killedByParent });
    });
  });
}

export const STORE_OPTIONS = { checkpointIntervalMs: 0, checkpointOnClose: false } as const;

/** Files under `dir` whose name says they are temporary. */
export function leftoverTemps(dir: string): string[] {
  const found: string[] = [];
  const visit = (path: string): void => {
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      const full = join(path, entry.name);
      if (entry.isDirectory()) visit(full);
      else if (/\.tmp$|^wal-temp-|\.bak$/.test(entry.name)) found.push(full);
    }
  };
  if (existsSync(dir)) visit(dir);
  return found;
}

/** Volume files that no manifest lists (after a successful open there must be none). */
export function unlistedVolumes(dir: string): string[] {
  const volumesDir = join(dir, 'volumes');
  if (!existsSync(volumesDir)) return [];
  const found: string[] = [];
  for (const entry of readdirSync(volumesDir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const tableDir = join(volumesDir, entry.name);
    const manifestPath = join(tableDir, MANIFEST_FILE_NAME);
    const listed = existsSync(manifestPath) ? new Set(decodeTableManifest(readFileSync(manifestPath), manifestPath).segments.map((s) => s.segmentId)) : new Set<bigint>();
    for (const file of readdirSync(tableDir)) {
      const match = /^vol_([0-9a-f]{16})\.vol$/.exec(file);
      if (match && !listed.has(BigInt(`0x${match[1]}`))) found.push(join(tableDir, file));
    }
  }
  return found;
}

export interface ReplayStarts {
  /** Checkpoint LSN of every manifest on disk, by table directory. */
  readonly manifests: Record<string, bigint>;
  readonly checkpointMeta: bigint | undefined;
  /** LSN in the name of the oldest WAL file (entries after it are all the WAL still holds). */
  readonly walStart: bigint;
  /** Where permafrost starts replay: the smallest non-zero manifest LSN, else 0. */
  readonly ours: bigint;
  /** Where stoolap 0.4.0 starts: the same, except that "all zero" means checkpoint.meta's LSN (spec §8.4, §11 item 4). */
  readonly stoolap: bigint;
}

/** Reads the replay start each implementation would use for the (crashed) directory `dir`. */
export function replayStarts(dir: string): ReplayStarts {
  const manifests: Record<string, bigint> = {};
  const volumesDir = join(dir, 'volumes');
  if (existsSync(volumesDir)) {
    for (const entry of readdirSync(volumesDir, { withFileTypes: true })) {
      const path = join(volumesDir, entry.name, MANIFEST_FILE_NAME);
      if (entry.isDirectory() && existsSync(path)) manifests[entry.name] = decodeTableManifest(readFileSync(path), path).checkpointLsn;
    }
  }
  const metaPath = join(dir, 'wal', CHECKPOINT_META_NAME);
  const checkpointMeta = existsSync(metaPath) ? decodeCheckpointMeta(readFileSync(metaPath)).lsn : undefined;
  const walNames = readdirSync(join(dir, 'wal')).filter(isWalFileName);
  const walStart = walNames.length === 0 ? 0n : walNames.map(walFileLsn).reduce((a, b) => (a < b ? a : b));
  const nonZero = Object.values(manifests).filter((lsn) => lsn > 0n);
  const ours = nonZero.length === 0 ? 0n : nonZero.reduce((a, b) => (a < b ? a : b));
  const anyManifest = Object.keys(manifests).length > 0;
  const stoolap = nonZero.length > 0 ? ours : anyManifest ? (checkpointMeta ?? 0n) : 0n;
  return { manifests, checkpointMeta, walStart, ours, stoolap };
}

export interface Recovered {
  readonly store: Store;
  /** Contradictions between the reopened store and the model (empty = right). */
  readonly problems: string[];
  /** In-flight transactions found applied. */
  readonly applied: number;
  readonly inFlight: number;
}

/**
 * Opens the crashed `dir`, judges it against `model` (crash-workload.ts `judge`), checks that
 * recovery left no temporary file and no unlisted volume, and folds the in-flight transactions
 * that made it into the model. The caller closes the returned store.
 */
export async function recoverAndJudge(dir: string, model: CrashModel): Promise<Recovered> {
  const store = await Store.open(dir, STORE_OPTIONS);
  const verdict = judge(store, model);
  const problems = [...verdict.problems];
  for (const file of leftoverTemps(dir)) problems.push(`temporary file left after open: ${file}`);
  for (const file of unlistedVolumes(dir)) problems.push(`volume no manifest lists, left after open: ${file}`);
  const inFlight = model.inFlight.length;
  model.settle(verdict.applied);
  return { store, problems, applied: verdict.applied.length, inFlight };
}

let livenessCounter = 0;

/**
 * Liveness after recovery: one more transaction (insert, update, delete) committed by the
 * parent on the recovered store, then a close (after a checkpoint, or straight away), a
 * reopen and a judgement that must find everything — the recovered state and the new commit.
 */
export async function checkLiveness(dir: string, store: Store, model: CrashModel, checkpointFirst: boolean): Promise<string[]> {
  livenessCounter += 1;
  const version = 900_000 + livenessCounter;
  const ops: Op[] = [[LEDGER, 'i', -livenessCounter, version]];
  const notes = [...model.state.get(NOTES)!.keys()].filter((id) => id > 0);
  if (notes.length > 0) ops.push([NOTES, 'u', notes[livenessCounter % notes.length]!, version]);
  const ledger = [...model.state.get(LEDGER)!.keys()].filter((id) => id > 0);
  if (ledger.length > 0) ops.push([LEDGER, 'd', ledger[(livenessCounter * 7) % ledger.length]!, 0]);
  await store.transaction((txn) => {
    for (const [table, kind, id, v] of ops) {
      if (kind === 'i') txn.insert(table, rowFor(table, id, v));
      else if (kind === 'u') txn.update(table, id, rowFor(table, id, v));
      else txn.delete(table, id);
    }
  });
  model.apply(ops);
  if (checkpointFirst) await store.checkpoint();
  await store.close();
  const again = await Store.open(dir, STORE_OPTIONS);
  try {
    return judge(again, model).problems.map((problem) => `after a liveness commit and a reopen: ${problem}`);
  } finally {
    await again.close();
  }
}
