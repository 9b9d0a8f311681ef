/**
 * The native loader (ts/native.ts). Each resolution scenario runs in a child process on a
 * copy of `ts/` and `scripts/` in a temporary directory, whose package root has no binary
 * unless the scenario puts one there, so the binding cached by this process is never
 * touched and the checkout's own binary cannot satisfy the search.
 */
import test from 'ava';
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import { callNative, fromNativeError, native } from '../../ts/native';
import { PermafrostError, lz4DecompressSizePrepended } from '../../ts/index';

const ROOT = resolve(__dirname, '..', '..');
const requireCjs = createRequire(__filename);
const target = requireCjs(join(ROOT, 'scripts', 'native-target.cjs')) as {
  platformArchAbi(): string | null;
  localBinaryPath(triple: string): string;
};
const TRIPLE = target.platformArchAbi()!;
const REAL_BINARY = target.localBinaryPath(TRIPLE);
const VERSION = (requireCjs(join(ROOT, 'package.json')) as { version: string }).version;
/** The ABI version this checkout's loader expects (the real addon reports it). */
const ABI = native().abiVersion();

interface Outcome {
  readonly loaded: boolean;
  readonly crc?: number;
  readonly code?: string;
  readonly message?: string;
}

const sandboxes: string[] = [];
test.after.always(() => {
  for (const dir of sandboxes) rmSync(dir, { recursive: true, force: true });
});

/** A package root with permafrost's sources and no native binary. */
function sandbox(): string {
  const dir = mkdtempSync(join(tmpdir(), 'permafrost-loader-'));
  sandboxes.push(dir);
  cpSync(join(ROOT, 'ts'), join(dir, 'ts'), { recursive: true });
  cpSync(join(ROOT, 'scripts'), join(dir, 'scripts'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'permafrost', version: VERSION }));
  return dir;
}

/** A JS stand-in for the addon: `abiVersion()` returns `abi` (none if undefined), `crc32()` returns 42. */
function fakeBinding(dir: string, file: string, abi: number | undefined): string {
  const path = join(dir, file);
  const abiVersion = abi === undefined ? '' : `abiVersion: () => ${abi},`;
  writeFileSync(path, `module.exports = { ${abiVersion} crc32: () => 42 };\n`);
  return path;
}

/** Loads the binding from `root` in a child process and reports what happened. */
async function load(root: string, env: Record<string, string> = {}): Promise<Outcome> {
  const script = `
    const { native } = require(${JSON.stringify(join(root, 'ts', 'native.ts'))});
    let outcome;
    try { outcome = { loaded: true, crc: native().crc32(Buffer.from('123456789')) }; }
    catch (error) { outcome = { loaded: false, code: error.code, message: error.message }; }
    process.stdout.write(JSON.stringify(outcome));`;
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  if (!('PERMAFROST_NATIVE_PATH' in env)) delete childEnv['PERMAFROST_NATIVE_PATH'];
  const { stdout } = await promisify(execFile)(process.execPath, ['--import=tsx', '-e', script], { cwd: ROOT, env: childEnv });
  return JSON.parse(stdout) as Outcome;
}

test('PERMAFROST_NATIVE_PATH is loaded first', async (t) => {
  const root = sandbox();
  const outcome = await load(root, { PERMAFROST_NATIVE_PATH: fakeBinding(root, 'fake.cjs', ABI) });
  t.deepEqual(outcome, { loaded: true, crc: 42 });
});

test('PERMAFROST_NATIVE_PATH may name the real addon anywhere on disk', async (t) => {
  const outcome = await load(sandbox(), { PERMAFROST_NATIVE_PATH: REAL_BINARY });
  t.deepEqual(outcome, { loaded: true, crc: 0xcbf43926 });
});

test('the local binary next to the package root is used', async (t) => {
  const root = sandbox();
  cpSync(REAL_BINARY, target.localBinaryPath(TRIPLE).replace(ROOT, root));
  t.deepEqual(await load(root), { loaded: true, crc: 0xcbf43926 });
});

test('a missing binary is ERR_NATIVE_BINDING naming the triple, every path tried and the fix', async (t) => {
  const root = sandbox();
  const outcome = await load(root);
  t.false(outcome.loaded);
  t.is(outcome.code, 'ERR_NATIVE_BINDING');
  const message = outcome.message ?? '';
  t.true(message.includes(`for ${TRIPLE}`), message);
  t.true(message.includes(join(root, `permafrost.${TRIPLE}.node`)), message);
  t.true(message.includes(`permafrost-${TRIPLE}`), message);
  t.true(message.includes('Fix:') && message.includes('scripts/build-native.cjs'), message);
  t.true(message.includes('npm rebuild permafrost'), message);
});

