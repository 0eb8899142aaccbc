/**
 * What keeps a process alive (as a socket or a `setTimeout` would): a pending call with
 * a timeout, a retrying peering; and what does not: an idle endpoint. Each scenario runs
 * in a child process that never calls `process.exit` (see fixtures/process/keep-alive-child.ts).
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import pino from 'pino';
import { Endpoint } from '@broker-ts/broker';

const CHILD = path.join(__dirname, 'fixtures/process/keep-alive-child.ts');

interface Run {
  /** Lines the child printed, in order. */
  lines: string[];
  /** Resolves once the child printed `started`. */
  started: Promise<void>;
  /** Resolves with the exit code once the child exited. */
  exited: Promise<number | null>;
}

function run(...args: string[]): Run {
  const proc = spawn(process.execPath, ['--conditions=@broker-ts/source', '--require', require.resolve('tsx/cjs'), CHILD, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines: string[] = [];
  let markStarted: () => void = () => {};
  const started = new Promise<void>((resolve) => (markStarted = resolve));
  createInterface({ input: proc.stdout }).on('line', (line) => {
    // Log lines (JSON) are not the child's answers.
    if (line.startsWith('{')) return;
    lines.push(line);
    if (line === 'started') markStarted();
  });
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  void exited.then(markStarted);
  return { lines, started, exited };
}

/** A TCP port that is free now (nothing listens on it). */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

test('an idle endpoint with nothing pending lets its process exit by itself', async () => {
  const child = run('idle');
  await expect(child.exited).resolves.toBe(0);
  expect(child.lines).toEqual(['started']);
});

test('a pending sub.get with a timeout keeps the process alive until it times out', async () => {
  const child = run('get', '1500');
  await expect(child.exited).resolves.toBe(0);
  expect(child.lines).toEqual(['started', 'settled null']);
});

test('a pending awaitIdle with a timeout keeps the process alive until it settles', async () => {
  const child = run('await-idle', '1500');
  await expect(child.exited).resolves.toBe(0);
  expect(child.lines).toEqual(['started', 'settled false']);
});

test.each([
  ['an awaited peer with retry', 'peer', 'settled true'],
  ['a retrying peerNoWait', 'retry', 'settled peer_added'],
])('%s keeps the process alive until the peer listens', async (_what, scenario, last) => {
  const port = await freePort();
  const child = run(scenario, String(port));
  await child.started;
  // The child retries every 200 ms; open the port only after it failed a few times.
  const early = await Promise.race([child.exited.then(() => 'exited'), new Promise((r) => setTimeout(r, 1000, 'alive'))]);
  expect(early).toBe('alive');
  const listener = new Endpoint({ name: 'late-listener', logger: pino({ level: 'silent' }) });
  try {
    await listener.listen('127.0.0.1', port);
    await expect(child.exited).resolves.toBe(0);
    expect(child.lines).toEqual(['started', last]);
  } finally {
    await listener.shutdown();
  }
});
