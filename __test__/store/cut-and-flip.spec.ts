/**
 * Cut and flip the files of a small store (two tables, two checkpoints so each table has
 * volumes, tombstones in the manifests, a catalog, checkpoint.meta, and a WAL holding commits
 * made after the last checkpoint, with deletes), closed without a final checkpoint. Every
 * variant is opened on a fresh copy: it either opens with rows the model says were committed,
 * or refuses with a PermafrostError whose code says corruption and whose file is the damaged
 * one. Never wrong rows, never another kind of exception.
 *
 * Oracles per file:
 * - WAL cut at byte c: exactly the sealed rows plus the commits whose commit entry ends at or
 *   before c. A cut inside the schema the last checkpoint re-recorded (the WAL's first entries)
 *   must be refused: without it the sealed tables cannot be reached.
 * - WAL bit flip: the full state, or the full state without the one transaction the flip hit
 *   (reported in the recovery report), or a refusal.
 * - volume or manifest: any cut or flip is refused (both carry a whole-file CRC).
 * - volumes.catalog and checkpoint.meta: not needed to open in volume mode; every cut or flip
 *   opens with the full state.
 *
 * Sampling (fixed seed): the WAL, the manifests, volumes.catalog and checkpoint.meta are cut at
 * every byte offset (files over 4 KiB would be cut at every entry boundary ± 3 bytes plus 200
 * random offsets); each volume at its header, CRC and end ± 3 bytes plus 100 random offsets
 * (the volume reader's own tests cut and flip every byte of a volume in memory). Flips: one
 * bit of every byte (rotating with the offset) of the manifests, volumes.catalog,
 * checkpoint.meta and the WAL's re-recorded schema; 150 random ones in the rest of the WAL
 * and 100 in each volume.
 */
