import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

/*
 * Runs every snippet of docs/websocket.md that starts with `// example: <file>` as
 * written, each in its own process; a snippet checks its outcome with node:assert, so a
 * failing assertion, a rejection or a process that does not exit fails the test.
 */

jest.setTimeout(120_000);

const DOC = path.join(__dirname, '../../../../docs/websocket.md');

function snippets(): Array<{ file: string; code: string }> {
  const text = readFileSync(DOC, 'utf8');
  return [...text.matchAll(/```ts\n(\/\/ example: (\S+)\n[\s\S]*?)```/g)].map((m) => ({ file: m[2], code: m[1] }));
}

function run(file: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, ['--conditions=@broker-ts/source', '--require', require.resolve('tsx/cjs'), file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    proc.stdout.on('data', (d: Buffer) => (output += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => proc.kill('SIGKILL'), 60_000);
    proc.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

// Inside the package, so that `@broker-ts/broker` resolves to it (self-reference).
const dir = mkdtempSync(path.join(__dirname, '.doc-run-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const all = snippets();
for (const s of all) writeFileSync(path.join(dir, s.file), s.code);

test('docs/websocket.md has runnable server and client snippets', () => {
  expect(all.map((s) => s.file)).toEqual(['websocket-server.ts', 'websocket-client.ts']);
});

test.each(all.map((s) => s.file))('docs/websocket.md snippet %s runs and its assertions hold', async (file) => {
  const { code, output } = await run(path.join(dir, file));
  if (code !== 0) throw new Error(`${file} exited with ${code}:\n${output}`);
  expect(output).toBe('');
});
