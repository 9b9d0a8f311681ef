/**
 * Interoperability with the real stoolap 0.4.0: stoolap reads what permafrost writes (WAL,
 * volumes, manifests), permafrost reads what stoolap writes, and volume files are byte for
 * byte what stoolap's own writer produces for the same rows.
 */
import test from 'ava';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { column, DataType, FloatBits, Json, Store, Timestamp, TypedNull, type TableSchema, type Value } from '../../ts/index';
import { VolumeBuilder } from '../../ts/volume/volume-builder';
import { writeVolume } from '../../ts/volume/volume-writer';
import { STOOLAP_FIXTURES, tempDir } from '../helpers/fixtures';
import { sqlFinalState } from '../helpers/sql-model';
import { dumpLines, ORACLE_AVAILABLE, ORACLE_REQUIRED, oracle, oracleCanonical } from './stoolap-oracle';

const run = ORACLE_AVAILABLE || ORACLE_REQUIRED ? test.serial : test.skip;

const trades: TableSchema = {
  tableName: 'trades',
  columns: [
    column('id', DataType.Integer, { nullable: false, primaryKey: true }),
    column('symbol', DataType.Text, { nullable: false }),
    column('at', DataType.Timestamp, { nullable: false }),
    column('price', DataType.Float),
    column('filled', DataType.Boolean),
    column('meta', DataType.Json),
  ],
  foreignKeys: [],
};

function tradeRow(id: number): Record<string, unknown> {
  return {
    id,
    symbol: ['AAPL', 'MSFT', 'Ünïcødé'][id % 3],
    at: Timestamp.fromEpochNanos(1_735_689_600_123_456_789n + BigInt(id) * 1_000_000_007n),
    price: id % 7 === 0 ? null : id * 1.25,
    filled: id % 2 === 0,
    meta: id % 5 === 0 ? null : { id, tags: ['a', 'b'] },
  };
}

function ourLines(store: Store): string[] {
  const lines: string[] = [];
  for (const table of store.tableNames()) {
    for (const row of store.scan(table)) lines.push(`${table.toLowerCase()}\t${row.values.map(oracleCanonical).join('|')}`);
  }
  return lines.sort();
}

run('stoolap 0.4.0 reads every row of a permafrost store (volumes, tombstones and WAL tail)', async (t) => {
  const dir = tempDir();
  try {
    let expected: string[];
    {
      await using store = await Store.open(dir.path, { syncMode: 'full', checkpointOnClose: false, checkpointIntervalMs: 0 });
      await store.createTable(trades);
      await store.transaction((txn) => {
        for (let id = 1; id <= 300; id += 1) txn.insert('trades', tradeRow(id));
      });
      await store.checkpoint();
      await store.transaction((txn) => {
        txn.update('trades', 10, { price: 999.5 });
        txn.delete('trades', 11);
        for (let id = 301; id <= 320; id += 1) txn.insert('trades', tradeRow(id));
      });
      expected = ourLines(store);
    }
    t.is(expected.length, 319);
    t.deepEqual(dumpLines(oracle('dump', dir.path)), expected);
    // stoolap's close sealed our WAL tail into its own volumes; we read its result back.
    await using reopened = await Store.open(dir.path, { checkpointOnClose: false, checkpointIntervalMs: 0 });
    t.deepEqual(ourLines(reopened), expected);
  } finally {
    dir.remove();
  }
});

run('permafrost reads a store stoolap 0.4.0 wrote (WAL, volumes, manifests) with every row of the script', async (t) => {
  const dir = tempDir();
  const script = join(dir.path, 'script.sql');
  try {
    // PRAGMA SNAPSHOT is a backup in 0.4.0; everything else is the fixture's SQL.
    const sql = readFileSync(join(STOOLAP_FIXTURES, 'create_v037db.sql'), 'utf8').replace(/^PRAGMA SNAPSHOT;$/m, '');
    writeFileSync(script, sql);
    const db = join(dir.path, 'db');
    oracle('sql', db, script);
    let ours: string[];
    {
      await using store = await Store.open(db, { checkpointOnClose: false, checkpointIntervalMs: 0 });
      t.is(store.recovery.mode, 'volumes');
      const tables = store.tableNames().map((name) => name.toLowerCase());
      const expected = sqlFinalState(sql, new Map(tables.map((name) => [name, store.schema(name)])));
      for (const table of tables) {
        const want = [...expected.get(table)!].map(([, values]) => values.map(oracleCanonical).join('|')).sort();
        const got = [...store.scan(table)].map((row) => row.values.map(oracleCanonical).join('|')).sort();
        t.deepEqual(got, want, table);
      }
      ours = ourLines(store);
    }
    t.deepEqual(dumpLines(oracle('dump', db)), ours);
  } finally {
    dir.remove();
  }
});

