/**
 * Where the runtime's worker entry script is.
 */
import * as path from 'node:path';

/** True when this runtime runs from its TypeScript sources (tests, tsx), false when compiled. */
export const runningFromSource = path.extname(__filename) === '.ts';

/** Absolute path of `worker-main` beside this file, `.ts` or `.js` like this runtime. */
export function workerEntryPath(): string {
  return path.join(__dirname, `worker-main${runningFromSource ? '.ts' : '.js'}`);
}
