import { type ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import type { Endpoint, Status } from '@broker-ts/broker';
import { awaitPeerSubscriptions, endpoints, nextEvent, shutdownAll } from './helpers';

jest.setTimeout(60_000);

const NODE = path.join(__dirname, 'fixtures/process/endpoint-node.ts');

/** A child process running an endpoint, once it printed `ready <port> <id>`. */
interface Child {
  proc: ChildProcess;
  port: number;
  id: string;
  exited: Promise<number | null>;
}

const children: Child[] = [];
let eps: Endpoint[] = [];

afterEach(async () => {
  await shutdownAll(eps);
  // Closing stdin makes a child shut its endpoint down and exit.
  for (const c of children.splice(0)) {
    c.proc.stdin?.end();
    await c.exited;
  }
});

/** Starts an endpoint process with the given environment and waits until it is ready. */
async function startChild(env: Record<string, string>): Promise<Child> {
  const proc = spawn(process.execPath, ['--conditions=@broker-ts/source', '--require', require.resolve('tsx/cjs'), NODE], {
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const ready = new Promise<Child>((resolve, reject) => {
    const lines = createInterface({ input: proc.stdout! });
    lines.on('line', (line) => {
      const [word, port, id] = line.split(' ');
      if (word === 'ready') resolve({ proc, port: Number(port), id, exited });
    });
    void exited.then((code) => reject(new Error(`child exited with ${code} before it was ready`)));
  });
  const child = await ready;
  children.push(child);
  return child;
}

test('a chain of three processes carries a message two hops, both ways', async () => {
  eps = endpoints(['A']);
  const [a] = eps;
  // C echoes what reaches it; B relays the chain's topics without subscribing.
  const c = await startChild({ NAME: 'C', ECHO_FROM: '/chain/to-c', ECHO_TO: '/chain/from-c' });
  const b = await startChild({ NAME: 'B', PEER: `127.0.0.1:${c.port}`, FORWARD: '/chain/' });
  const back = a.makeSubscriber('/chain/from-c');
  expect(await a.peer('127.0.0.1', b.port)).toBe(true);
  expect((await a.peers()).map((p) => p.peer.id)).toEqual([b.id]);
  await awaitPeerSubscriptions(a, '/chain/');
  // B learns A's filter in the handshake and C's before it printed ready: A -> B -> C -> B -> A.
  for (let i = 0; i < 20; i++) a.publish('/chain/to-c', i);
  const got = await back.getMany(20);
  expect(got).toEqual(Array.from({ length: 20 }, (_, i) => ['/chain/from-c', i]));
});

test('the originator with a retry re-peers after the peer process is SIGKILLed and restarted on its port', async () => {
  eps = endpoints(['A']);
  const [a] = eps;
  const statuses = a.makeStatusSubscriber(true);
  const echo = { ECHO_FROM: '/ping', ECHO_TO: '/pong' };
  const first = await startChild({ NAME: 'B1', ...echo });
  const pong = a.makeSubscriber('/pong');
  expect(await a.peer('127.0.0.1', first.port, { retry: 50 })).toBe(true);
  expect(((await nextEvent(statuses, 'peer_added')) as Status).context.id).toBe(first.id);
  await awaitPeerSubscriptions(a, '/ping');
  a.publish('/ping', 'before');
  expect(await pong.get()).toEqual(['/pong', 'before']);

  first.proc.kill('SIGKILL');
  expect(await first.exited).toBeNull();
  expect(((await nextEvent(statuses, 'peer_lost')) as Status).context.id).toBe(first.id);

  const second = await startChild({ NAME: 'B2', LISTEN_PORT: String(first.port), ...echo });
  expect(second.port).toBe(first.port);
  const again = (await nextEvent(statuses, 'peer_added')) as Status;
  expect(again.context.id).toBe(second.id);
  expect(again.context.network).toMatchObject({ address: '127.0.0.1', port: first.port });
  await awaitPeerSubscriptions(a, '/ping');
  a.publish('/ping', 'after');
  expect(await pong.get()).toEqual(['/pong', 'after']);
  expect((await a.peers()).map((p) => [p.peer.id, p.status])).toEqual([[second.id, 'peered']]);
});
