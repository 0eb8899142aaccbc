import * as path from 'node:path';
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import pino from 'pino';
import { Endpoint, type Status, timespan, type WorkerEndpoint } from '@broker-ts/broker';
import { awaitPeerSubscriptions, endpoints, nextEvent, shutdownAll } from './helpers';

const FIXTURES = path.join(__dirname, 'fixtures/worker');
const ECHO = path.join(FIXTURES, 'echo-endpoint.ts');
const TCP = path.join(FIXTURES, 'tcp-endpoint.ts');
const BROKEN = path.join(FIXTURES, 'broken-endpoint.ts');
const SILENT = path.join(FIXTURES, 'silent-endpoint.ts');

let eps: Endpoint[] = [];
const workers: WorkerEndpoint[] = [];
afterEach(async () => {
  await shutdownAll(eps);
  for (const w of workers.splice(0)) await w.terminate();
});

/** Sends values to the echo worker and reads its echoes. */
async function roundTrip(main: Endpoint, values: unknown[]): Promise<unknown[]> {
  const sub = main.makeSubscriber('/from-worker');
  await awaitPeerSubscriptions(main, '/to-worker');
  for (const v of values) main.publish('/to-worker', v as never);
  const got = (await sub.getMany(values.length)).map((m) => m[1]);
  sub.close();
  return got;
}

test('code in a worker thread creates an Endpoint and peers over TCP with one in the main thread', async () => {
  eps = endpoints(['main']);
  const [main] = eps;
  const port = await main.listen();
  const worker = new Worker(TCP, { workerData: { port }, execArgv: ['--conditions=@broker-ts/source', '--require', require.resolve('tsx/cjs')] });
  try {
    const [hello] = (await once(worker, 'message')) as [{ peered: boolean; id: string }];
    expect(hello.peered).toBe(true);
    expect((await main.peers()).map((p) => p.peer.id)).toEqual([hello.id]);
    expect(await roundTrip(main, ['over tcp', 42])).toEqual([['/to-worker', 'over tcp'], ['/to-worker', 42]]);
    const statuses = main.makeStatusSubscriber(true);
    worker.postMessage('stop');
    await nextEvent(statuses, 'peer_lost');
    await once(worker, 'exit');
  } finally {
    await worker.terminate();
  }
});

