/**
 * The workload shared by the crash child (crash-child.ts) and the tests that judge what it
 * left behind: two tables, row values derived from (table, row id, version) so a one-line
 * record of each commit is enough to know every value, and the model that turns the child's
 * stdout into the set of acknowledged commits and checks a reopened store against it.
 *
 * Protocol (one JSON object per stdout line, written synchronously):
 *   {"k":"D","table":t}          CREATE TABLE t acknowledged
 *   {"k":"R"}                    the store is open and the tables exist: load starts
 *   {"k":"T","s":seq,"w":worker,"ops":[[table, "i"|"u"|"d", id, version]]}
 *                                a transaction about to commit (intent)
 *   {"k":"A","s":seq}            that transaction's commit() resolved (acknowledged)
 *   {"k":"C","lsn":l}            a checkpoint finished
 *   {"k":"X"}                    the child stopped on its own (the store is closed)
 */
import { column, DataType, Timestamp, TypedNull, type Store, type TableSchema, type Value } from '../../../ts/index';

export const LEDGER = 'Ledger';
export const NOTES = 'notes';
export const TABLES = [LEDGER, NOTES] as const;
/** A table the child creates, seals and drops (to reach the DROP TABLE crash points); never in the model. */
export const SCRATCH = 'scratch';
export type TableName = (typeof TABLES)[number];

export const SCHEMAS: Record<TableName, TableSchema> = {
  [LEDGER]: {
    tableName: LEDGER,
    columns: [
      column('id', DataType.Integer, { nullable: false, primaryKey: true }),
      column('version', DataType.Integer, { nullable: false }),
      column('amount', DataType.Float),
      column('memo', DataType.Text),
      column('at', DataType.Timestamp, { nullable: false }),
    ],
    foreignKeys: [],
  },
  [NOTES]: {
    tableName: NOTES,
    columns: [
      column('id', DataType.Integer, { nullable: false, primaryKey: true }),
      column('version', DataType.Integer, { nullable: false }),
      column('body', DataType.Text),
    ],
    foreignKeys: [],
  },
};

const BASE_NANOS = 1_750_000_000_000_000_000n;

/** The row (in schema order) that version `version` of row `id` of `table` holds. */
export function rowFor(table: TableName, id: number, version: number): Value[] {
  if (table === LEDGER) {
    return [BigInt(id), BigInt(version), version / 8 + id, `m${version}-${id}-${'x'.repeat((version * 7 + id) % 50)}`, Timestamp.fromEpochNanos(BASE_NANOS + BigInt(version) * 1_000n + BigInt(id))];
  }
  const body = version % 5 === 0 ? TypedNull.of(DataType.Text) : `n${version}:${id}:${'y'.repeat((version * 13 + id) % 300)}`;
  return [BigInt(id), BigInt(version), body];
}

/** A comparable text for a row. */
export function canonical(values: readonly Value[]): string {
  return values
    .map((value) => {
      if (typeof value === 'bigint') return `${value}n`;
      if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
      if (typeof value === 'string') return JSON.stringify(value);
      if (value instanceof Timestamp) return `ts${value.epochNanos}`;
      if (value instanceof TypedNull) return `null${value.dataType}`;
      if (value === null) return 'null';
      return `?${String(value)}`;
    })
    .join('|');
}

export type OpKind = 'i' | 'u' | 'd';
export type Op = readonly [table: TableName, kind: OpKind, id: number, version: number];

export interface Intent {
  readonly seq: number;
  readonly worker: number;
  readonly ops: readonly Op[];
}

export type Line =
  | { readonly k: 'D'; readonly table: TableName }
  | { readonly k: 'R' }
  | ({ readonly k: 'T'; readonly s: number; readonly w: number; readonly ops: Op[] })
  | { readonly k: 'A'; readonly s: number }
  | { readonly k: 'C'; readonly lsn: string }
  | { readonly k: 'X' }
  | { readonly k: 'E'; readonly message: string };

/** Row id → version of every live row, per table. */
export type State = Map<TableName, Map<number, number>>;

export function emptyState(): State {
  return new Map(TABLES.map((table) => [table, new Map<number, number>()]));
}

function applyOps(state: State, ops: readonly Op[]): void {
  for (const [table, kind, id, version] of ops) {
    if (kind === 'd') state.get(table)!.delete(id);
    else state.get(table)!.set(id, version);
  }
}

/** What the child printed, turned into acknowledged state and in-flight intents. */
export class CrashModel {
  /** Every acknowledged commit applied, in order. */
  readonly state: State = emptyState();
  /** Tables whose CREATE TABLE was acknowledged (they must exist after reopen). */
  readonly tables = new Set<TableName>();
  /** Tables whose CREATE TABLE may or may not have happened. */
  readonly maybeTables = new Set<TableName>();
  #pending = new Map<number, Intent>();
  acknowledged = 0;
  checkpoints = 0;
  ready = false;
  stoppedCleanly = false;
  errors: string[] = [];

  feed(line: Line): void {
    switch (line.k) {
      case 'D':
        this.tables.add(line.table);
        this.maybeTables.delete(line.table);
        return;
      case 'R':
        this.ready = true;
        return;
      case 'T':
        this.#pending.set(line.s, { seq: line.s, worker: line.w, ops: line.ops });
        return;
      case 'A': {
        const intent = this.#pending.get(line.s);
        if (intent === undefined) {
          this.errors.push(`ack of unknown transaction ${line.s}`);
          return;
        }
        this.#pending.delete(line.s);
        applyOps(this.state, intent.ops);
        this.acknowledged += 1;
        return;
      }
      case 'C':
        this.checkpoints += 1;
        return;
      case 'X':
        this.stoppedCleanly = true;
        return;
      case 'E':
        this.errors.push(line.message);
        return;
    }
  }

