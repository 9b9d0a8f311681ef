/** WAL file names: recognition, the embedded LSN, order, and the names we create. */
import test from 'ava';
import {
  compareWalFileNames,
  isBackupFileName,
  isTempFileName,
  isWalFileName,
  plainWalFileName,
  rotatedWalFileName,
  rotationSequence,
  walFileLsn,
  walTimestamp,
} from '../../ts/wal/wal-file-names';

const at = 1_774_097_320_000_000_000n; // 2026-03-21T12:48:40Z

test('names are stoolap’s: UTC YYYYMMDD-HHMMSS, 8-digit rotation sequence', (t) => {
  t.is(walTimestamp(at), '20260321-124840');
  t.is(plainWalFileName(at, 0n), 'wal-20260321-124840-lsn-0.log');
  t.is(rotatedWalFileName(3, at, 1234n), 'wal_00000003-20260321-124840-lsn-1234.log');
});

test('WAL files are wal-*.log and wal_*.log but not wal-temp-*.log', (t) => {
  t.true(isWalFileName('wal-20260321-124840-lsn-0.log'));
  t.true(isWalFileName('wal_00000001-20260321-124840-lsn-9.log'));
  t.false(isWalFileName('wal-temp-123.log'));
  t.false(isWalFileName('checkpoint.meta'));
  t.true(isTempFileName('wal-temp-123.log'));
  t.true(isBackupFileName('wal-20260321-124840-lsn-0.log.bak'));
  t.false(isBackupFileName('notes.bak'));
});

test('the embedded LSN is the integer after the first lsn- (0 when absent)', (t) => {
  t.is(walFileLsn('wal_00000001-20260321-124840-lsn-18446744073709551615.log'), 18446744073709551615n);
  t.is(walFileLsn('wal-odd.log'), 0n);
  t.is(rotationSequence('wal_00000012-20260321-124840-lsn-9.log'), 12);
  t.is(rotationSequence('wal-20260321-124840-lsn-9.log'), 0);
});

test('files sort by LSN, then truncated before rotated, then by sequence', (t) => {
  const names = [
    'wal_00000002-20260321-124841-lsn-50.log',
    'wal-20260321-124840-lsn-50.log',
    'wal_00000001-20260321-124840-lsn-50.log',
    'wal-20260321-124800-lsn-0.log',
    'wal_00000003-20260321-124842-lsn-100.log',
  ];
  t.deepEqual([...names].sort(compareWalFileNames), [
    'wal-20260321-124800-lsn-0.log',
    'wal-20260321-124840-lsn-50.log',
    'wal_00000001-20260321-124840-lsn-50.log',
    'wal_00000002-20260321-124841-lsn-50.log',
    'wal_00000003-20260321-124842-lsn-100.log',
  ]);
});
