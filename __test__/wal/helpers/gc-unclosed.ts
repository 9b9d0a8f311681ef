/**
 * Child for the finalizer test (needs --expose-gc): opens a database directory, drops the
 * manager without closing it, collects garbage, then opens the directory again.
 * Usage: node --expose-gc --import tsx gc-unclosed.ts <dir>
 */
import { PersistenceManager } from '../../../ts/persistence/persistence-manager';

async function main(dir: string): Promise<void> {
  await (async () => {
    await PersistenceManager.open(dir);
  })();
  const collect = (globalThis as { gc?: () => void }).gc!;
  for (let attempt = 0; attempt < 50; attempt += 1) {
    collect();
    await new Promise((resolve) => setTimeout(resolve, 10));
    try {
      const pm = await PersistenceManager.open(dir);
      process.stdout.write(`reopened ${pm.status}\n`);
      await pm.close();
      return;
    } catch {
      // not collected yet
    }
  }
  process.stdout.write('still locked\n');
}

if (require.main === module) void main(process.argv[2]!);
