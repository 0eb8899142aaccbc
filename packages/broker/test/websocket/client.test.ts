/**
 * connectWebSocket against our server over real sockets: first-connection failures,
 * retry until the server appears, reconnect after the server restarts (publications
 * held meanwhile), the server's error replies as BrokerErrors, a bounded inbound queue,
 * close and iteration.
 */
import { type BrokerError, connectWebSocket, count, Endpoint, type WebSocketClient } from '@broker-ts/broker';
import { until } from '../helpers';

jest.setTimeout(60_000);

const eps: Endpoint[] = [];
const clients: WebSocketClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await Promise.all(eps.splice(0).map((e) => e.shutdown()));
});

async function server(port = 0): Promise<[Endpoint, number]> {
  const ep = new Endpoint({ name: 'ws' });
  eps.push(ep);
  return [ep, await ep.listenWebSocket('127.0.0.1', port, { disableSsl: true })];
}

const url = (port: number) => `ws://127.0.0.1:${port}/v1/messages/json`;

/** A port that was free a moment ago. */
async function freePort(): Promise<number> {
  const ep = new Endpoint({ name: 'probe' });
  const p = await ep.listenWebSocket('127.0.0.1', 0, { disableSsl: true });
  await ep.shutdown();
  return p;
}

test('without retry a failed first connection rejects with peer_unavailable', async () => {
  await expect(connectWebSocket(url(await freePort()), { topics: ['/t'] })).rejects.toMatchObject({ code: 'peer_unavailable' });
});

test('bad URLs and topics are refused before connecting', async () => {
  await expect(connectWebSocket('http://127.0.0.1:1/', { topics: [] })).rejects.toMatchObject({ code: 'invalid_data' });
  await expect(connectWebSocket('nonsense', { topics: [] })).rejects.toMatchObject({ code: 'invalid_data' });
  await expect(connectWebSocket(url(1), { topics: [7 as never] })).rejects.toMatchObject({ code: 'invalid_topic_key' });
  await expect(connectWebSocket(url(1), { topics: ['/t'], retry: -5 })).rejects.toMatchObject({ code: 'invalid_data' });
  // Options that are not an object reject (never a synchronous TypeError).
  for (const options of [null, 'x', 42]) await expect(connectWebSocket(url(1), options as never)).rejects.toMatchObject({ code: 'invalid_data' });
});

test('without options the client subscribes to nothing and publishes', async () => {
  const [ep, port] = await server();
  const sub = ep.makeSubscriber('/from-client');
  const c = await connectWebSocket(url(port));
  clients.push(c);
  c.publish('/from-client', count(7));
  expect(await sub.get({ timeout: 20_000 })).toEqual(['/from-client', count(7)]);
});

test('with retry the client waits for a server that appears later', async () => {
  const p = await freePort();
  const connecting = connectWebSocket(url(p), { topics: ['/t'], retry: 50 });
  const [ep] = await server(p);
  const c = await connecting;
  clients.push(c);
  expect(c.server?.endpoint).toBe(ep.id);
  ep.publish('/t', 'late');
  expect(await c.get({ timeout: 20_000 })).toEqual(['/t', 'late']);
});

test('after the server restarts the client reconnects, reports the loss, and sends what it published meanwhile', async () => {
  const [first, p] = await server();
  const errors: BrokerError[] = [];
  const c = await connectWebSocket(url(p), { topics: ['/t'], retry: 50, onError: (e) => errors.push(e) });
  clients.push(c);
  await first.shutdown();
  await until(() => !c.connected, 'the client to notice');
  c.publish('/from-client', count(1));
  const [second] = await server(p);
  const sub = second.makeSubscriber('/from-client');
  await until(() => c.connected && c.server?.endpoint === second.id, 'the reconnect');
  expect(await sub.get({ timeout: 20_000 })).toEqual(['/from-client', count(1)]);
  second.publish('/t', 'again');
  expect(await c.get({ timeout: 20_000 })).toEqual(['/t', 'again']);
  expect(errors[0]?.message).toMatch(/closed the connection \(code 1001: endpoint shutting down\)/);
});

test('error replies of the server reach onError as BrokerErrors and the connection stays open', async () => {
  const [ep, p] = await server();
  const errors: BrokerError[] = [];
  const c = await connectWebSocket(url(p), { topics: ['/t'], onError: (e) => errors.push(e) });
  clients.push(c);
  c.publish('<$>/local/data/statuses', 'forged');
  await until(() => errors.length === 1, 'the error reply');
  expect([errors[0].code, errors[0].message]).toEqual(['deserialization_failed', 'input #1 used the reserved topic prefix of <$>/local/data/statuses']);
  ep.publish('/t', 'still open');
  expect(await c.get({ timeout: 20_000 })).toEqual(['/t', 'still open']);
});

test('the inbound queue is bounded: messages the application does not take in time are dropped and counted', async () => {
  const [ep, p] = await server();
  const c = await connectWebSocket(url(p), { topics: ['/t'], queueSize: 2 });
  clients.push(c);
  for (let i = 0; i < 5; i++) ep.publish('/t', i);
  await until(() => c.available() + c.dropped === 5, 'all five handled');
  expect(c.poll()).toEqual([['/t', 0], ['/t', 1]]);
  expect(c.dropped).toBe(3);
});

test('close ends iteration and pending reads; publishing afterwards fails with end_of_file', async () => {
  const [ep, p] = await server();
  const c = await connectWebSocket(url(p), { topics: ['/t'] });
  ep.publish('/t', 'one');
  const seen: unknown[] = [];
  const iterating = (async () => {
    for await (const [, v] of c) {
      seen.push(v);
      c.close();
    }
  })();
  await iterating;
  expect(seen).toEqual(['one']);
  await expect(c.get()).rejects.toMatchObject({ code: 'end_of_file' });
  expect(() => c.publish('/t', 1)).toThrow(expect.objectContaining({ code: 'end_of_file' }));
});
