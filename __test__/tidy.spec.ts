/**
 * Style and dependency rules, as tests (aesthetics.md G15). Each rule names the files that
 * break it, so a failure says what to fix.
 */
import test from 'ava';
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..');

/**
 * The fewest `*.spec.ts` files the suite may have. Raise it when specs are added; a drop
 * means specs were deleted or moved out of ava's glob (`__test__/**`).
 */
const SPEC_FILE_FLOOR = 16;
const MAX_LINES = 400;
/** A file over MAX_LINES must say why within its first lines: `tidy: long file — <reason>`. */
const LONG_FILE_JUSTIFICATION = /tidy: long file\s*[—:-]\s*\S.{10,}/;

/** Files under `dir` (relative to the root) whose names match `pattern`; skips build and dependency folders. */
function walk(dir: string, pattern: RegExp): string[] {
  const out: string[] = [];
  const visit = (path: string): void => {
    for (const entry of readdirSync(join(ROOT, path), { withFileTypes: true })) {
      const child = join(path, entry.name);
      if (entry.isDirectory()) {
        if (!['node_modules', 'target', 'dist'].includes(entry.name)) visit(child);
      } else if (pattern.test(entry.name)) {
        out.push(child);
      }
    }
  };
  visit(dir);
  return out.sort();
}

const read = (file: string): string => readFileSync(join(ROOT, file), 'utf8');

test('only ts/native.ts loads the .node binding or scripts/native-target.cjs', (t) => {
  const loads = /\b(?:require|import|from|dlopen)\b.*(?:\.node['"`]|native-target)|\bprocess\.dlopen\b/;
  const offenders = [...walk('ts', /\.ts$/), ...walk('bench', /\.ts$/)]
    .filter((file) => file !== join('ts', 'native.ts'))
    .flatMap((file) =>
      read(file)
        .split('\n')
        .map((line, index) => ({ line: line.trim(), at: `${file}:${index + 1}` }))
        .filter(({ line }) => !line.startsWith('//') && !line.startsWith('*') && loads.test(line))
        .map(({ line, at }) => `${at}: ${line}`),
    );
  t.deepEqual(offenders, []);
});

test('no Buffer method under ts/ reads or writes big-endian', (t) => {
  const offenders = walk('ts', /\.ts$/).flatMap((file) =>
    read(file)
      .split('\n')
      .flatMap((line, index) => (/\.(?:read|write)\w*BE\b/.test(line) ? [`${file}:${index + 1}: ${line.trim()}`] : [])),
  );
  t.deepEqual(offenders, []);
});

/** The argument list of the call whose `(` is at `open`, split at top-level commas. */
function callArguments(source: string, open: number): string[] {
  const args: string[] = [];
  let depth = 0;
  let start = open + 1;
  for (let i = open; i < source.length; i += 1) {
    const c = source[i];
    if (c === '(' || c === '[' || c === '{') depth += 1;
    else if (c === ')' || c === ']' || c === '}') {
      depth -= 1;
      if (depth === 0) {
        args.push(source.slice(start, i).trim());
        return args.filter((arg) => arg !== '');
      }
    } else if (c === ',' && depth === 1) {
      args.push(source.slice(start, i).trim());
      start = i + 1;
    }
  }
  return args;
}

test('every multi-byte DataView access under ts/ passes littleEndian = true', (t) => {
  // DataView defaults to big-endian when the flag is left out.
  const access = /\.(get|set)(Int16|Uint16|Int32|Uint32|BigInt64|BigUint64|Float32|Float64)\(/g;
  const offenders: string[] = [];
  for (const file of walk('ts', /\.ts$/)) {
    const source = read(file);
    for (const match of source.matchAll(access)) {
      const args = callArguments(source, match.index + match[0].length - 1);
      const wanted = match[1] === 'get' ? 2 : 3;
      if (args.length !== wanted || args[wanted - 1] !== 'true') {
        const line = source.slice(0, match.index).split('\n').length;
        offenders.push(`${file}:${line}: ${match[0]}${args.join(', ')})`);
      }
    }
  }
  t.deepEqual(offenders, []);
});

/** The lines that count against MAX_LINES: a Rust file's inline `#[cfg(test)]` module does not. */
function codeLines(file: string): string[] {
  const lines = read(file).split('\n');
  const tests = file.endsWith('.rs') ? lines.findIndex((line) => line.trim() === '#[cfg(test)]') : -1;
  return tests === -1 ? lines : lines.slice(0, tests);
}

test(`no source file under ts/ or crates/ exceeds ${MAX_LINES} lines (Rust: before its tests) without a justification at its top`, (t) => {
  const offenders = [...walk('ts', /\.(ts|cjs)$/), ...walk('crates', /\.rs$/)].filter((file) => {
    const lines = codeLines(file);
    if (lines.length <= MAX_LINES) return false;
    return !LONG_FILE_JUSTIFICATION.test(lines.slice(0, 15).join('\n'));
  });
  t.deepEqual(offenders, []);
});

/** True inside a git checkout with git installed (not in the slim test containers of CI). */
const inGitCheckout = spawnSync('git', ['rev-parse', '--is-inside-work-tree'], { cwd: ROOT }).status === 0;

(inGitCheckout ? test : test.skip)('no build output or dependency is committed', (t) => {
  const tracked = execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' }).split('\0').filter(Boolean);
  t.true(tracked.length > 0, 'git ls-files listed nothing');
  const generated = /(^|\/)(target|dist|node_modules|bench-results|artifacts)\/|\.node$/;
  t.deepEqual(
    tracked.filter((file) => generated.test(file)),
    [],
  );
});

test(`the suite keeps at least ${SPEC_FILE_FLOOR} spec files`, (t) => {
  const specs = walk('__test__', /\.spec\.ts$/).map((file) => relative('__test__', file));
  t.true(specs.length >= SPEC_FILE_FLOOR, `${specs.length} spec files: ${specs.join(', ')}`);
});
