/**
 * The shared machinery of `npm run bench` (performance.md §2.7, §5):
 *
 * - every subject (our public API, the native Rust baseline, Node built-ins, npm peers) is
 *   calibrated so one sample takes about `sampleMs`, warmed up, then sampled `runs` times,
 *   **interleaved**: run 1 samples every subject, then run 2 (in a rotated order), and so on,
 *   so a noisy neighbour on a shared machine hits every subject alike;
 * - the reported figure is the median rate over the runs (min and max are kept for JSON);
 * - a ratio is always ours / baseline in throughput, so > 1 means we are faster. It is the
 *   median over runs of the ratio *within* each run, whose samples were taken moments
 *   apart, so a load spike from another process that spans a whole run cancels out.
 *
 * Bench modules (`bench/*.bench.ts`) export `run(options: BenchOptions)` and call
 * `measure()` / `options.report()`. Nothing here asserts on timings: benchmarks never gate
 * tests.
 */

/** What `bench/main.ts` passes to every bench module. */
export interface BenchOptions {
  /** Timed samples per subject (≥ 5); the median is reported. */
  readonly runs: number;
  /** Target duration of one sample, in milliseconds. */
  readonly sampleMs: number;
  /** Fewer shapes and sizes, for a fast look. */
  readonly quick: boolean;
  /**
   * True when the module should run the case group `group`: no filter was given, the filter
   * named the module, or a filter is a substring of `group`.
   */
  wants(group: string): boolean;
  /** Prints a finished table at once and keeps it for `--json`. */
  report(table: Table): void;
}

/** Something to time: runs its operation `iterations` times and returns elapsed nanoseconds. */
export interface Subject {
  readonly name: string;
  sample(iterations: number): number | Promise<number>;
}

/** A subject's result: rates are `amount` units per second (bytes, values, ...). */
export interface Measurement {
  readonly name: string;
  readonly iterations: number;
  readonly median: number;
  readonly min: number;
  readonly max: number;
  /** One rate per run, in run order (so `ratio` can pair runs). */
  readonly rates: readonly number[];
}

export interface Table {
  readonly title: string;
  readonly columns: readonly string[];
  readonly rows: ReadonlyArray<ReadonlyArray<string | number>>;
  /** Lines printed under the table (what the ratios mean, caveats). */
  readonly notes?: readonly string[];
  /** Raw measurements, written with `--json`. */
  readonly measurements?: readonly unknown[];
}

let sink: unknown;

/** The last value an operation returned; read it so work cannot be optimised away. */
export function lastResult(): unknown {
  return sink;
}

/** A subject that runs `operation` in this process. */
export function local(name: string, operation: () => unknown): Subject {
  return {
    name,
    sample(iterations: number): number {
      const start = process.hrtime.bigint();
      for (let i = 0; i < iterations; i += 1) sink = operation();
      return Number(process.hrtime.bigint() - start);
    },
  };
}

/** Chooses an iteration count so one sample takes about `sampleMs` (this also warms up). */
async function calibrate(subject: Subject, sampleMs: number): Promise<number> {
  const target = sampleMs * 1e6;
  let iterations = 1;
  for (;;) {
    const elapsed = Math.max(1, await subject.sample(iterations));
    if (elapsed >= target / 4) return Math.max(1, Math.ceil((iterations * target) / elapsed));
    iterations *= Math.min(16, Math.max(2, Math.floor(target / 4 / elapsed)));
  }
}

function median(sorted: readonly number[]): number {
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * Measures `subjects` interleaved; `amount` is the work one iteration does (bytes, values),
 * so rates come out in units per second.
 */
export async function measure(
  subjects: readonly Subject[],
  amount: number,
  options: Pick<BenchOptions, 'runs' | 'sampleMs'>,
): Promise<Map<string, Measurement>> {
  const iterations: number[] = [];
  for (const subject of subjects) {
    const count = await calibrate(subject, options.sampleMs);
    await subject.sample(count); // warm-up at full length
    iterations.push(count);
  }
  const rates: number[][] = subjects.map(() => []);
  for (let run = 0; run < options.runs; run += 1) {
    for (let k = 0; k < subjects.length; k += 1) {
      const index = (k + run) % subjects.length;
      const elapsed = Math.max(1, await subjects[index]!.sample(iterations[index]!));
      rates[index]!.push((amount * iterations[index]!) / (elapsed / 1e9));
    }
  }
  const results = new Map<string, Measurement>();
  subjects.forEach((subject, index) => {
    const sorted = [...rates[index]!].sort((a, b) => a - b);
    results.set(subject.name, {
      name: subject.name,
      iterations: iterations[index]!,
      median: median(sorted),
      min: sorted[0]!,
      max: sorted[sorted.length - 1]!,
      rates: rates[index]!,
    });
  });
  return results;
}

/**
 * `ours / baseline`: the median over runs of the two subjects' rate ratio within each run,
 * or undefined when either subject is missing.
 */
export function ratio(
  results: ReadonlyMap<string, Measurement>,
  ours: string,
  baseline: string,
): number | undefined {
  const a = results.get(ours)?.rates;
  const b = results.get(baseline)?.rates;
  if (a === undefined || b === undefined || a.length === 0 || a.length !== b.length) return undefined;
  return median(a.map((rate, run) => rate / b[run]!).sort((x, y) => x - y));
}

/** Bytes per second as MB/s (10^6), without decimals. */
export function mbps(rate: number | undefined): string {
  return rate === undefined ? '–' : Math.round(rate / 1e6).toLocaleString('en-US');
}

/** Units per second as `1.23 M/s`. */
export function perSecond(rate: number | undefined): string {
  if (rate === undefined) return '–';
  if (rate >= 1e6) return `${(rate / 1e6).toFixed(2)} M/s`;
  if (rate >= 1e3) return `${(rate / 1e3).toFixed(1)} K/s`;
  return `${rate.toFixed(0)} /s`;
}

/** A ratio as `0.97×`. */
export function times(value: number | undefined): string {
  if (value === undefined) return '–';
  return `${value >= 10 ? value.toFixed(1) : value.toFixed(2)}×`;
}

/** The table as aligned plain text (numbers right-aligned). */
export function formatTable(table: Table): string {
  const cells = [table.columns, ...table.rows].map((row) => row.map(String));
  const widths = table.columns.map((_, column) => Math.max(...cells.map((row) => (row[column] ?? '').length)));
  const numeric = table.columns.map((_, column) =>
    table.rows.every((row) => typeof row[column] === 'number' || /^[-–\d.,]+( ?[×%KM/s]*)?$/.test(String(row[column]))),
  );
  const line = (row: readonly string[]): string =>
    row
      .map((cell, column) => (numeric[column] ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!)))
      .join('  ')
      .trimEnd();
  const out = [`## ${table.title}`, '', line(cells[0]!), widths.map((w) => '-'.repeat(w)).join('  ')];
  for (const row of cells.slice(1)) out.push(line(row));
  for (const note of table.notes ?? []) out.push(`  ${note}`);
  return out.join('\n');
}

/** The table as Markdown (for docs/benchmarks.md). */
export function markdownTable(table: Table): string {
  const out = [`| ${table.columns.join(' | ')} |`, `|${table.columns.map(() => '---').join('|')}|`];
  for (const row of table.rows) out.push(`| ${row.map(String).join(' | ')} |`);
  return out.join('\n');
}
