/**
 * `permafrost verify <dir> [--json]`: checks every checksum of a database directory and the
 * cross-references between manifests, catalog, volumes and WAL (store-checks.ts lists them),
 * without opening the store: it takes no lock, runs no recovery and changes nothing, so it
 * also works on a damaged directory and on one a crashed process left behind.
 *
 * Prints each finding with its file and offset as it is found. Warnings (leftovers a crash
 * legitimately leaves, repaired by the next open) do not stop it; the first error does.
 * Exit code 0: no error (warnings allowed); 1: an error was found; 2: usage or I/O failure.
 * `--json` prints one document `{ ok, path, findings, summary }` instead.
 */
import type { Command, CommandIo, ParsedArgs } from './command';
import { databaseDirectory } from './database-dir';
import { bytes, count, jsonText } from './format';
import { emptySummary, verifyStoreDirectory, type Finding, type VerifySummary } from './store-checks';

function findingLine(item: Finding): string {
  const where = item.file === undefined ? '' : item.offset === undefined ? ` (${item.file})` : ` (${item.file}, offset ${item.offset})`;
  return `${item.level} ${item.code}: ${item.message}${where}`;
}

function summaryLine(path: string, summary: VerifySummary, warnings: number): string {
  const checkpoint = summary.checkpointLsn === undefined ? 'no checkpoint.meta' : `checkpoint.meta LSN ${summary.checkpointLsn}`;
  const parts = [
    `WAL ${summary.walFiles} file(s), ${count(summary.walEntries)} entries, last LSN ${summary.walLastLsn} (${checkpoint})`,
    `${summary.tables} table manifest(s), ${summary.volumes} volume(s) with ${count(summary.volumeRows)} rows (${bytes(summary.volumeBytes)})`,
    summary.catalog === 'checked' ? 'catalog consistent' : 'no catalog',
  ];
  if (summary.snapshotTables > 0) parts.push(`${summary.snapshotTables} legacy snapshot table(s)`);
  return `ok ${path}: ${parts.join('; ')}; ${warnings} warning(s)`;
}

async function verify(args: ParsedArgs, io: CommandIo): Promise<number> {
  const path = await databaseDirectory(args.positionals[0], 'verify');
  const json = args.flags.has('json');
  const summary = emptySummary();
  const findings: Finding[] = [];
  let failed = false;
  for await (const item of verifyStoreDirectory(path, summary)) {
    findings.push(item);
    if (!json) io.out(findingLine(item));
    if (item.level === 'error') {
      failed = true;
      break; // the first error is the answer; later checks may only repeat its consequences
    }
  }
  const warnings = findings.filter((item) => item.level === 'warning').length;
  if (json) io.out(jsonText({ ok: !failed, path, findings, summary }));
  else if (!failed) io.out(summaryLine(path, summary, warnings));
  return failed ? 1 : 0;
}

export const verifyStoreCommand: Command = {
  usage: '<dir> [--json]',
  summary: 'check every checksum and the cross-references of manifests, catalog, volumes and WAL without opening the store; exit 1 at the first problem',
  run: verify,
};
