import * as fs from 'node:fs';
import { runningFromSource, workerEntryPath } from './worker-entry';

describe('workerEntryPath', () => {
  test('points at an existing worker-main beside it, in the same language as the runtime', () => {
    const entry = workerEntryPath();
    expect(fs.existsSync(entry)).toBe(true);
    expect(entry.endsWith(runningFromSource ? 'worker-main.ts' : 'worker-main.js')).toBe(true);
  });
});
