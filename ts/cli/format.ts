/** Number, size, time and JSON formatting shared by the store commands (demo, inspect, verify). */

/** 1048576 → "1,048,576". */
export function count(value: number | bigint): string {
  return value.toLocaleString('en-US');
}

/** Bytes in binary units: "812 B", "3.4 KiB", "21.7 MiB". */
export function bytes(value: number): string {
  if (value < 1024) return `${value} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let scaled = value / 1024;
  let unit = 0;
  while (scaled >= 1024 && unit < units.length - 1) {
    scaled /= 1024;
    unit += 1;
  }
  return `${scaled.toFixed(scaled < 10 ? 2 : 1)} ${units[unit]}`;
}

/** Milliseconds with a precision that suits their size: "0.42 ms", "38 ms", "4.21 s". */
export function duration(ms: number): string {
  if (ms < 10) return `${ms.toFixed(2)} ms`;
  if (ms < 1000) return `${ms.toFixed(0)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}

/** Rows per second: "412,338 rows/s". */
export function rate(rows: number, ms: number): string {
  return `${count(Math.round(rows / Math.max(ms / 1000, 1e-9)))} rows/s`;
}

/** Microseconds since the epoch as ISO-8601 UTC ("2025-01-01T00:00:00.000Z"). */
export function microsToIso(micros: bigint): string {
  const ms = micros / 1000n - (micros % 1000n < 0n ? 1n : 0n);
  const date = new Date(Number(ms));
  return Number.isNaN(date.getTime()) ? `${micros} µs` : date.toISOString();
}

/** Nanoseconds since the epoch as ISO-8601 UTC. */
export function nanosToIso(nanos: bigint): string {
  return microsToIso(nanos / 1000n - (nanos % 1000n < 0n ? 1n : 0n));
}

/** One JSON document; bigints become decimal strings (JSON numbers lose precision past 2^53). */
export function jsonText(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => (typeof item === 'bigint' ? item.toString() : item), 2);
}
