import { workerExecArgv } from './worker-exec-argv';

describe('workerExecArgv', () => {
  test('adds the tsx loader and the source condition only when a TypeScript file is involved', () => {
    expect(workerExecArgv('/x/main.js', '/x/mod.js')).toEqual([]);
    expect(workerExecArgv('/x/main.js', undefined)).toEqual([]);
    const ts = workerExecArgv('/x/main.js', '/x/mod.ts');
    expect(ts[0]).toBe('--conditions=@broker-ts/source');
    expect(ts[1]).toBe('--require');
    expect(ts[2]).toMatch(/tsx/);
  });
});
