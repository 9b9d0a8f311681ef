/**
 * Tries to open a database directory and reports the outcome: as a worker thread it posts the
 * error code (or 'opened'); as a child process it prints it. With `hold`, a successful opener
 * keeps the directory open until killed.
 * Usage: node --import tsx open-attempt.ts <dir> [hold]
 */
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { PersistenceManager } from '../../../ts/persistence/persistence-manager';

async function attempt(dir: string, hold: boolean): Promise<string> {
  try {
    const pm = await PersistenceManager.open(dir);
    if (hold) {
      process.stdout.write('opened\n');
      setInterval(() => undefined, 1000);
      return 'opened';
    }
    await pm.close();
    return 'opened';
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}

if (!isMainThread) {
  void attempt((workerData as { dir: string }).dir, false).then((outcome) => parentPort!.postMessage(outcome));
} else if (require.main === module) {
  const hold = process.argv[3] === 'hold';
  void attempt(process.argv[2]!, hold).then((outcome) => {
    if (!hold || outcome !== 'opened') process.stdout.write(`${outcome}\n`);
  });
}