describe('spawnWorkerEndpoint: an endpoint in a worker peered over its MessagePort', () => {
  test('messages flow both ways, with peer_added on the main side and the worker in peers()', async () => {
    eps = endpoints(['main']);
    const [main] = eps;
    const statuses = main.makeStatusSubscriber(true);
    // No listen(): the worker cannot reach this endpoint over TCP.
    const remote = await main.spawnWorkerEndpoint(ECHO);
    workers.push(remote);
    const added = (await nextEvent(statuses, 'peer_added')) as Status;
    expect(added.context.id).toBe(remote.id);
    expect((await main.peers()).map((p) => [p.peer.id, p.status])).toEqual([[remote.id, 'peered']]);
    const values = Array.from({ length: 500 }, (_, i) => i);
    const echoed = await roundTrip(main, values);
    expect(echoed).toEqual(values.map((v) => ['/to-worker', v]));
  });

  test('a worker that crashes is peer_lost for the main endpoint, which keeps working', async () => {
    eps = endpoints(['main', 'other']);
    const [main, other] = eps;
    const statuses = main.makeStatusSubscriber(true);
    const remote = await main.spawnWorkerEndpoint(ECHO);
    workers.push(remote);
    await awaitPeerSubscriptions(main, '/to-worker');
    main.publish('/to-worker', 'crash');
    const lost = (await nextEvent(statuses, 'peer_lost')) as Status;
    expect(lost.context.id).toBe(remote.id);
    expect(await remote.exited).toBe(1);
    expect(await main.peers()).toEqual([]);
    const port = await other.listen();
    const sub = other.makeSubscriber('/still');
    expect(await main.peer('127.0.0.1', port)).toBe(true);
    await awaitPeerSubscriptions(main, '/still');
    main.publish('/still', 'alive');
    expect(await sub.get()).toEqual(['/still', 'alive']);
  });

  test('a worker that exits is peer_lost as well', async () => {
    eps = endpoints(['main']);
    const [main] = eps;
    const statuses = main.makeStatusSubscriber(true);
    const remote = await main.spawnWorkerEndpoint(ECHO);
    workers.push(remote);
    await awaitPeerSubscriptions(main, '/to-worker');
    main.publish('/to-worker', 'exit');
    expect(((await nextEvent(statuses, 'peer_lost')) as Status).context.id).toBe(remote.id);
    expect(await remote.exited).toBe(3);
  });

  test('a hung worker (an endless loop) is peer_lost within its liveness timeout, and its thread is terminated', async () => {
    eps = endpoints(['main']);
    const [main] = eps;
    const statuses = main.makeStatusSubscriber(true);
    const remote = await main.spawnWorkerEndpoint(ECHO, { livenessTimeout: timespan(1000) });
    workers.push(remote);
    await awaitPeerSubscriptions(main, '/to-worker');
    main.publish('/to-worker', 'spin');
    // Before pings, a spinning worker sent nothing and was never noticed.
    expect(((await nextEvent(statuses, 'peer_lost')) as Status).context.id).toBe(remote.id);
    expect(await remote.exited).toBe(1);
  });

  test('the worker endpoint also peers over TCP and relays between the main thread and a TCP peer', async () => {
    eps = endpoints(['main', 'tcp-peer']);
    const [main, tcpPeer] = eps;
    // Both subscribe before peering: the worker learns their filters in the handshakes.
    const atMain = main.makeSubscriber('/relay');
    const atTcp = tcpPeer.makeSubscriber('/relay');
    const remote = await main.spawnWorkerEndpoint(ECHO, { workerData: { listen: true } });
    workers.push(remote);
    const [{ port }] = (await once(remote.worker, 'message')) as [{ port: number }];
    expect(await tcpPeer.peer('127.0.0.1', port)).toBe(true);
    // The worker forwards /relay, so both sides see it advertised by the worker.
    await awaitPeerSubscriptions(main, '/relay');
    await awaitPeerSubscriptions(tcpPeer, '/relay');
    main.publish('/relay', 'main -> tcp');
    tcpPeer.publish('/relay', 'tcp -> main');
    expect(await atTcp.get()).toEqual(['/relay', 'main -> tcp']);
    expect(await atMain.get()).toEqual(['/relay', 'tcp -> main']);
  });

  test('shutting the main endpoint down terminates its worker endpoints', async () => {
    eps = endpoints(['main']);
    const [main] = eps;
    const remote = await main.spawnWorkerEndpoint(ECHO);
    await main.shutdown();
    await remote.exited;
    expect(remote.worker.threadId).toBe(-1);
  });

  test.each([
    ['the main endpoint shuts down', async (main: Endpoint) => main.shutdown()],
    ['the worker endpoint is terminated', async (_: Endpoint, remote: WorkerEndpoint) => remote.terminate()],
  ])('an orderly end logs no warning: %s', async (_, end) => {
    const lines: Array<{ level: number; event?: string; msg?: string }> = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    eps = [new Endpoint({ name: 'main', logger })];
    const [main] = eps;
    const remote = await main.spawnWorkerEndpoint(ECHO);
    workers.push(remote);
    await end(main, remote);
    await remote.exited;
    await main.shutdown();
    expect(lines.filter((l) => l.level >= 40)).toEqual([]);
    // The link's end is still logged, at info.
    expect(lines.filter((l) => l.event === 'node-down').map((l) => l.level)).toEqual([30]);
  });

  test('a module that fails to load rejects with peer_unavailable and leaves no thread', async () => {
    eps = endpoints(['main']);
    const [main] = eps;
    await expect(main.spawnWorkerEndpoint(BROKEN)).rejects.toMatchObject({ code: 'peer_unavailable' });
    expect(await main.peers()).toEqual([]);
  });

  test('a worker that never peers is terminated after the timeout, with peer_unavailable', async () => {
    eps = endpoints(['main']);
    const [main] = eps;
    await expect(main.spawnWorkerEndpoint(SILENT, { timeout: timespan(300) })).rejects.toMatchObject({ code: 'peer_unavailable' });
    expect(await main.peers()).toEqual([]);
  });

  test('a bad timeout or liveness timeout is refused with invalid_data before any thread starts', async () => {
    eps = endpoints(['main']);
    const [main] = eps;
    await expect(main.spawnWorkerEndpoint(ECHO, { timeout: -1 })).rejects.toMatchObject({ code: 'invalid_data', message: expect.stringContaining('timeout') });
    // @ts-expect-error a string is not a duration
    await expect(main.spawnWorkerEndpoint(ECHO, { livenessTimeout: '5s' })).rejects.toMatchObject({ code: 'invalid_data', message: expect.stringContaining('livenessTimeout') });
    expect(await main.peers()).toEqual([]);
  });

  test('peerParent outside such a worker is refused with bad_member_function_call', async () => {
    eps = endpoints(['main']);
    await expect(eps[0].peerParent()).rejects.toMatchObject({ code: 'bad_member_function_call' });
  });
});
