/**
 * Spec §11 item 4: stoolap's checkpoint writes checkpoint.meta (the new LSN) before it persists
 * the manifests, and its recovery replays from checkpoint.meta's LSN when every manifest says 0.
 * A crash between the two loses rows: the volumes sealed in that cycle are orphans (no manifest
 * lists them, so they are deleted), and the WAL entries of their rows lie below the replay start.
 *
 * These tests build that crash state by hand and show (1) that stoolap's rule loses rows on it,
 * (2) that permafrost's recovery does not (checkpoint.meta never overrides the manifests), and
 * (3) the variant stoolap handles (no manifest at all). That permafrost's own cycle never
 * produces the state — checkpoint.meta is written only after every manifest carries the new
 * LSN — is shown by crash-kill.spec.ts, on the directory each named crash point leaves.
 */
import test from 'ava';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Store, VolumeBuilder, VolumeReader, writeVolume } from '../../ts/index';
import { decodeRowVersion } from '../../ts/codec/row-version';
import { decodeTableManifest, encodeTableManifest, MANIFEST_FILE_NAME } from '../../ts/manifest/table-manifest';
import { PersistenceManager } from '../../ts/persistence/persistence-manager';
import { WalOperation } from '../../ts/wal/wal-constants';
import { tempDir } from '../helpers/fixtures';
import { STORE_OPTIONS } from './helpers/crash-harness';
import { canonical, LEDGER, rowFor, SCHEMAS } from './helpers/crash-workload';

process.emitWarning = () => undefined;

const ROWS = 10;
const FIRST_SEALED = 5; // rows 1..5 were sealed (without a checkpoint) before the crashed cycle

interface CrashState {
  readonly dir: string;
  /** checkpoint.meta's LSN: the cycle's checkpoint LSN. */
  readonly metaLsn: bigint;
  readonly remove: () => void;
}

/**
 * The directory stoolap leaves when it dies between writing checkpoint.meta and the manifests:
 * rows 1..10 committed (the WAL, never truncated, holds them all); rows 1..5 in a volume an
 * earlier manifest (checkpoint LSN 0) lists — stoolap seals at open without a checkpoint
 * (§8.4 step 9) — or, with `manifest: false`, no manifest at all; rows 6..10 sealed into a new
 * volume in the crashed cycle; checkpoint.meta carrying that cycle's LSN.
 */
async function stoolapOrderCrashState(options: { manifest: boolean }): Promise<CrashState> {
  const work = tempDir('permafrost-meta-window-');
  const dir = join(work.path, 'db');
  {
    const store = await Store.open(dir, { syncMode: 'full', ...STORE_OPTIONS });
    await store.createTable(SCHEMAS[LEDGER]);
    for (let id = 1; id <= ROWS; id += 2) {
      await store.transaction((txn) => {
        txn.insert(LEDGER, rowFor(LEDGER, id, id));
        txn.insert(LEDGER, rowFor(LEDGER, id + 1, id + 1));
      });
    }
    await store.close();
  }
  const volumesDir = join(dir, 'volumes');
  const seal = async (from: number, to: number, volumeId: bigint): Promise<void> => {
    const builder = new VolumeBuilder(SCHEMAS[LEDGER]);
    for (let id = from; id <= to; id += 1) builder.addRow(id, rowFor(LEDGER, id, id));
    await writeVolume(volumesDir, 'ledger', volumeId, builder.finish());
  };
  if (options.manifest) {
    await seal(1, FIRST_SEALED, 0x100n);
    const segment = { segmentId: 0x100n, rowCount: BigInt(FIRST_SEALED), minRowId: 1n, maxRowId: BigInt(FIRST_SEALED), creationLsn: 0n, sealSeq: 0n, schemaVersion: 0n, filePath: '' };
    writeFileSync(
      join(volumesDir, 'ledger', MANIFEST_FILE_NAME),
      encodeTableManifest({ nextSegmentId: 0x101n, checkpointLsn: 0n, tableName: 'ledger', segments: [segment], tombstones: [], columnRenames: [], droppedColumns: [] }),
    );
  } else {
    mkdirSync(join(volumesDir, 'ledger'), { recursive: true });
  }
  // The crashed cycle, in stoolap's order: seal, checkpoint.meta := L, (crash) manifests.
  await seal(options.manifest ? FIRST_SEALED + 1 : 1, ROWS, 0x200n);
  const pm = await PersistenceManager.open(dir);
  const metaLsn = await pm.createCheckpoint([], pm.currentLsn);
  await pm.close();
  return { dir, metaLsn, remove: work.remove };
}

