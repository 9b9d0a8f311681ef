/**
 * Throughput of the value and row codecs (spec §4.2–4.3) in values per second, encoding
 * and decoding realistic rows (bench/data.ts `makeRows`). There is no native counterpart:
 * these codecs are TypeScript. Node's own binary serializer (`v8.serialize` /
 * `v8.deserialize`, the structured-clone format) on the same values is printed as a
 * familiar reference point, not as a goal.
 */
import { deserialize, serialize } from 'node:v8';
import { decodeRowVersion, decodeValue, encodeRowVersion, encodeValueToBuffer, type RowVersion, type Value } from '../ts/index';
import { makeRows, ROW_WIDTH } from './data';
import { local, measure, perSecond, ratio, times, type BenchOptions, type Subject } from './harness';

export const tags = ['codec', 'rows', 'values'];

const ROWS = 1000;

function version(values: Value[]): RowVersion {
  return { txnId: 42n, deletedAtTxnId: 0n, createTime: 0n, values };
}

async function compare(
  options: BenchOptions,
  rows: Array<Array<string | number>>,
  label: string,
  values: number,
  ours: () => unknown,
  reference: () => unknown,
): Promise<void> {
  const subjects: Subject[] = [local('permafrost', ours), local('v8', reference)];
  const results = await measure(subjects, values, options);
  rows.push([
    label,
    perSecond(results.get('permafrost')?.median),
    perSecond(results.get('v8')?.median),
    times(ratio(results, 'permafrost', 'v8')),
  ]);
}

export async function run(options: BenchOptions): Promise<void> {
  const rows = makeRows(ROWS);
  const versions = rows.map(version);
  const encoded = versions.map((v) => encodeRowVersion(v));
  const cloned = rows.map((values) => serialize(values));
  const table: Array<Array<string | number>> = [];
  const values = ROWS * ROW_WIDTH;
  if (options.wants('rows')) {
    await compare(
      options,
      table,
      'RowVersion encode',
      values,
      () => versions.map((v) => encodeRowVersion(v)),
      () => rows.map((r) => serialize(r)),
    );
    await compare(
      options,
      table,
      'RowVersion decode',
      values,
      () => encoded.map((bytes) => decodeRowVersion(bytes)),
      () => cloned.map((bytes) => deserialize(bytes) as unknown),
    );
    await compare(
      options,
      table,
      'RowVersion round trip',
      values,
      () => versions.map((v) => decodeRowVersion(encodeRowVersion(v))),
      () => rows.map((r) => deserialize(serialize(r)) as unknown),
    );
  }
  if (options.wants('values')) {
    const columns = ['id (bigint)', 'ts (Timestamp)', 'symbol (text)', 'price (float)', 'qty (bigint)', 'note (80% NULL)', 'active (bool)'];
    for (const [index, name] of columns.entries()) {
      if (options.quick && index > 3) break;
      const column = rows.map((row) => row[index]!);
      await compare(
        options,
        table,
        `value round trip: ${name}`,
        column.length,
        () => column.map((value) => decodeValue(encodeValueToBuffer(value))),
        () => column.map((value) => deserialize(serialize(value)) as unknown),
      );
    }
  }
  options.report({
    title: `Codecs (values per second; ${ROWS} rows of ${ROW_WIDTH} values; ratio = permafrost / v8)`,
    columns: ['operation', 'permafrost', 'v8.serialize', 'ratio'],
    rows: table,
    notes: ['Rows: id, ts, symbol, price, qty, note, active (bench/data.ts makeRows). v8 = node:v8 serialize/deserialize.'],
  });
}