import test from 'ava';
import { cpSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { PermafrostError, Store, type ErrorCode } from '../../ts/index';
import { type FileSystem, nodeFileSystem } from '../../ts/io/file-system';
import { decodeWalEntries } from '../../ts/wal/wal-reader';
import { compareWalFileNames, isWalFileName } from '../../ts/wal/wal-file-names';
import { tempDir } from '../helpers/fixtures';
import { prng, STORE_OPTIONS } from './helpers/crash-harness';
import { CrashModel, judge, LEDGER, NOTES, rowFor, SCHEMAS, type Op } from './helpers/crash-workload';

process.emitWarning = () => undefined;

const SEED = 20_260_321;
const REFUSALS = new Set<ErrorCode>(['ERR_CORRUPT', 'ERR_CHECKSUM', 'ERR_TRUNCATED', 'ERR_NOT_FOUND', 'ERR_LIMIT', 'ERR_UNSUPPORTED_VERSION']);
/**
 * The volume reader decodes the metadata while it streams the file and checks the CRC at the
 * end, so a flip inside the metadata can surface as ERR_UNKNOWN_TAG (the volume layer's own
 * corruption tests accept it too): still a typed refusal naming the file.
 */
const VOLUME_REFUSALS = new Set<ErrorCode>([...REFUSALS, 'ERR_UNKNOWN_TAG']);
/**
 * These tests check what the open reads, not durability: the copies are opened through a file
 * system whose fsyncs return at once (hundreds of opens would otherwise wait on the disk).
 */
const NO_SYNC: FileSystem = { ...nodeFileSystem, fdatasync: async () => undefined, fsync: async () => undefined, fsyncDirectory: async () => undefined };
const SMALL_FILE = 4096;

interface WalCommit {
  readonly ops: readonly Op[];
  /** Offset just past the commit entry in the concatenated log. */
  readonly commitEnd: number;
}

interface Built {
  readonly pristine: string;
  /** Relative paths of the store's files by kind; WAL files in log order. */
  readonly walFiles: string[];
  /** Where each WAL file starts in the concatenated log. */
  readonly walStarts: number[];
  readonly walBytes: number;
  readonly volumes: string[];
  readonly manifests: string[];
  readonly catalog: string;
  readonly checkpointMeta: string;
  /** Operations sealed by the two checkpoints (in commit order). */
  readonly sealed: Op[][];
  /** Commits after the last checkpoint, in WAL order. */
  readonly walCommits: WalCommit[];
  /** Where the last re-recorded DDL commit entry ends in the log (inside the first file). */
  readonly schemaEnd: number;
}

const source = tempDir('permafrost-cut-flip-');
test.after.always(() => source.remove());

async function commit(store: Store, ops: Op[]): Promise<bigint> {
  const txn = store.begin();
  for (const [table, kind, id, version] of ops) {
    if (kind === 'i') txn.insert(table, rowFor(table, id, version));
    else if (kind === 'u') txn.update(table, id, rowFor(table, id, version));
    else txn.delete(table, id);
  }
  return txn.commit();
}

async function build(): Promise<Built> {
  const dir = join(source.path, 'db');
  // Small WAL files: the commits after the last checkpoint spread over several of them.
  const store = await Store.open(dir, { syncMode: 'full', walMaxFileBytes: 1200, ...STORE_OPTIONS });
  await store.createTable(SCHEMAS[LEDGER]);
  await store.createTable(SCHEMAS[NOTES]);
  let version = 1;
  const sealed: Op[][] = [];
  for (let t = 0; t < 4; t += 1) {
    const ops: Op[] = [];
    for (let i = 1; i <= 5; i += 1) {
      ops.push([LEDGER, 'i', t * 5 + i, version]);
      if (i % 2 === 1) ops.push([NOTES, 'i', t * 5 + i, version]);
    }
    await commit(store, ops);
    sealed.push(ops);
    version += 1;
  }
  await store.checkpoint();
  for (const ops of [
    [[LEDGER, 'u', 3, version], [LEDGER, 'd', 4, 0], [NOTES, 'd', 5, 0]],
    [[LEDGER, 'i', 31, version + 1], [NOTES, 'u', 8, version + 1]],
  ] as Op[][]) {
    await commit(store, ops);
    sealed.push(ops);
  }
  version += 2;
  await store.checkpoint();
  const lsns: bigint[] = [];
  const walOps: Op[][] = [];
  const plan: Op[][] = [
    [[LEDGER, 'i', 40, version]],
    [[LEDGER, 'u', 11, version + 1], [NOTES, 'i', 40, version + 1]],
    [[LEDGER, 'd', 20, 0], [LEDGER, 'd', 40, 0]], // a cold row and a hot one
    [[LEDGER, 'i', 4, version + 3]], // re-insert of a row deleted (tombstoned) before the checkpoint
    [[NOTES, 'd', 1, 0], [NOTES, 'u', 10, version + 4], [LEDGER, 'u', 31, version + 4]],
    [[LEDGER, 'i', 20, version + 5], [NOTES, 'i', 5, version + 5]], // re-inserts of rows deleted just above / before
    [[LEDGER, 'u', 4, version + 6]],
    [[LEDGER, 'd', 3, 0], [LEDGER, 'i', 41, version + 7]],
  ];
  for (const ops of plan) {
    lsns.push(await commit(store, ops));
    walOps.push(ops);
  }
  await store.close();

  const walDir = join(dir, 'wal');
  const walFiles = readdirSync(walDir).filter(isWalFileName).sort(compareWalFileNames).map((name) => join('wal', name));
  if (walFiles.length < 2) throw new Error(`expected the WAL to rotate after the checkpoint, found ${walFiles.join(', ')}`);
  const walStarts: number[] = [];
  let walBytes = 0;
  const entries = walFiles.flatMap((file) => {
    const bytes = readFileSync(join(dir, file));
    const start = walBytes;
    walStarts.push(start);
    walBytes += bytes.length;
    return decodeWalEntries(bytes, file).map((e) => ({ lsn: e.lsn, txnId: e.txnId, isCommit: e.isCommitMarker, start: start + e.offset, end: start + e.offset + e.sizeBytes }));
  });
  const endOf = (lsn: bigint): number => {
    const entry = entries.find((e) => e.lsn === lsn && e.isCommit);
    if (entry === undefined) throw new Error(`no commit entry with LSN ${lsn}`);
    return entry.end;
  };
  const firstDml = entries.findIndex((e) => e.txnId > 0n);
  const schemaEnd = entries[firstDml - 1]!.end;
  if (schemaEnd > walStarts[1]!) throw new Error('the re-recorded schema should lie in the first WAL file');
  const files: string[] = [];
  const walk = (path: string): void => {
    for (const name of readdirSync(path)) {
      const full = join(path, name);
      if (statSync(full).isDirectory()) walk(full);
      else files.push(relative(dir, full));
    }
  };
  walk(dir);
  return {
    pristine: dir,
    walFiles,
    walStarts,
    walBytes,
    volumes: files.filter((f) => f.endsWith('.vol')).sort(),
    manifests: files.filter((f) => f.endsWith('manifest.bin')).sort(),
    catalog: files.find((f) => f.endsWith('volumes.catalog'))!,
    checkpointMeta: files.find((f) => f.endsWith('checkpoint.meta'))!,
    sealed,
    walCommits: walOps.map((ops, i) => ({ ops, commitEnd: endOf(lsns[i]!) })),
    schemaEnd,
  };
}

let building: Promise<Built> | undefined;
const built = (): Promise<Built> => (building ??= build());

function modelOf(commits: readonly (readonly Op[])[]): CrashModel {
  const model = new CrashModel();
  model.feed({ k: 'D', table: LEDGER });
  model.feed({ k: 'D', table: NOTES });
  for (const ops of commits) model.apply(ops);
  return model;
}

type Outcome = { readonly kind: 'opened'; readonly store: Store } | { readonly kind: 'refused'; readonly error: PermafrostError };

/** Every file under `dir` but the lock, with its size: what an open must leave as it was. */
function listing(dir: string): string {
  const out: string[] = [];
  const walk = (path: string): void => {
    for (const name of readdirSync(path).sort()) {
      const full = join(path, name);
      const stat = statSync(full);
      if (stat.isDirectory()) walk(full);
      else if (name !== 'db.lock') out.push(`${relative(dir, full)}:${stat.size}`);
    }
  };
  walk(dir);
  return out.join('\n');
}

/**
 * A working copy of the pristine store. `variant` replaces one file, opens the store, hands the
 * outcome to `check` (which returns problems), closes, and puts the file back; a
 * non-Permafrost exception is a problem. If an open changed any other file, the copy is
 * rebuilt from the pristine one.
 */
class Workbench {
  readonly #built: Built;
  readonly #work = tempDir('permafrost-variant-');
  readonly #dir: string;
  readonly #listing: string;

  constructor(built: Built) {
    this.#built = built;
    this.#dir = join(this.#work.path, 'db');
    cpSync(built.pristine, this.#dir, { recursive: true });
    this.#listing = listing(this.#dir);
  }

  /** `variant` with one file replaced. */
  variant(file: string, bytes: Uint8Array, check: (outcome: Outcome) => string[]): Promise<string[]> {
    return this.variants(new Map([[file, bytes]]), check);
  }

  /** Files replaced by new bytes, or deleted (null), then opened and checked. */
  async variants(changes: ReadonlyMap<string, Uint8Array | null>, check: (outcome: Outcome) => string[]): Promise<string[]> {
    for (const [file, bytes] of changes) {
      if (bytes === null) rmSync(join(this.#dir, file));
      else writeFileSync(join(this.#dir, file), bytes);
    }
    try {
      let store: Store;
      try {
        store = await Store.open(this.#dir, { ...STORE_OPTIONS, fileSystem: NO_SYNC });
      } catch (error) {
        if (!(error instanceof PermafrostError)) return [`not a PermafrostError: ${String(error)}`];
        return check({ kind: 'refused', error });
      }
      try {
        return check({ kind: 'opened', store });
      } catch (error) {
        return [`reading the opened store threw ${String(error)}`];
      } finally {
        await store.close();
      }
    } finally {
      for (const file of changes.keys()) cpSync(join(this.#built.pristine, file), join(this.#dir, file));
      if (listing(this.#dir) !== this.#listing) {
        rmSync(this.#dir, { recursive: true, force: true });
        cpSync(this.#built.pristine, this.#dir, { recursive: true });
      }
    }
  }

  remove(): void {
    this.#work.remove();
  }
}

/** A refusal that names `file` with a corruption code. */
function refusalProblems(error: PermafrostError, file: string, codes = REFUSALS): string[] {
  const problems: string[] = [];
  if (!codes.has(error.code)) problems.push(`refused with ${error.code}: ${error.message}`);
  const named = error.file !== undefined && error.file.endsWith(file);
  if (!named && !error.message.includes(file)) problems.push(`refusal does not name ${file}: ${error.message}`);
  return problems;
}

/** Every byte offset up to SMALL_FILE bytes; beyond, each boundary ± 3 plus `extra` random offsets. */
function cutOffsets(size: number, boundaries: readonly number[], random: () => number, extra: number): number[] {
  if (size <= SMALL_FILE) return Array.from({ length: size }, (_, i) => i);
  return sampleOffsets(size, boundaries, random, extra);
}

function sampleOffsets(size: number, boundaries: readonly number[], random: () => number, extra: number): number[] {
  const offsets = new Set<number>();
  for (const boundary of boundaries) for (let d = -3; d <= 3; d += 1) if (boundary + d >= 0 && boundary + d < size) offsets.add(boundary + d);
  for (let i = 0; i < extra; i += 1) offsets.add(Math.floor(random() * size));
  return [...offsets].sort((a, b) => a - b);
}

/** One flip in every byte (the bit rotates with the offset). */
function everyByte(size: number): Array<[number, number]> {
  return Array.from({ length: size }, (_, i) => [i, (i * 5 + 3) % 8]);
}

function randomFlips(size: number, random: () => number, samples: number): Array<[number, number]> {
  return Array.from({ length: samples }, () => [Math.floor(random() * size), Math.floor(random() * 8)]);
}

function flipped(original: Buffer, byte: number, bit: number): Buffer {
  const copy = Buffer.from(original);
  copy[byte]! ^= 1 << bit;
  return copy;
}

/** The log cut at byte `cut` of its concatenation: the file holding the cut is truncated there, later files are gone. */
function cutLog(b: Built, originals: readonly Buffer[], cut: number): Map<string, Uint8Array | null> {
  const changes = new Map<string, Uint8Array | null>();
  b.walFiles.forEach((file, i) => {
    const start = b.walStarts[i]!;
    if (cut >= start + originals[i]!.length) return;
    changes.set(file, i > 0 && cut < start ? null : originals[i]!.subarray(0, cut - start));
  });
  return changes;
}

/** The log with one bit flipped at byte `at` of its concatenation. */
function flipLog(b: Built, originals: readonly Buffer[], at: number, bit: number): Map<string, Uint8Array> {
  let i = 0;
  while (i + 1 < b.walStarts.length && b.walStarts[i + 1]! <= at) i += 1;
  return new Map([[b.walFiles[i]!, flipped(originals[i]!, at - b.walStarts[i]!, bit)]]);
}

test('a WAL cut at any byte opens with exactly the commits whose commit entry lies before the cut, and refuses a cut into the re-recorded schema', async (t) => {
  const b = await built();
  const bench = new Workbench(b);
  t.teardown(() => bench.remove());
  const originals = b.walFiles.map((file) => readFileSync(join(b.pristine, file)));
  const boundaries = b.walCommits.map((c) => c.commitEnd).concat(b.walStarts, [b.schemaEnd]);
  const offsets = cutOffsets(b.walBytes + 1, boundaries, prng(SEED), 200);
  const failures: string[] = [];
  let opened = 0;
  let refused = 0;
  for (const cut of offsets) {
    const expected = modelOf([...b.sealed, ...b.walCommits.filter((c) => c.commitEnd <= cut).map((c) => c.ops)]);
    const problems = await bench.variants(cutLog(b, originals, cut), (outcome) => {
      if (outcome.kind === 'refused') {
        refused += 1;
        if (cut >= b.schemaEnd) return [`refused a cut after the schema: ${outcome.error.message}`];
        return refusalProblems(outcome.error, b.walFiles[0]!);
      }
      opened += 1;
      if (cut < b.schemaEnd) return ['opened although the schema of its sealed tables was cut off'];
      return judge(outcome.store, expected).problems;
    });
    for (const problem of problems) failures.push(`cut at ${cut} of ${b.walBytes}: ${problem}`);
  }
  t.deepEqual(failures.slice(0, 10), [], `${failures.length} failures`);
  t.log(`${offsets.length} cuts of a ${b.walBytes}-byte log in ${b.walFiles.length} files: ${opened} opened, ${refused} refused`);
});

test('a bit flip in the WAL loses at most the transaction it hit, says so, and never returns a wrong row', async (t) => {
  const b = await built();
  const bench = new Workbench(b);
  t.teardown(() => bench.remove());
  const originals = b.walFiles.map((file) => readFileSync(join(b.pristine, file)));
  const full = modelOf([...b.sealed, ...b.walCommits.map((c) => c.ops)]);
  const withoutOne = b.walCommits.map((_, skip) => modelOf([...b.sealed, ...b.walCommits.filter((__, i) => i !== skip).map((c) => c.ops)]));
  const random = prng(SEED + 1);
  // Every byte of the re-recorded schema, then a random sample of the rest.
  const positions: Array<[number, number]> = [];
  for (let byte = 0; byte < b.schemaEnd; byte += 1) positions.push([byte, (byte * 3) % 8]);
  for (let i = 0; i < 200; i += 1) positions.push([b.schemaEnd + Math.floor(random() * (b.walBytes - b.schemaEnd)), Math.floor(random() * 8)]);
  const failures: string[] = [];
  let exact = 0;
  let lostOne = 0;
  let refused = 0;
  for (const [byte, bit] of positions) {
    const changes = flipLog(b, originals, byte, bit);
    const problems = await bench.variants(changes, (outcome) => {
      if (outcome.kind === 'refused') {
        refused += 1;
        return refusalProblems(outcome.error, b.walFiles[0]!);
      }
      if (judge(outcome.store, full).problems.length === 0) {
        exact += 1;
        return [];
      }
      if (withoutOne.some((model) => judge(outcome.store, model).problems.length === 0)) {
        lostOne += 1;
        const report = outcome.store.walRecovery;
        if (report.tornTail === undefined && report.corruption.length === 0 && report.droppedTransactions.length === 0) return ['lost a transaction without reporting damage'];
        return [];
      }
      return judge(outcome.store, full).problems.slice(0, 3);
    });
    for (const problem of problems) failures.push(`flip byte ${byte} bit ${bit}: ${problem}`);
  }
  t.deepEqual(failures.slice(0, 10), [], `${failures.length} failures`);
  t.log(`${positions.length} flips: ${exact} recovered everything, ${lostOne} lost the hit transaction (reported), ${refused} refused`);
});

for (const kind of ['volumes', 'manifests'] as const) {
  test(`a ${kind === 'volumes' ? 'volume' : 'manifest'} cut short is refused with a corruption code naming it`, async (t) => {
    const b = await built();
    const bench = new Workbench(b);
    t.teardown(() => bench.remove());
    const random = prng(SEED + 2);
    const failures: string[] = [];
    let cuts = 0;
    for (const file of b[kind]) {
      const original = readFileSync(join(b.pristine, file));
      // Volumes: the header, the CRC and the end ± 3 bytes plus random offsets (the volume
      // reader's own tests cut a volume at every byte in memory); manifests: every byte.
      const offsets = kind === 'volumes' ? sampleOffsets(original.length, [0, 32, original.length - 8, original.length], random, 100) : cutOffsets(original.length, [], random, 0);
      for (const cut of offsets) {
        cuts += 1;
        const problems = await bench.variant(file, original.subarray(0, cut), (outcome) =>
          outcome.kind === 'refused' ? refusalProblems(outcome.error, file, kind === 'volumes' ? VOLUME_REFUSALS : REFUSALS) : ['opened'],
        );
        for (const problem of problems) failures.push(`${file} cut at ${cut} of ${original.length}: ${problem}`);
      }
    }
    t.deepEqual(failures.slice(0, 10), [], `${failures.length} failures`);
    t.log(`${cuts} cuts over ${b[kind].length} files`);
  });

  test(`a bit flip in a ${kind === 'volumes' ? 'volume' : 'manifest'} is refused with a corruption code naming it`, async (t) => {
    const b = await built();
    const bench = new Workbench(b);
    t.teardown(() => bench.remove());
    const random = prng(SEED + 3);
    const failures: string[] = [];
    let flips = 0;
    for (const file of b[kind]) {
      const original = readFileSync(join(b.pristine, file));
      // The volume reader's own tests flip every bit of a volume in memory; here a sample per volume.
      for (const [byte, bit] of kind === 'manifests' ? everyByte(original.length) : randomFlips(original.length, random, 100)) {
        flips += 1;
        const problems = await bench.variant(file, flipped(original, byte, bit), (outcome) =>
          outcome.kind === 'refused' ? refusalProblems(outcome.error, file, kind === 'volumes' ? VOLUME_REFUSALS : REFUSALS) : ['opened'],
        );
        for (const problem of problems) failures.push(`${file} flip byte ${byte} bit ${bit}: ${problem}`);
      }
    }
    t.deepEqual(failures.slice(0, 10), [], `${failures.length} failures`);
    t.log(`${flips} flips over ${b[kind].length} files`);
  });
}

test('a cut or flipped volumes.catalog or checkpoint.meta is not needed to open: every committed row comes back', async (t) => {
  const b = await built();
  const bench = new Workbench(b);
  t.teardown(() => bench.remove());
  const full = modelOf([...b.sealed, ...b.walCommits.map((c) => c.ops)]);
  const failures: string[] = [];
  let variants = 0;
  for (const file of [b.catalog, b.checkpointMeta]) {
    const original = readFileSync(join(b.pristine, file));
    const damaged = [
      ...Array.from({ length: original.length }, (_, cut) => ({ what: `cut at ${cut}`, bytes: original.subarray(0, cut) })),
      ...Array.from({ length: original.length }, (_, byte) => ({ what: `flip byte ${byte}`, bytes: flipped(original, byte, byte % 8) })),
    ];
    for (const { what, bytes } of damaged) {
      variants += 1;
      const problems = await bench.variant(file, bytes, (outcome) =>
        outcome.kind === 'refused' ? [`refused: ${outcome.error.message}`] : judge(outcome.store, full).problems,
      );
      for (const problem of problems) failures.push(`${file} ${what}: ${problem}`);
    }
  }
  t.deepEqual(failures.slice(0, 10), [], `${failures.length} failures`);
  t.log(`${variants} variants`);
});
