/**
 * The stoolap 0.4.0 oracle (`tools/stoolap-interop`, built by `.ci/run`): runs real stoolap
 * on directories the tests prepare. Without the binary the interop tests are skipped, unless
 * PERMAFROST_INTEROP=1 (CI), where a missing binary fails them.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { FloatBits, isNull, Json, Timestamp, type Value } from '../../ts/index';

export const ORACLE = join(__dirname, '..', '..', 'tools', 'stoolap-interop', 'target', 'release', 'stoolap-interop');
export const ORACLE_REQUIRED = process.env['PERMAFROST_INTEROP'] === '1';
export const ORACLE_AVAILABLE = existsSync(ORACLE);

export function oracle(...args: string[]): string {
  return execFileSync(ORACLE, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
}

const f64Bits = (value: number): string => {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, value, true);
  return view.getBigUint64(0, true).toString(16).padStart(16, '0');
};

/** The canonical form the oracle prints for a value (see tools/stoolap-interop/src/main.rs). */
export function oracleCanonical(value: Value): string {
  if (isNull(value)) return 'null';
  if (typeof value === 'bigint') return `int ${value}`;
  if (typeof value === 'number') return `float 0x${f64Bits(value)}`;
  if (value instanceof FloatBits) return `float 0x${value.bits.toString(16).padStart(16, '0')}`;
  if (typeof value === 'string') return `text ${JSON.stringify(value)}`;
  if (typeof value === 'boolean') return `bool ${value}`;
  if (value instanceof Timestamp) return `timestamp ${value.epochNanos}`;
  if (value instanceof Json) return `json ${value.text}`;
  if (value instanceof Float32Array) {
    const view = new DataView(value.buffer, value.byteOffset, value.byteLength);
    return `vector ${Array.from({ length: value.length }, (_, i) => `0x${view.getUint32(i * 4, true).toString(16).padStart(8, '0')}`).join(',')}`;
  }
  return `other ${String(value)}`;
}

/** `table\tvalues` lines as the oracle's `dump` prints them, sorted. */
export function dumpLines(dump: string): string[] {
  return dump.split('\n').filter((line) => line.length > 0).sort();
}
