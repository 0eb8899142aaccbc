import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

/*
 * Runs every snippet of docs/guide.md that starts with `// example: <file>` as written,
 * each in its own process (files named `worker-*` are only written: other snippets load
 * them). A snippet checks its own outcome with node:assert, so a failing assertion, a
 * rejection or a process that does not exit on its own fails the test.
 */

jest.setTimeout(120_000);

const GUIDE = path.join(__dirname, '../../../docs/guide.md');

function snippets(): Array<{ file: string; code: string }> {
  const text = readFileSync(GUIDE, 'utf8');
  const out: Array<{ file: string; code: string }> = [];
  for (const m of text.matchAll(/```ts\n(\/\/ example: (\S+)\n[\s\S]*?)```/g)) out.push({ file: m[2], code: m[1] });
  return out;
}

/** Runs a TypeScript file; resolves with its exit code and output. */
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
const dir = mkdtempSync(path.join(__dirname, '.guide-run-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const all = snippets();
for (const s of all) writeFileSync(path.join(dir, s.file), s.code);

test('the guide has runnable snippets for each part', () => {
  expect(all.map((s) => s.file)).toEqual(expect.arrayContaining(['peering.ts', 'pubsub.ts', 'callbacks-and-publishers.ts', 'statuses.ts', 'forwarding.ts', 'worker-main.ts']));
});

test.each(all.filter((s) => !s.file.startsWith('worker-') || s.file === 'worker-main.ts').map((s) => s.file))('guide snippet %s runs and its assertions hold', async (file) => {
  const { code, output } = await run(path.join(dir, file));
  if (code !== 0) throw new Error(`${file} exited with ${code}:\n${output}`);
});
