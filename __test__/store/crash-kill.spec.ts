/**
 * Kill the process (SIGKILL) at every named step of the checkpoint cycle and at random moments
 * under load: after reopen every commit acknowledged under `syncMode: 'full'` is there exactly
 * once with its latest values, no deleted row comes back, a commit in flight at the kill is
 * entirely there or entirely absent, recovery leaves no temporary file or unlisted volume, and
 * the recovered store takes new commits that survive another reopen.
 *
 * Knobs (environment): PERMAFROST_CRASH_SEED (default: random, printed on failure),
 * PERMAFROST_CRASH_REPS (runs per crash point, default 3: crashing in the 1st, 2nd, 3rd
 * checkpoint), PERMAFROST_KILL_CHAINS × PERMAFROST_KILLS_PER_CHAIN (black-box kills, default
 * 4 × 8 = 32).
 */
import test from 'ava';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CRASH_POINTS, type CrashPoint } from '../../ts/store/crash-points';
import { tempDir } from '../helpers/fixtures';
import type { ChildConfig } from './helpers/crash-child';
import { checkLiveness, limiter, prng, recoverAndJudge, replayStarts, runChild, type ChildRun } from './helpers/crash-harness';
import { CrashModel, SCRATCH } from './helpers/crash-workload';

const envNumber = (name: string, fallback: number): number => {
  const value = Number(process.env[name]);
  return Number.isSafeInteger(value) && value > 0 ? value : fallback;
};
const SEED = envNumber('PERMAFROST_CRASH_SEED', Math.floor(Math.random() * 1_000_000_000));
const REPS = envNumber('PERMAFROST_CRASH_REPS', 3);
const CHAINS = envNumber('PERMAFROST_KILL_CHAINS', 4);
const KILLS_PER_CHAIN = envNumber('PERMAFROST_KILLS_PER_CHAIN', 8);
const seedNote = `seed ${SEED} (rerun with PERMAFROST_CRASH_SEED=${SEED})`;

process.emitWarning = () => undefined;

const children = limiter(2);
const CHECKPOINT_EVERY = 6;

function config(seed: number, run: number, maxCommits: number, dropScratch = false): ChildConfig {
  return { seed, run, workers: 3, checkpointEvery: CHECKPOINT_EVERY, maxCommits, walMaxFileBytes: 4096, dropScratch };
}

/** DROP TABLE's crash points are reached by a child that drops a sealed table before its load. */
const isDropPoint = (point: CrashPoint): boolean => point.startsWith('drop.');

function describeRun(run: ChildRun, model: CrashModel): string {
  return `exit ${run.code} signal ${run.signal}, ${model.acknowledged} acknowledged, ${model.checkpoints} checkpoints, errors ${JSON.stringify(model.errors)}, stderr ${run.stderr.slice(0, 2000)}`;
}

/** A directory as a crash point left it (kept untouched), and what the child acknowledged. */
interface CrashImage {
  readonly point: CrashPoint;
  readonly hit: number;
  readonly seed: number;
  readonly dir: string;
  readonly model: CrashModel;
  readonly run: ChildRun;
}

const imageRoot = mkdtempSync(join(tmpdir(), 'permafrost-crash-images-'));
test.after.always(() => rmSync(imageRoot, { recursive: true, force: true }));

const images = new Map<CrashPoint, Promise<CrashImage[]>>();

/** Runs the child once per repetition, crashing at the `hit`-th time it reaches `point`. */
function imagesOf(point: CrashPoint): Promise<CrashImage[]> {
  let found = images.get(point);
  if (found === undefined) {
    found = (async () => {
      const made: CrashImage[] = [];
      for (let hit = 1; hit <= (isDropPoint(point) ? 1 : REPS); hit += 1) {
        const seed = SEED + CRASH_POINTS.indexOf(point) * 1000 + hit;
        const dir = join(imageRoot, `${point}@${hit}`);
        const model = new CrashModel();
        // Commits enough to reach the point's hit-th time with room to spare (a truncation rewrites the
        // WAL file only when rotation has not just started a new one); a child that stops on its own
        // never reached the point, and its test fails.
        const run = await children(() => runChild(dir, config(seed, 1, CHECKPOINT_EVERY * (3 * hit + 6), isDropPoint(point)), model, { crashAt: `${point}@${hit}` }));
        made.push({ point, hit, seed, dir, model, run });
      }
      return made;
    })();
    images.set(point, found);
  }
  return found;
}

/** The points this workload reaches (the migration's are crashed by migration-crash.spec.ts). */
const POINTS = CRASH_POINTS.filter((point) => !point.startsWith('migration.'));