run('stoolap refuses a directory that a permafrost store holds open (db.lock is shared)', async (t) => {
  const dir = tempDir();
  try {
    await using store = await Store.open(dir.path, { checkpointIntervalMs: 0 });
    await store.createTable(trades);
    const error = t.throws(() => oracle('dump', dir.path));
    t.regex(String((error as { stderr?: unknown }).stderr), /DatabaseLocked/);
  } finally {
    dir.remove();
  }
});

interface VolumeCase {
  readonly name: string;
  readonly columns: ReadonlyArray<{ readonly name: string; readonly type: 'integer' | 'float' | 'text' | 'boolean' | 'timestamp' | 'json'; readonly dataType: DataType }>;
  readonly rows: number;
  readonly value: (row: number, column: number) => Value;
}

const CASES: VolumeCase[] = [
  {
    name: 'mixed types with NULLs, NaN, -0 and non-ASCII text',
    columns: [
      { name: 'id', type: 'integer', dataType: DataType.Integer },
      { name: 'price', type: 'float', dataType: DataType.Float },
      { name: 'label', type: 'text', dataType: DataType.Text },
      { name: 'ok', type: 'boolean', dataType: DataType.Boolean },
      { name: 'at', type: 'timestamp', dataType: DataType.Timestamp },
      { name: 'doc', type: 'json', dataType: DataType.Json },
    ],
    rows: 500,
    value: (row, column) => {
      switch (column) {
        case 0: return BigInt(row * 3 - 700);
        case 1: return row % 11 === 0 ? TypedNull.of(DataType.Float) : row % 13 === 0 ? NaN : row % 17 === 0 ? -0 : row / 8;
        case 2: return row % 9 === 0 ? TypedNull.of(DataType.Text) : ['zeta', 'alpha', 'Ωmega', 'éclair', ''][row % 5]!;
        case 3: return row % 10 === 0 ? TypedNull.of(DataType.Boolean) : row % 3 === 0;
        case 4: return Timestamp.fromEpochNanos(-5_000_000_000n + BigInt(row) * 999_999_937n);
        default: return row % 4 === 0 ? TypedNull.of(DataType.Json) : new Json(`{"n":${row % 6}}`);
      }
    },
  },
  {
    name: 'more than one 65,536-row group (row-group zone maps)',
    columns: [
      { name: 'seq', type: 'integer', dataType: DataType.Integer },
      { name: 'bucket', type: 'text', dataType: DataType.Text },
      { name: 'v', type: 'float', dataType: DataType.Float },
    ],
    rows: 70_000,
    value: (row, column) => (column === 0 ? BigInt(row) : column === 1 ? (row % 2 === 0 ? 'even' : 'odd') : (row % 1000) / 4),
  },
];

function tsvField(value: Value): string {
  if (value === null || value instanceof TypedNull) return '\\N';
  if (typeof value === 'number' || value instanceof FloatBits) return oracleCanonical(value).slice('float 0x'.length);
  if (value instanceof Timestamp) return String(value.epochNanos);
  if (value instanceof Json) return value.text;
  return String(value);
}

for (const volumeCase of CASES) {
  run(`a volume is byte for byte what stoolap writes: ${volumeCase.name}`, async (t) => {
    const dir = tempDir();
    try {
      const lines = [volumeCase.columns.map((c) => `${c.name}:${c.type}`).join('\t')];
      const builder = new VolumeBuilder({ columns: volumeCase.columns.map((c) => ({ name: c.name, dataType: c.dataType })) }, { capacityRows: volumeCase.rows });
      for (let row = 0; row < volumeCase.rows; row += 1) {
        const values = volumeCase.columns.map((_, column) => volumeCase.value(row, column));
        const rowId = BigInt(row * 2 + 1);
        lines.push([String(rowId), ...values.map(tsvField)].join('\t'));
        builder.addRow(rowId, values);
      }
      writeFileSync(join(dir.path, 'rows.tsv'), `${lines.join('\n')}\n`);
      oracle('volume', join(dir.path, 'stoolap'), join(dir.path, 'rows.tsv'));
      await writeVolume(join(dir.path, 'ours'), 't', 1n, await builder.finishAsync());
      const theirs = readFileSync(join(dir.path, 'stoolap', 't', 'vol_0000000000000001.vol'));
      const ours = readFileSync(join(dir.path, 'ours', 't', 'vol_0000000000000001.vol'));
      t.is(ours.length, theirs.length);
      t.true(ours.equals(theirs), 'identical bytes');
    } finally {
      dir.remove();
    }
  });
}
