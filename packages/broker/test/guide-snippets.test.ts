/**
 * Runs every snippet of docs/guide.md that starts with `// example: <file>` as written,
 * each in its own process (see fixtures/doc-snippets.ts); files named `worker-*` are only
 * written: other snippets load them.
 */
import * as path from 'node:path';
import { runTsFile, writeDocSnippets } from './fixtures/doc-snippets';

jest.setTimeout(120_000);

const { dir, snippets: all } = writeDocSnippets(path.join(__dirname, '../../../docs/guide.md'), __dirname, '.guide-run-');

test('the guide has runnable snippets for each part', () => {
  expect(all.map((s) => s.file)).toEqual(expect.arrayContaining(['peering.ts', 'pubsub.ts', 'callbacks-and-publishers.ts', 'statuses.ts', 'forwarding.ts', 'worker-main.ts']));
});

test.each(all.filter((s) => !s.file.startsWith('worker-') || s.file === 'worker-main.ts').map((s) => s.file))('guide snippet %s runs and its assertions hold', async (file) => {
  const { code, output } = await runTsFile(path.join(dir, file));
  if (code !== 0) throw new Error(`${file} exited with ${code}:\n${output}`);
});
