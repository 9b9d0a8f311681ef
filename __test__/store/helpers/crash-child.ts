/**
 * The crash child: `node --import=tsx crash-child.ts <dir> <config JSON>`. Opens the store in
 * `<dir>` with `syncMode: 'full'`, creates the workload's tables if missing, then runs
 * `workers` concurrent loops of transactions (inserts, updates, deletes, re-inserts of deleted
 * ids) over disjoint row-id classes (id % workers), printing every intent and every
 * acknowledged commit on stdout (crash-workload.ts has the protocol) and running
 * `store.checkpoint()` every `checkpointEvery` acknowledged commits. It stops (closing the
 * store) after `maxCommits`, unless it is killed first — by the parent, or by a crash point
 * named in PERMAFROST_CRASH_AT (ts/store/crash-points.ts).
 */
import { writeSync } from 'node:fs';
import { Store } from '../../../ts/index';
import { nodeFileSystem } from '../../../ts/io/file-system';
import { withTruncationCrashPoints } from '../../../ts/store/crash-points';
import { NOTES, rowFor, SCHEMAS, SCRATCH, TABLES, type Line, type Op, type OpKind, type TableName } from './crash-workload';
import { prng } from '../../helpers/prng';

export interface ChildConfig {
  readonly seed: number;
  /** Distinguishes the versions written by successive children on one directory. */
  readonly run: number;
  readonly workers: number;
  readonly checkpointEvery: number;
  readonly maxCommits: number;
  readonly walMaxFileBytes: number;
  /**
   * Before the load: create table `scratch`, fill it, seal it with a checkpoint, and drop it
   * (the DROP TABLE crash points are reached there).
   */
  readonly dropScratch?: boolean;
}


function emit(line: Line): void {
  const bytes = Buffer.from(`${JSON.stringify(line)}\n`);
  let done = 0;
  while (done < bytes.length) {
    try {
      done += writeSync(1, bytes, done);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
    }
  }
}

interface WorkerRows {
  readonly live: Map<TableName, Map<number, number>>;
  readonly free: Map<TableName, number[]>;
  readonly next: Map<TableName, number>;
}

async function main(): Promise<void> {
  const [dir, json] = process.argv.slice(2);
  if (dir === undefined || json === undefined) throw new Error('usage: crash-child.ts <dir> <config JSON>');
  const config = JSON.parse(json) as ChildConfig;
  const random = prng(config.seed * 7919 + config.run);
  const store = await Store.open(dir, {
    syncMode: 'full',
    checkpointIntervalMs: 0,
    walMaxFileBytes: config.walMaxFileBytes,
    fileSystem: withTruncationCrashPoints(nodeFileSystem),
  });
  for (const table of TABLES) {
    if (!store.tableNames().some((name) => name.toLowerCase() === table.toLowerCase())) await store.createTable(SCHEMAS[table]);
    emit({ k: 'D', table });
  }
  if (config.dropScratch === true) {
    await store.createTable({ ...SCHEMAS[NOTES], tableName: SCRATCH });
    await store.transaction((txn) => {
      for (let id = 1; id <= 10; id += 1) txn.insert(SCRATCH, rowFor(NOTES, id, 1));
    });
    await store.checkpoint();
    await store.dropTable(SCRATCH);
  }
  const W = config.workers;
  const workers: WorkerRows[] = Array.from({ length: W }, () => ({ live: new Map(), free: new Map(), next: new Map() }));
  for (const table of TABLES) {
    for (const rows of workers) {
      rows.live.set(table, new Map());
      rows.free.set(table, []);
    }
    const top = new Array<number>(W).fill(0);
    for (const row of store.scan(table)) {
      const id = Number(row.rowId);
      if (id <= 0) continue; // the parent's own rows
      workers[id % W]!.live.get(table)!.set(id, Number(row.values[1]));
      top[id % W] = Math.max(top[id % W]!, id);
    }
    workers.forEach((rows, w) => {
      const first = top[w]! > 0 ? top[w]! + W : w === 0 ? W : w;
      for (let id = w === 0 ? W : w; id < first; id += W) if (!rows.live.get(table)!.has(id)) rows.free.get(table)!.push(id);
      rows.next.set(table, first);
    });
  }
  emit({ k: 'R' });
  let seq = 0;
  let acknowledged = 0;
  const work = async (w: number): Promise<void> => {
    const rows = workers[w]!;
    while (seq < config.maxCommits) {
      seq += 1;
      const mySeq = seq;
      const version = config.run * 100_000 + mySeq;
      const ops: Op[] = [];
      const used = new Set<string>();
      const count = 1 + Math.floor(random() * 4);
      for (let n = 0; n < count; n += 1) {
        const table: TableName = random() < 0.7 ? TABLES[0] : TABLES[1];
        const live = rows.live.get(table)!;
        const choice = random();
        const kind: OpKind = live.size < 6 || choice < 0.5 ? 'i' : choice < 0.8 ? 'u' : 'd';
        let id: number;
        if (kind === 'i') {
          const free = rows.free.get(table)!;
          if (free.length > 0 && random() < 0.3) id = free.splice(Math.floor(random() * free.length), 1)[0]!;
          else {
            id = rows.next.get(table)!;
            rows.next.set(table, id + W);
          }
        } else {
          const ids = [...live.keys()];
          id = ids[Math.floor(random() * ids.length)]!;
        }
        if (used.has(`${table}:${id}`)) {
          if (kind === 'i') rows.free.get(table)!.push(id);
          continue;
        }
        used.add(`${table}:${id}`);
        ops.push([table, kind, id, kind === 'd' ? 0 : version]);
      }
      const txn = store.begin();
      // Half of the transactions insert through the columnar path (one batch per table, ids
      // ascending); it takes its fast path when the ids lie above every id seen, else row by row.
      const columnar = random() < 0.5;
      if (columnar) {
        for (const table of TABLES) {
          const inserts = ops.filter(([t, kind]) => t === table && kind === 'i').sort((a, b) => a[2] - b[2]);
          if (inserts.length === 0) continue;
          const rowsOf = inserts.map(([, , id, v]) => rowFor(table, id, v));
          const columns = Object.fromEntries(SCHEMAS[table].columns.map((c, index) => [c.name, rowsOf.map((row) => row[index])]));
          txn.insertColumns(table, columns);
        }
      }
      for (const [table, kind, id, v] of ops) {
        if (kind === 'i') {
          if (!columnar) txn.insert(table, rowFor(table, id, v));
        } else if (kind === 'u') txn.update(table, id, rowFor(table, id, v));
        else txn.delete(table, id);
      }
      emit({ k: 'T', s: mySeq, w, ops });
      await txn.commit();
      emit({ k: 'A', s: mySeq });
      for (const [table, kind, id, v] of ops) {
        if (kind === 'd') {
          rows.live.get(table)!.delete(id);
          rows.free.get(table)!.push(id);
        } else rows.live.get(table)!.set(id, v);
      }
      acknowledged += 1;
      if (acknowledged % config.checkpointEvery === 0) {
        const report = await store.checkpoint();
        emit({ k: 'C', lsn: String(report.checkpointLsn) });
      }
    }
  };
  await Promise.all(Array.from({ length: W }, (_, w) => work(w)));
  await store.close();
  emit({ k: 'X' });
}

main().catch((error: unknown) => {
  emit({ k: 'E', message: error instanceof Error ? `${error.name}: ${error.message}\n${error.stack ?? ''}` : String(error) });
  process.exit(2);
});