for (const point of POINTS) {
  test(`a SIGKILL at ${point} loses no acknowledged commit, brings back no deleted row, and the store stays writable`, async (t) => {
    for (const image of await imagesOf(point)) {
      const where = `${point}@${image.hit}, ${seedNote}`;
      t.is(image.run.signal, 'SIGKILL', `${where}: the child must die at the crash point (${describeRun(image.run, image.model)})`);
      t.deepEqual(image.model.errors, [], where);
      if (!isDropPoint(point)) t.true(image.model.acknowledged > 0, `${where}: acknowledged commits before the crash`);
      const work = tempDir();
      try {
        // The image stays untouched for the §11 item 4 test; recovery runs on a copy.
        const dir = join(work.path, 'db');
        cpSync(image.dir, dir, { recursive: true });
        const recovered = await recoverAndJudge(dir, image.model);
        t.deepEqual(recovered.problems, [], `${where}: recovery`);
        if (isDropPoint(point)) {
          t.false(recovered.store.tableNames().includes(SCRATCH), `${where}: the durable DROP TABLE holds`);
          t.false(existsSync(join(dir, 'volumes', SCRATCH, 'manifest.bin')), `${where}: the dropped table's manifest is gone`);
        }
        t.deepEqual(await checkLiveness(dir, recovered.store, image.model, image.hit % 2 === 0), [], where);
      } finally {
        work.remove();
      }
    }
  });
}

test('no crash point leaves checkpoint.meta ahead of the manifests, so even stoolap\'s replay rule would lose nothing (spec §11 item 4)', async (t) => {
  const all = (await Promise.all(POINTS.map(imagesOf))).flat();
  let checked = 0;
  for (const image of all) {
    if (image.run.signal !== 'SIGKILL') continue; // reported by the crash point's own test
    const starts = replayStarts(image.dir);
    const effective = (lsn: bigint): bigint => (lsn > starts.walStart ? lsn : starts.walStart);
    // stoolap replays from checkpoint.meta when every manifest says 0: that must never skip what ours replays.
    t.true(
      effective(starts.stoolap) <= effective(starts.ours),
      `${image.point}@${image.hit} (${seedNote}): stoolap would start replay at ${starts.stoolap}, ours at ${starts.ours}; checkpoint.meta ${starts.checkpointMeta}, manifests ${JSON.stringify(starts.manifests, (_, v: unknown) => (typeof v === 'bigint' ? String(v) : v))}, WAL from ${starts.walStart}`,
    );
    if (starts.checkpointMeta !== undefined && Object.keys(starts.manifests).length > 0) {
      t.true(
        Object.values(starts.manifests).some((lsn) => lsn >= starts.checkpointMeta!),
        `${image.point}@${image.hit} (${seedNote}): checkpoint.meta (${starts.checkpointMeta}) is ahead of every manifest`,
      );
    }
    checked += 1;
  }
  t.is(checked, all.length, 'every crash image was checked');
});

for (let chain = 1; chain <= CHAINS; chain += 1) {
  test(`black box, chain ${chain}: ${KILLS_PER_CHAIN} SIGKILLs at random moments under load lose no acknowledged commit and resurrect no deleted row`, async (t) => {
    const seed = SEED + 100_000 * chain;
    const random = prng(seed);
    const work = tempDir();
    try {
      const dir = join(work.path, 'db');
      const model = new CrashModel();
      let inFlightSeen = 0;
      let appliedSeen = 0;
      for (let kill = 1; kill <= KILLS_PER_CHAIN; kill += 1) {
        const killAfterMs = 20 + Math.floor(random() * 380);
        const where = `chain ${chain} kill ${kill} after ${killAfterMs} ms, ${seedNote}`;
        const run = await children(() => runChild(dir, config(seed, kill, 1_000_000), model, { killAfterMs }));
        t.true(run.killedByParent && run.signal === 'SIGKILL', `${where}: ${describeRun(run, model)}`);
        t.deepEqual(model.errors, [], where);
        const recovered = await recoverAndJudge(dir, model);
        inFlightSeen += recovered.inFlight;
        appliedSeen += recovered.applied;
        t.deepEqual(recovered.problems, [], `${where}: recovery`);
        if (recovered.problems.length > 0) {
          await recovered.store.close();
          return;
        }
        t.deepEqual(await checkLiveness(dir, recovered.store, model, random() < 0.5), [], where);
      }
      t.log(`${KILLS_PER_CHAIN} kills, ${model.acknowledged} commits kept, ${inFlightSeen} in flight at a kill (${appliedSeen} of them found applied), ${seedNote}`);
    } finally {
      work.remove();
    }
  });
}
