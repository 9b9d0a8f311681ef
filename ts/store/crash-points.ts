/**
 * Named crash points: a test hook that kills the process (SIGKILL, no clean-up of any kind)
 * at a chosen step of the checkpoint cycle, so crash tests can stop a real process at every
 * step and check what recovery makes of the files it left (`__test__/store/crash-kill.spec.ts`).
 *
 * `PERMAFROST_CRASH_AT=<point>` kills the process the first time `<point>` is reached;
 * `PERMAFROST_CRASH_AT=<point>@<n>` the n-th time. The variable is read once, when this module
 * loads; with it unset every `crashPoint()` call is one comparison against `undefined`.
 * Nothing else in the package reads it, and no code path differs when it is set, except that
 * the process dies at the named point. The points are listed (and placed) in the header of
 * checkpoint-cycle.ts.
 */
import { basename } from 'node:path';
import type { FileSystem } from '../io/file-system';
import { BACKUP_SUFFIX, isTempFileName } from '../wal/wal-file-names';

/** Every named crash point: the checkpoint cycle's in the order it reaches them, then DROP TABLE's and the 0.3.7 migration's. */
export const CRASH_POINTS = [
  'checkpoint.start',
  'checkpoint.mid-seal',
  'checkpoint.after-seal',
  'checkpoint.mid-manifests-pass1',
  'checkpoint.after-manifests-pass1',
  'checkpoint.after-ddl-rerecord',
  'checkpoint.mid-manifests-pass2',
  'checkpoint.after-manifests-pass2',
  'checkpoint.after-catalog',
  'checkpoint.after-checkpoint-meta',
  'truncate.after-backup-rename',
  'truncate.after-install-rename',
  'truncate.before-backup-delete',
  'checkpoint.after-truncation',
  'drop.after-log',
  'drop.after-manifest-delete',
  'migration.after-snapshots-retired',
] as const;

export type CrashPoint = (typeof CRASH_POINTS)[number];

interface Armed {
  readonly point: string;
  remaining: number;
}

function armed(spec: string | undefined): Armed | undefined {
  if (spec === undefined || spec === '') return undefined;
  const at = spec.lastIndexOf('@');
  if (at < 0) return { point: spec, remaining: 1 };
  const hits = Number(spec.slice(at + 1));
  return { point: spec.slice(0, at), remaining: Number.isSafeInteger(hits) && hits > 0 ? hits : 1 };
}

const target = armed(process.env['PERMAFROST_CRASH_AT']);

/** Kills the process here if `PERMAFROST_CRASH_AT` names `point` (and this is the chosen hit). */
export function crashPoint(point: CrashPoint): void {
  if (target === undefined || target.point !== point) return;
  target.remaining -= 1;
  if (target.remaining === 0) process.kill(process.pid, 'SIGKILL');
}

/**
 * The WAL's truncation (ts/wal/truncation.ts) is not instrumented; its three points are reached
 * through the file-system seam instead: a store opened with `fileSystem:
 * withTruncationCrashPoints(nodeFileSystem)` dies right after the current WAL file is renamed
 * to `.bak`, right after the truncated copy is renamed into place, and just before the `.bak`
 * is deleted.
 */
export function withTruncationCrashPoints(inner: FileSystem): FileSystem {
  if (target === undefined || !target.point.startsWith('truncate.')) return inner;
  return {
    ...inner,
    async rename(from, to) {
      await inner.rename(from, to);
      if (to.endsWith(BACKUP_SUFFIX)) crashPoint('truncate.after-backup-rename');
      else if (isTempFileName(basename(from))) crashPoint('truncate.after-install-rename');
    },
    async unlink(path) {
      if (path.endsWith(BACKUP_SUFFIX)) crashPoint('truncate.before-backup-delete');
      await inner.unlink(path);
    },
  };
}
