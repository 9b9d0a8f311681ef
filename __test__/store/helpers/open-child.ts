/**
 * `node --import=tsx open-child.ts <dir>`: opens the store in `<dir>` and closes it — for
 * crashing (PERMAFROST_CRASH_AT) the checkpoint an open runs itself, such as the migration of a
 * stoolap 0.3.7 directory into volumes.
 */
import { Store } from '../../../ts/index';
import { nodeFileSystem } from '../../../ts/io/file-system';
import { withTruncationCrashPoints } from '../../../ts/store/crash-points';

async function main(): Promise<void> {
  const [dir] = process.argv.slice(2);
  if (dir === undefined) throw new Error('usage: open-child.ts <dir>');
  const store = await Store.open(dir, { checkpointIntervalMs: 0, fileSystem: withTruncationCrashPoints(nodeFileSystem) });
  await store.close();
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(2);
});
