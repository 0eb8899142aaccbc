/**
 * A network partition made with Linux network namespaces: an endpoint process in its own
 * namespace behind a veth pair, peered with retry from this process; a blackhole route
 * cuts the path both ways (heartbeats stop: `peer_lost`), removing it heals it, and the
 * peering is re-established and carries traffic again.
 *
 * Needs root and iproute2 (`ip netns`); elsewhere the test is skipped with the reason
 * given (see tools/requirements.ts).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import pino from 'pino';
import { Endpoint } from '@broker-ts/broker';
import { networkNamespaces } from '../../../../tools/requirements';

const NODE = path.join(__dirname, '../fixtures/process/endpoint-node.ts');
const NS = `btsfault${process.pid}`;
const HOST_IF = `bth${process.pid % 100000}`;
const NS_IF = `btn${process.pid % 100000}`;
const HOST_IP = '10.213.7.1';
const NS_IP = '10.213.7.2';

const ip = (...args: string[]): void => void execFileSync('ip', args, { stdio: 'ignore' });
const tryIp = (...args: string[]): void => {
  try {
    ip(...args);
  } catch {
    // Already gone.
  }
};

const namespaces = networkNamespaces();

let child: ChildProcess | undefined;
let ep: Endpoint | undefined;

afterAll(async () => {
  await ep?.shutdown();
  if (child !== undefined && child.exitCode === null) {
    const gone = new Promise((r) => child!.once('exit', r));
    child.kill('SIGKILL');
    await gone;
  }
  if (namespaces.outcome === 'run') {
    tryIp('route', 'del', 'blackhole', `${NS_IP}/32`);
    tryIp('link', 'del', HOST_IF);
    tryIp('netns', 'del', NS);
  }
});

namespaces.test('a blackholed path ends the peering (peer_lost); once healed, the retrying peering comes back and carries traffic', async () => {
  ip('netns', 'add', NS);
  ip('link', 'add', HOST_IF, 'type', 'veth', 'peer', 'name', NS_IF);
  ip('link', 'set', NS_IF, 'netns', NS);
  ip('addr', 'add', `${HOST_IP}/30`, 'dev', HOST_IF);
  ip('link', 'set', HOST_IF, 'up');
  ip('netns', 'exec', NS, 'ip', 'addr', 'add', `${NS_IP}/30`, 'dev', NS_IF);
  ip('netns', 'exec', NS, 'ip', 'link', 'set', NS_IF, 'up');
  ip('netns', 'exec', NS, 'ip', 'link', 'set', 'lo', 'up');

  const proc = spawn('ip', ['netns', 'exec', NS, process.execPath, '--conditions=@broker-ts/source', '--require', require.resolve('tsx/cjs'), NODE], {
    env: { ...process.env, NAME: 'far', LISTEN_HOST: NS_IP, ECHO_FROM: '/far/in', ECHO_TO: '/far/out' },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  child = proc;
  const port = await new Promise<number>((resolve, reject) => {
    createInterface({ input: proc.stdout! }).on('line', (line) => {
      const [word, p] = line.split(' ');
      if (word === 'ready') resolve(Number(p));
    });
    proc.once('exit', (code) => reject(new Error(`endpoint in the namespace exited (${code})`)));
  });

  ep = new Endpoint({ name: 'near', logger: pino({ level: 'silent' }) });
  const near = ep;
  const back = near.makeSubscriber('/far/out');
  const statuses = near.makeStatusSubscriber(true);
  const next = async (code: string): Promise<void> => {
    for (;;) {
      const ev = await statuses.get();
      if ('code' in ev && ev.code === code) return;
    }
  };
  const echoed = async (from: number): Promise<void> => {
    let n = from;
    const probe = setInterval(() => near.publish('/far/in', n++), 50);
    try {
      while (Number((await back.get())[1]) < from);
    } finally {
      clearInterval(probe);
    }
  };
  expect(await near.peer(NS_IP, port, { retry: 200 })).toBe(true);
  await echoed(0);

  ip('route', 'add', 'blackhole', `${NS_IP}/32`);
  await next('peer_lost');
  ip('route', 'del', 'blackhole', `${NS_IP}/32`);
  await next('peer_added');
  await echoed(1_000_000);
}, 90_000);
