'use strict';
// `npm install` hook: make sure a native addon exists, then (in a checkout, where the
// TypeScript sources and compiler are present) compile ts/ to dist/.

const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { ROOT } = require('./native-target.cjs');

function run(command, args) {
  const result = spawnSync(command, args, { cwd: ROOT, stdio: 'inherit' });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

let status = run(process.execPath, [path.join(__dirname, 'build-native.cjs'), '--if-missing']);
const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
if (status === 0 && fs.existsSync(path.join(ROOT, 'ts')) && fs.existsSync(tsc)) {
  status = run(process.execPath, [tsc, '-p', 'tsconfig.json']);
  // tsc writes files 0644; the CLI (package.json "bin") must run as ./dist/cli/main.js too.
  const bin = path.join(ROOT, 'dist', 'cli', 'main.js');
  if (status === 0 && fs.existsSync(bin)) fs.chmodSync(bin, 0o755);
}
process.exitCode = status;
