'use strict';
// Which prebuilt addon fits this machine. Shared by the loader (ts/native.ts) and the
// from-source builder (scripts/build-native.cjs) so both agree on one file name.
// Names follow napi-rs: <binaryName>.<platformArchABI>.node and <package>-<platformArchABI>.

const path = require('node:path');

const BINARY_NAME = 'permafrost';
const PACKAGE_NAME = 'permafrost';
const ROOT = path.join(__dirname, '..');

function isMusl() {
  if (process.platform !== 'linux') return false;
  const report = typeof process.report?.getReport === 'function' ? process.report.getReport() : null;
  const header = report && typeof report === 'object' ? report.header : null;
  return !(header && header.glibcVersionRuntime);
}

/** The napi-rs platformArchABI of this process, e.g. `linux-x64-gnu`, or null if unsupported. */
function platformArchAbi() {
  const { platform, arch } = process;
  if (platform === 'linux' && (arch === 'x64' || arch === 'arm64')) {
    return `linux-${arch}-${isMusl() ? 'musl' : 'gnu'}`;
  }
  if (platform === 'darwin' && (arch === 'x64' || arch === 'arm64')) return `darwin-${arch}`;
  if (platform === 'win32' && arch === 'x64') return 'win32-x64-msvc';
  return null;
}

function localBinaryPath(triple) {
  return path.join(ROOT, `${BINARY_NAME}.${triple}.node`);
}

function platformPackageName(triple) {
  return `${PACKAGE_NAME}-${triple}`;
}

module.exports = { BINARY_NAME, PACKAGE_NAME, ROOT, platformArchAbi, localBinaryPath, platformPackageName };