test('a binary with another ABI version is refused', async (t) => {
  const root = sandbox();
  const outcome = await load(root, { PERMAFROST_NATIVE_PATH: fakeBinding(root, 'stale.cjs', 999) });
  t.is(outcome.code, 'ERR_NATIVE_BINDING');
  t.true(outcome.message?.includes(`native ABI version 999, expected ${ABI}`), outcome.message);
});

test('a binary without an ABI version is refused', async (t) => {
  const root = sandbox();
  const outcome = await load(root, { PERMAFROST_NATIVE_PATH: fakeBinding(root, 'ancient.cjs', undefined) });
  t.is(outcome.code, 'ERR_NATIVE_BINDING');
  t.true(outcome.message?.includes('native ABI version undefined'), outcome.message);
});

/** Installs a fake `permafrost-<triple>` platform package of `version` under `root`. */
function platformPackage(root: string, version: string): void {
  const dir = join(root, 'node_modules', `permafrost-${TRIPLE}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `permafrost-${TRIPLE}`, version, main: 'binding.cjs' }));
  fakeBinding(dir, 'binding.cjs', ABI);
}

test('the platform package of the same version is loaded', async (t) => {
  const root = sandbox();
  platformPackage(root, VERSION);
  t.deepEqual(await load(root), { loaded: true, crc: 42 });
});

test('a platform package of another version is refused', async (t) => {
  const root = sandbox();
  platformPackage(root, '9.9.9');
  const outcome = await load(root);
  t.is(outcome.code, 'ERR_NATIVE_BINDING');
  t.true(outcome.message?.includes(`version 9.9.9 does not match permafrost ${VERSION}`), outcome.message);
});

// The WAL's constants come from the addon (defined once in Rust), so importing the package
// loads it: without any binary the import itself fails, with the loader's full message.
test('importing the package without a binary fails at once with ERR_NATIVE_BINDING and the fix', async (t) => {
  const root = sandbox();
  const script = `
    let outcome = 'imported';
    try { require(${JSON.stringify(join(root, 'ts', 'index.ts'))}); } catch (error) { outcome = error.code + '\\n' + error.message; }
    process.stdout.write(outcome);`;
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env['PERMAFROST_NATIVE_PATH'];
  const { stdout } = await promisify(execFile)(process.execPath, ['--import=tsx', '-e', script], { cwd: ROOT, env });
  const [code, ...message] = stdout.split('\n');
  t.is(code, 'ERR_NATIVE_BINDING');
  t.regex(message.join('\n'), /build-native\.cjs --force/);
});

test('the binding is loaded once and cached', (t) => {
  t.is(native(), native());
});

test('a coded native error keeps its code and offset', (t) => {
  const error = fromNativeError(new Error('ERR_CORRUPT: value 3 is malformed at offset 17'));
  t.true(error instanceof PermafrostError);
  t.is(error.code, 'ERR_CORRUPT');
  t.is(error.offset, 17);
  t.is(error.what, 'value 3 is malformed');
});

test('a coded native error without an offset has none', (t) => {
  const error = fromNativeError(new Error('ERR_LIMIT: too big'));
  t.is(error.code, 'ERR_LIMIT');
  t.is(error.offset, undefined);
});

test('a Rust-side error from the addon arrives with its code and offset', (t) => {
  const error = t.throws(() => lz4DecompressSizePrepended(Buffer.from([1, 2]), 100), { instanceOf: PermafrostError });
  t.is(error?.code, 'ERR_TRUNCATED');
  t.is(error?.offset, 0);
});

test('a native error without a known code is ERR_INTERNAL', (t) => {
  t.is(fromNativeError(new Error('ERR_NOT_A_CODE: x')).code, 'ERR_INTERNAL');
  t.is(fromNativeError(new Error('thread panicked')).code, 'ERR_INTERNAL');
});

test('a napi-rs conversion failure from the addon is ERR_INTERNAL', (t) => {
  const error = t.throws(() => callNative((binding) => binding.lz4CompressBound('x' as unknown as number)), {
    instanceOf: PermafrostError,
  });
  t.is(error?.code, 'ERR_INTERNAL');
});