/**
 * What stoolap 0.4.0's recovery (§8.4) makes of `dir`: replay from the smallest non-zero
 * manifest LSN; if every manifest says 0, the WAL layer substitutes checkpoint.meta's LSN; if
 * no manifest loaded, checkpoint.meta is deleted and replay starts at 0. Volumes no manifest
 * lists are orphans (deleted); an Insert of a row a listed volume holds is skipped.
 * Returns row id → canonical values.
 */
async function stoolapRecovery(dir: string): Promise<{ rows: Map<bigint, string>; replayFrom: bigint }> {
  const volumesDir = join(dir, 'volumes');
  const rows = new Map<bigint, string>();
  const manifests = readdirSync(volumesDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => join(volumesDir, entry.name, MANIFEST_FILE_NAME))
    .filter((path) => readdirSync(join(path, '..')).includes(MANIFEST_FILE_NAME))
    .map((path) => ({ path, manifest: decodeTableManifest(readFileSync(path), path) }));
  const cold = new Set<bigint>();
  for (const { path, manifest } of manifests) {
    for (const segment of manifest.segments) {
      const reader = await VolumeReader.open(join(path, '..', `vol_${segment.segmentId.toString(16).padStart(16, '0')}.vol`));
      reader.rowIds.forEach((rowId, position) => {
        rows.set(rowId, canonical(reader.getRow(position)));
        cold.add(rowId);
      });
      await reader.close();
    }
  }
  const nonZero = manifests.map((m) => m.manifest.checkpointLsn).filter((lsn) => lsn > 0n);
  const pm = await PersistenceManager.open(dir);
  try {
    let replayFrom = nonZero.length > 0 ? nonZero.reduce((a, b) => (a < b ? a : b)) : 0n;
    if (replayFrom === 0n && manifests.length > 0) replayFrom = pm.checkpointLsn; // the substitution (§2.16)
    await pm.replayTwoPhase(replayFrom, (entry) => {
      if (entry.operation === WalOperation.Insert && !cold.has(entry.rowId)) rows.set(entry.rowId, canonical(decodeRowVersion(entry.payload).values));
      if (entry.operation === WalOperation.Delete) rows.delete(entry.rowId);
    });
    return { rows, replayFrom };
  } finally {
    await pm.close();
  }
}

function committedRows(): Map<bigint, string> {
  return new Map(Array.from({ length: ROWS }, (_, i) => [BigInt(i + 1), canonical(rowFor(LEDGER, i + 1, i + 1))]));
}

test("stoolap's order (checkpoint.meta before the manifests) loses rows: after a crash between them, replay starts past rows no manifest lists (spec §11 item 4)", async (t) => {
  const state = await stoolapOrderCrashState({ manifest: true });
  try {
    const { rows, replayFrom } = await stoolapRecovery(state.dir);
    t.is(replayFrom, state.metaLsn, 'every manifest says 0, so stoolap replays from checkpoint.meta');
    const lost = [...committedRows().keys()].filter((id) => !rows.has(id));
    t.deepEqual(lost, [6n, 7n, 8n, 9n, 10n], 'the rows sealed in the crashed cycle are gone');
  } finally {
    state.remove();
  }
});

test('checkpoint.meta never overrides the manifests: the stoolap-order crash state opens with every committed row', async (t) => {
  const state = await stoolapOrderCrashState({ manifest: true });
  try {
    await using store = await Store.open(state.dir, STORE_OPTIONS);
    t.is(store.recovery.mode, 'volumes');
    t.is(store.recovery.replayFromLsn, 0n, 'replay starts at the manifests’ LSN (0), not at checkpoint.meta’s');
    t.true(store.recovery.leftoversRemoved.some((file) => file.endsWith('vol_0000000000000200.vol')), 'the unlisted volume is an orphan');
    t.deepEqual(new Map([...store.scan(LEDGER)].map((row) => [row.rowId, canonical(row.values)])), committedRows());
  } finally {
    state.remove();
  }
});

test('with no manifest at all, checkpoint.meta is ignored as well: every committed row comes back', async (t) => {
  const state = await stoolapOrderCrashState({ manifest: false });
  try {
    await using store = await Store.open(state.dir, STORE_OPTIONS);
    t.is(store.recovery.replayFromLsn, 0n);
    t.deepEqual(new Map([...store.scan(LEDGER)].map((row) => [row.rowId, canonical(row.values)])), committedRows());
  } finally {
    state.remove();
  }
});
