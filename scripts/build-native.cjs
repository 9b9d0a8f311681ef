'use strict';
// Builds the Rust addon from source with cargo and copies it to <root>/permafrost.<triple>.node,
// the first place the loader looks after PERMAFROST_NATIVE_PATH.
//
//   node scripts/build-native.cjs --if-missing   build only when no usable binary exists
//                                                (or the Rust sources are newer than it)
//   node scripts/build-native.cjs --force        always build
//
// PERMAFROST_SKIP_BUILD=1 skips the build. This script never downloads anything but crates.

const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { ROOT, platformArchAbi, localBinaryPath, platformPackageName } = require('./native-target.cjs');

function newestSourceMtimeMs() {
  let newest = 0;
  const visit = (target) => {
    let stat;
    try {
      stat = fs.statSync(target);
    } catch {
      return;
    }
    if (stat.isDirectory()) {
      for (const entry of fs.readdirSync(target)) {
        if (entry !== 'target') visit(path.join(target, entry));
      }
    } else if (/\.(rs|toml|lock)$/.test(target)) {
      newest = Math.max(newest, stat.mtimeMs);
    }
  };
  visit(path.join(ROOT, 'crates', 'core'));
  visit(path.join(ROOT, 'crates', 'node'));
  visit(path.join(ROOT, 'Cargo.toml'));
  visit(path.join(ROOT, 'Cargo.lock'));
  return newest;
}

function platformPackageFits(triple) {
  try {
    const manifest = require.resolve(`${platformPackageName(triple)}/package.json`, { paths: [ROOT] });
    const own = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version;
    return JSON.parse(fs.readFileSync(manifest, 'utf8')).version === own;
  } catch {
    return false;
  }
}

function sharedLibraryName() {
  if (process.platform === 'win32') return 'permafrost_node.dll';
  if (process.platform === 'darwin') return 'libpermafrost_node.dylib';
  return 'libpermafrost_node.so';
}

function main() {
  const force = process.argv.includes('--force');
  const triple = platformArchAbi();
  if (process.env.PERMAFROST_SKIP_BUILD === '1') {
    console.log('permafrost: PERMAFROST_SKIP_BUILD=1, not building the native addon');
    return 0;
  }
  if (!triple) {
    console.error(`permafrost: no native build for ${process.platform}-${process.arch}`);
    return 1;
  }
  const target = localBinaryPath(triple);
  if (!force) {
    if (fs.existsSync(target) && fs.statSync(target).mtimeMs >= newestSourceMtimeMs()) return 0;
    if (!fs.existsSync(target) && platformPackageFits(triple)) return 0;
  }
  const cargo = process.env.CARGO || 'cargo';
  console.log(`permafrost: building the native addon for ${triple} with cargo (release)...`);
  const args = ['build', '--release', '--locked', '-p', 'permafrost-node'];
  const result = spawnSync(cargo, args, { cwd: ROOT, stdio: 'inherit' });
  if (result.error) {
    console.error(
      `permafrost: could not run cargo (${result.error.message}). Install Rust (https://rustup.rs) ` +
        'and run `npm rebuild permafrost`, or use a platform with a prebuilt binary.',
    );
    return 1;
  }
  if (result.status !== 0) return result.status ?? 1;
  const targetDir = process.env.CARGO_TARGET_DIR || path.join(ROOT, 'target');
  const built = path.join(targetDir, 'release', sharedLibraryName());
  const temporary = `${target}.tmp-${process.pid}`;
  fs.copyFileSync(built, temporary);
  fs.renameSync(temporary, target);
  console.log(`permafrost: wrote ${path.relative(ROOT, target)}`);
  return 0;
}

process.exitCode = main();
