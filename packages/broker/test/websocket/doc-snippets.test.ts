/**
 * Runs every snippet of docs/websocket.md that starts with `// example: <file>` as
 * written, each in its own process (see fixtures/doc-snippets.ts).
 */
import * as path from 'node:path';
import { runTsFile, writeDocSnippets } from '../fixtures/doc-snippets';

jest.setTimeout(120_000);

const { dir, snippets } = writeDocSnippets(path.join(__dirname, '../../../../docs/websocket.md'), __dirname, '.doc-run-');

test('docs/websocket.md has runnable server and client snippets', () => {
  expect(snippets.map((s) => s.file)).toEqual(['websocket-server.ts', 'websocket-client.ts']);
});

test.each(snippets.map((s) => s.file))('docs/websocket.md snippet %s runs and its assertions hold', async (file) => {
  const { code, output } = await runTsFile(path.join(dir, file));
  if (code !== 0) throw new Error(`${file} exited with ${code}:\n${output}`);
  expect(output).toBe('');
});
