/**
 * The library is quiet: nothing on stdout; on stderr, one warning for a peering that
 * keeps failing and none for orderly unpeering and shutdowns.
 */
import { execFile } from 'node:child_process';
import * as path from 'node:path';

const SCRIPT = path.join(__dirname, 'fixtures', 'process', 'quiet-node.ts');

test('default logging: stdout stays empty, a failing retry warns once, orderly ends never warn', async () => {
  const env = { ...process.env };
  delete env.BROKER_TS_LOG_LEVEL;
  const { stdout, stderr } = await new Promise<{ stdout: string; stderr: string }>((resolve, reject) => {
    execFile(process.execPath, ['--conditions=@broker-ts/source', '--require', require.resolve('tsx/cjs'), SCRIPT], { env, timeout: 60_000 }, (err, out, errOut) => {
      if (err) reject(new Error(`${err.message}\n${errOut}`));
      else resolve({ stdout: out, stderr: errOut });
    });
  });
  expect(stdout).toBe('');
  const lines = stderr.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as { level: number; msg: string; event?: string });
  const warnings = lines.filter((l) => l.level >= 40);
  expect(warnings.map((w) => w.event)).toEqual(['error']);
  expect(warnings[0].msg).toMatch(/unable to connect to remote peer.*retrying every 20 ms/);
}, 90_000);