  /** Transactions whose intent was printed but whose commit was not acknowledged. */
  get inFlight(): Intent[] {
    return [...this.#pending.values()];
  }

  /** Forgets the in-flight intents once their fate is known (applied ones are folded in). */
  settle(applied: readonly Intent[]): void {
    for (const intent of applied) {
      applyOps(this.state, intent.ops);
      this.acknowledged += 1;
    }
    this.#pending.clear();
  }

  /** The model's own write: applied directly (the parent's liveness transactions). */
  apply(ops: readonly Op[]): void {
    applyOps(this.state, ops);
  }
}

/** Every row of `table` in the store: id → canonical values (undefined if the table is missing). */
export function storeRows(store: Store, table: TableName, problems: string[]): Map<number, string> | undefined {
  if (!store.tableNames().some((name) => name.toLowerCase() === table.toLowerCase())) return undefined;
  const rows = new Map<number, string>();
  for (const row of store.scan(table)) {
    if (rows.has(Number(row.rowId))) problems.push(`${table} row ${row.rowId} returned twice by scan`);
    rows.set(Number(row.rowId), canonical(row.values));
  }
  return rows;
}

export interface Verdict {
  /** Everything that contradicts the model (empty = the store is right). */
  readonly problems: string[];
  /** The in-flight transactions found applied (all of their writes present). */
  readonly applied: Intent[];
}

/**
 * Checks a reopened store against the model: every acknowledged commit present with its latest
 * values, nothing else present, and each in-flight transaction either entirely applied or
 * entirely absent. Point reads (`get`) must agree with the scan, and `count` with both.
 */
export function judge(store: Store, model: CrashModel): Verdict {
  const problems: string[] = [];
  const applied: Intent[] = [];
  const actual = new Map<TableName, Map<number, string>>();
  for (const table of TABLES) {
    const rows = storeRows(store, table, problems);
    if (rows === undefined) {
      if (model.tables.has(table)) problems.push(`table ${table} was created (acknowledged) but is missing`);
      actual.set(table, new Map());
      continue;
    }
    actual.set(table, rows);
    if (store.count(table) !== rows.size) problems.push(`${table}: count() ${store.count(table)} but scan returned ${rows.size} rows`);
    for (const [id, text] of rows) {
      const got = store.getValues(table, id);
      if (got === undefined || canonical(got) !== text) problems.push(`${table} row ${id}: get() disagrees with scan`);
    }
  }
  const expected = (table: TableName, id: number, state: State): string | undefined => {
    const version = state.get(table)!.get(id);
    return version === undefined ? undefined : canonical(rowFor(table, id, version));
  };
  // Rows an in-flight transaction touched are judged per transaction.
  const touched = new Set<string>();
  for (const intent of model.inFlight) {
    let before = 0;
    let after = 0;
    for (const [table, kind, id, version] of intent.ops) {
      touched.add(`${table}:${id}`);
      const now = actual.get(table)!.get(id);
      const old = expected(table, id, model.state);
      const next = kind === 'd' ? undefined : canonical(rowFor(table, id, version));
      if (now === old) before += 1;
      else if (now === next) after += 1;
      else problems.push(`${table} row ${id}: ${now ?? 'absent'} is neither its acknowledged value nor in-flight txn ${intent.seq}'s`);
    }
    if (before > 0 && after > 0) problems.push(`in-flight txn ${intent.seq} is partially applied (${after} of ${intent.ops.length} writes)`);
    else if (after > 0) applied.push(intent);
  }
  // A time-range scan (zone-map pruning of volumes and row groups) agrees with the full scan.
  const ledger = actual.get(LEDGER)!;
  if (ledger.size > 0 && store.tableNames().some((name) => name === LEDGER)) {
    const times = [...store.scan(LEDGER)].map((row) => (row.values[4] as Timestamp).epochNanos).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const from = times[Math.floor(times.length / 4)]!;
    const to = times[Math.floor((times.length * 3) / 4)]!;
    const inRange = [...store.scan(LEDGER)].filter((row) => {
      const at = (row.values[4] as Timestamp).epochNanos;
      return at >= from && at < to;
    });
    const scanned = [...store.scan(LEDGER, { timeRange: { from, to } })];
    const key = (rows: readonly { rowId: bigint; values: Value[] }[]): string => rows.map((row) => `${row.rowId}:${canonical(row.values)}`).sort().join(';');
    if (key(scanned) !== key(inRange)) problems.push(`${LEDGER}: a time-range scan [${from}, ${to}) returned ${scanned.length} rows, the full scan has ${inRange.length} in range`);
  }
  for (const table of TABLES) {
    const rows = actual.get(table)!;
    for (const [id, version] of model.state.get(table)!) {
      if (touched.has(`${table}:${id}`)) continue;
      const got = rows.get(id);
      if (got === undefined) problems.push(`${table} row ${id} (version ${version}, acknowledged) is missing`);
      else if (got !== canonical(rowFor(table, id, version))) problems.push(`${table} row ${id}: ${got} but version ${version} was acknowledged`);
    }
    for (const id of rows.keys()) {
      if (!touched.has(`${table}:${id}`) && !model.state.get(table)!.has(id)) problems.push(`${table} row ${id} is present but was never committed or was deleted`);
    }
  }
  return { problems, applied };
}
