/**
 * kill -9 of the relay in a chain of processes where every peering retries: the
 * neighbours re-peer with the restarted relay (same port) and traffic flows again.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import pino from 'pino';
import { Endpoint, type Subscriber } from '@broker-ts/broker';

const NODE = path.join(__dirname, '../fixtures/process/endpoint-node.ts');
const children: ChildProcess[] = [];
let eps: Endpoint[] = [];

afterEach(async () => {
  await Promise.all(eps.map((ep) => ep.shutdown()));
  eps = [];
  for (const c of children.splice(0)) {
    if (c.exitCode === null && c.signalCode === null) {
      const gone = new Promise((r) => c.once('exit', r));
      c.kill('SIGKILL');
      await gone;
    }
  }
});

/** Starts an endpoint process and resolves with its port once it printed `ready`. */
function start(env: Record<string, string>): Promise<{ proc: ChildProcess; port: number }> {
  const proc = spawn(process.execPath, ['--conditions=@broker-ts/source', '--require', require.resolve('tsx/cjs'), NODE], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'inherit'] });
  children.push(proc);
  return new Promise((resolve, reject) => {
    createInterface({ input: proc.stdout! }).on('line', (line) => {
      const [word, port] = line.split(' ');
      if (word === 'ready') resolve({ proc, port: Number(port) });
    });
    proc.once('exit', (code, signal) => reject(new Error(`endpoint process exited (${code ?? signal}) before it was ready`)));
  });
}

/** Publishes numbered probes until one comes back through the chain; resolves with it. */
async function roundTrip(a: Endpoint, back: Subscriber, from: number): Promise<number> {
  let n = from;
  const probe = setInterval(() => a.publish('/chain/to-c', n++), 50);
  try {
    for (;;) {
      const [, value] = await back.get();
      if (Number(value) >= from) return Number(value);
    }
  } finally {
    clearInterval(probe);
  }
}

test('the chain A – B – C re-peers after kill -9 of the relay B, and messages flow again', async () => {
  const c = await start({ NAME: 'C', ECHO_FROM: '/chain/to-c', ECHO_TO: '/chain/from-c' });
  const relayEnv = { NAME: 'B', PEER: `127.0.0.1:${c.port}`, RETRY: '200', FORWARD: '/chain/' };
  let b = await start(relayEnv);
  const a = new Endpoint({ name: 'A', logger: pino({ level: 'silent' }) });
  eps = [a];
  const back = a.makeSubscriber('/chain/from-c');
  const statuses = a.makeStatusSubscriber(true);
  expect(await a.peer('127.0.0.1', b.port, { retry: 200 })).toBe(true);
  expect(await roundTrip(a, back, 0)).toBeGreaterThanOrEqual(0);

  for (let round = 1; round <= 3; round++) {
    const killed = new Promise((r) => b.proc.once('exit', r));
    b.proc.kill('SIGKILL');
    await killed;
    for (;;) {
      const ev = await statuses.get();
      if ('code' in ev && ev.code === 'peer_lost') break;
    }
    b = await start({ ...relayEnv, LISTEN_PORT: String(b.port) });
    const first = round * 1_000_000;
    expect(await roundTrip(a, back, first)).toBeGreaterThanOrEqual(first);
  }
  expect((await a.peers()).map((p) => p.status)).toEqual(['peered']);
}, 120_000);
