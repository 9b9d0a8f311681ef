/**
 * `npm run bench [-- [filter...] [--json] [--markdown] [--quick] [--runs N] [--sample-ms N]]`
 *
 * Discovers `bench/*.bench.ts` and runs every module, or with filters: each module whose
 * file name contains a filter (all of it), and, of a module that exports `tags` (its case
 * groups), just the groups a filter names (`npm run bench -- crc32`).
 * Tables are printed as each finishes (as Markdown with `--markdown`, for docs/benchmarks.md);
 * `--json` also writes them, with the machine's description, to
 * `bench-results/<time>-<module>.json` (gitignored).
 *
 * Run benchmarks on an otherwise idle machine: they compare subjects interleaved in one
 * process, which cancels slow drift, not a second benchmark competing for the same cores.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { basename, join } from 'node:path';
import { formatTable, markdownTable, type BenchOptions, type Table } from './harness';

interface BenchModule {
  run(options: BenchOptions): Promise<void>;
  /** The module's case groups, selectable by filter (`options.wants(group)`). */
  tags?: readonly string[];
}

interface Cli {
  filters: string[];
  json: boolean;
  markdown: boolean;
  quick: boolean;
  runs: number;
  sampleMs: number;
}

function parseArgs(argv: readonly string[]): Cli {
  const cli: Cli = { filters: [], json: false, markdown: false, quick: false, runs: 9, sampleMs: 15 };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i]!;
    const number = (): number => {
      const value = Number(argv[(i += 1)]);
      if (!Number.isFinite(value) || value <= 0) throw new Error(`${arg} needs a positive number`);
      return value;
    };
    if (arg === '--json') cli.json = true;
    else if (arg === '--markdown') cli.markdown = true;
    else if (arg === '--quick') cli.quick = true;
    else if (arg === '--runs') cli.runs = Math.max(5, Math.floor(number()));
    else if (arg === '--sample-ms') cli.sampleMs = number();
    else if (arg.startsWith('--')) throw new Error(`unknown option ${arg}`);
    else cli.filters.push(arg.toLowerCase());
  }
  return cli;
}

/** Busy and total CPU time of the whole machine so far (Linux `/proc/stat`), in seconds. */
function machineCpu(): { busy: number; total: number } | undefined {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const total = fields.reduce((sum, value) => sum + value, 0);
    return { busy: (total - fields[3]! - (fields[4] ?? 0)) / 100, total: total / 100 };
  } catch {
    return undefined;
  }
}

/**
 * How busy the machine was while a module ran, and how much of that was this process: the
 * interleaving cancels drift, not another job competing for the same cores.
 */
function loadReport(start: ReturnType<typeof machineCpu>, startOwn: NodeJS.CpuUsage): string | undefined {
  const end = machineCpu();
  if (start === undefined || end === undefined || end.total <= start.total) return undefined;
  const own = process.cpuUsage(startOwn);
  const busy = (end.busy - start.busy) / (end.total - start.total);
  const mine = (own.user + own.system) / 1e6 / (end.total - start.total);
  const line = `machine busy ${(busy * 100).toFixed(0)}% of all cores during the run (this process ${(mine * 100).toFixed(0)}%)`;
  return busy - mine > 0.35 ? `${line}: other processes competed for the CPU, so ratios are unreliable; re-run on an idle machine` : line;
}

async function main(): Promise<void> {
  const cli = parseArgs(process.argv.slice(2));
  const files = readdirSync(__dirname)
    .filter((file) => file.endsWith('.bench.ts'))
    .sort();
  let ran = 0;
  for (const file of files) {
    const name = basename(file, '.bench.ts');
    const module = (await import(join(__dirname, file))) as BenchModule;
    const wholeModule = cli.filters.length === 0 || cli.filters.some((f) => name.toLowerCase().includes(f));
    const groups = (module.tags ?? []).map((tag) => tag.toLowerCase());
    const groupFilters = cli.filters.filter((f) => groups.some((group) => group.includes(f)));
    if (!wholeModule && groupFilters.length === 0) continue;
    const tables: Table[] = [];
    const options: BenchOptions = {
      runs: cli.runs,
      sampleMs: cli.sampleMs,
      quick: cli.quick,
      wants: (group) => wholeModule || groupFilters.some((f) => group.toLowerCase().includes(f)),
      report(table) {
        tables.push(table);
        console.log(cli.markdown ? `### ${table.title}\n\n${markdownTable(table)}\n${(table.notes ?? []).map((n) => `\n${n}`).join('')}\n` : `${formatTable(table)}\n`);
      },
    };
    console.log(`# ${name} (median of ${cli.runs} interleaved runs, ~${cli.sampleMs} ms per sample)\n`);
    const cpuAtStart = machineCpu();
    const ownAtStart = process.cpuUsage();
    await module.run(options);
    ran += 1;
    const load = loadReport(cpuAtStart, ownAtStart);
    if (load !== undefined) console.log(`${load}\n`);
    if (cli.json && tables.length > 0) writeJson(name, cli, tables, load);
  }
  if (ran === 0) {
    console.error(`no benchmark matched ${cli.filters.join(', ') || '(nothing to run)'}; modules: ${files.join(', ')}`);
    process.exitCode = 1;
  }
}

function writeJson(module: string, cli: Cli, tables: readonly Table[], load: string | undefined): void {
  const dir = join(__dirname, '..', 'bench-results');
  mkdirSync(dir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '');
  const file = join(dir, `${stamp}-${module}.json`);
  const machine = {
    node: process.version,
    v8: process.versions.v8,
    platform: `${process.platform}-${process.arch}`,
    cpu: cpus()[0]?.model,
    cpus: cpus().length,
    loadavg: loadavg(),
    load,
  };
  writeFileSync(file, `${JSON.stringify({ module, date: new Date().toISOString(), machine, options: cli, tables }, null, 2)}\n`);
  console.log(`wrote ${file}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
