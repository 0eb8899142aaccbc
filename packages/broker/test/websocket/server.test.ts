/**
 * The WebSocket JSON API server end to end over real sockets: the upgrade response, the
 * ack, messages both ways between clients, local subscribers, hubs and a peer, the
 * statuses of clients that come and go, and Zeek events with metadata.
 */
import { readFileSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import * as path from 'node:path';
import {
  address, type BrokerError, count, type Data, encodeJsonDataMessage, Endpoint, enumValue, equals, isStatus, parseZeekMessage, port, set, Status, subnet, table, timespan, timestamp,
  connectWebSocket, type WebSocketClient, zeekEvent,
} from '@broker-ts/broker';
import { awaitPeerSubscriptions, connect, shutdownAll } from '../helpers';
import { ALL_TYPES } from './all-types';
import { RawClient } from './ws-helpers';

jest.setTimeout(60_000);


let eps: Endpoint[] = [];
const clients: Array<{ close(): void }> = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await shutdownAll(eps.splice(0));
});

function endpoint(name: string): Endpoint {
  const ep = new Endpoint({ name });
  eps.push(ep);
  return ep;
}

async function client(port: number, topics: string[]): Promise<WebSocketClient> {
  const c = await connectWebSocket(`ws://127.0.0.1:${port}/v1/messages/json`, { topics });
  clients.push(c);
  return c;
}

async function raw(port: number, topics: string[]): Promise<RawClient> {
  const c = await RawClient.subscribe(port, topics);
  clients.push(c);
  return c;
}

test('the upgrade response is exactly what Broker sends: 101 with Upgrade, Connection and Sec-WebSocket-Accept only', async () => {
  const ep = endpoint('ws');
  const wsPort = await ep.listenWebSocket('127.0.0.1', 0, { disableSsl: true });
  const text = await new Promise<string>((resolve, reject) => {
    const s = netConnect(wsPort, '127.0.0.1', () => {
      s.write('GET /v1/messages/json HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Extensions: permessage-deflate\r\n\r\n');
    });
    let got = '';
    s.on('data', (d) => {
      got += d.toString('latin1');
      if (got.includes('\r\n\r\n')) {
        s.destroy();
        resolve(got);
      }
    });
    s.on('error', reject);
  });
  const fixture = JSON.parse(readFileSync(path.join(__dirname, '../fixtures/websocket/broker-sources.json'), 'utf8')) as { upgradeRequestKey: string; upgradeResponse: string };
  expect(fixture.upgradeRequestKey).toBe('dGhlIHNhbXBsZSBub25jZQ==');
  expect(text).toBe(fixture.upgradeResponse);
});

test('another path is refused with 404 and a hint, as Broker refuses it', async () => {
  const ep = endpoint('ws');
  const wsPort = await ep.listenWebSocket('127.0.0.1', 0, { disableSsl: true });
  await expect(RawClient.open(wsPort, '/v2/other')).rejects.toThrow(/404/);
});

test('the subscription list is answered with the ack: endpoint id and version, compact, keys in Broker order', async () => {
  const ep = endpoint('ws');
  const wsPort = await ep.listenWebSocket('127.0.0.1', 0, { disableSsl: true });
  const c = await RawClient.open(wsPort);
  clients.push(c);
  c.ws.send('["/test"]');
  expect(await c.next()).toBe(`{"type":"ack","endpoint":"${ep.id}","version":"2.8.0"}`);
});

test('a client publication reaches local subscribers, hubs, a peer and other clients, but not its sender', async () => {
  const [ep, peer] = [endpoint('ws'), endpoint('peer')];
  const wsPort = await ep.listenWebSocket('127.0.0.1', 0, { disableSsl: true });
  const peerSub = peer.makeSubscriber('/t');
  await connect(ep, peer);
  await awaitPeerSubscriptions(ep, '/t');
  const sub = ep.makeSubscriber('/t');
  const hub = ep.makeHub('/t');
  const other = await client(wsPort, ['/t']);
  const sender = await raw(wsPort, ['/t']);
  sender.ws.send(encodeJsonDataMessage('/t/x', count(42)));
  for (const s of [sub, hub, peerSub]) expect(await s.get({ timeout: 20_000 })).toEqual(['/t/x', count(42)]);
  expect(await other.get({ timeout: 20_000 })).toEqual(['/t/x', count(42)]);
  // The sender's own message never comes back: the next frame it sees is a later one.
  ep.publish('/t/y', 'after');
  expect(await sender.next()).toBe('{"type":"data-message","topic":"/t/y","@data-type":"string","data":"after"}');
});

test('what the endpoint publishes and what a peer publishes reach clients on matching topics only', async () => {
  const [ep, peer] = [endpoint('ws'), endpoint('peer')];
  const wsPort = await ep.listenWebSocket('127.0.0.1', 0, { disableSsl: true });
  const c = await client(wsPort, ['/a']);
  await connect(ep, peer);
  await awaitPeerSubscriptions(peer, '/a');
  ep.publish('/b', 'not for the client');
  ep.publish('/a/1', 'local');
  peer.publish('/a/2', 'remote');
  const got = await c.getMany(2, { timeout: 20_000 });
  expect(got.map((m) => m[0]).sort()).toEqual(['/a/1', '/a/2']);
  expect(c.available()).toBe(0);
});

test('every one of the 15 types goes from one client through the endpoint to another, type-exact', async () => {
  const ep = endpoint('ws');
  const wsPort = await ep.listenWebSocket('127.0.0.1', 0, { disableSsl: true });
  const rx = await client(wsPort, ['/types']);
  const tx = await client(wsPort, []);
  const sub = ep.makeSubscriber('/types');
  for (const [name, v] of ALL_TYPES) tx.publish(`/types/${name}`, v);
  const viaClient = await rx.getMany(ALL_TYPES.length, { timeout: 20_000 });
  const viaEndpoint = await sub.getMany(ALL_TYPES.length, { timeout: 20_000 });
  for (const got of [viaClient, viaEndpoint]) {
    expect(got.map((m) => m[0])).toEqual(ALL_TYPES.map(([n]) => `/types/${n}`));
    got.forEach(([, v], i) => expect(equals(v, ALL_TYPES[i][1])).toBe(true));
  }
});

test('a client that joins and leaves is reported as Broker reports it: endpoint_discovered, peer_added, then peer_lost, endpoint_unreachable', async () => {
  const ep = endpoint('ws');
  const statuses = ep.makeStatusSubscriber(true);
  const wsPort = await ep.listenWebSocket('127.0.0.1', 0, { disableSsl: true });
  const c = await client(wsPort, ['/t']);
  const evs = await statuses.getMany(2, { timeout: 20_000 });
  c.close();
  evs.push(...(await statuses.getMany(2, { timeout: 20_000 })));
  const st = evs.map((e) => (isStatus(e) ? e : (undefined as never))) as Status[];
  expect(st.map((s) => [s.code, s.message])).toEqual([
    ['endpoint_discovered', 'found a new client in the network'],
    ['peer_added', 'handshake successful'],
    ['peer_lost', 'lost connection to client'],
    ['endpoint_unreachable', 'lost the last path'],
  ]);
  const id = st[0].context.id;
  expect(id).toMatch(/^[0-9a-f-]{36}$/);
  expect(id).not.toBe(ep.id);
  expect(st.every((s) => s.context.id === id)).toBe(true);
  expect(st[1].context.network?.address).toBe('127.0.0.1');
});

test('Zeek events with metadata cross the bridge both ways: WebSocket client to peer, and peer to client', async () => {
  const [ep, peer] = [endpoint('ws'), endpoint('zeek-side')];
  const wsPort = await ep.listenWebSocket('127.0.0.1', 0, { disableSsl: true });
  const peerSub = peer.makeSubscriber('/zeek/events');
  const c = await client(wsPort, ['/zeek/events']);
  await connect(ep, peer);
  await awaitPeerSubscriptions(ep, '/zeek/events');
  await awaitPeerSubscriptions(peer, '/zeek/events');
  const ts = timestamp(1_700_000_000_000_000_000n);
  c.publish('/zeek/events/a', zeekEvent('Broker::ping', ['hello', count(1)], [[1, ts], [200, 'user']]));
  const [, atPeer] = (await peerSub.get({ timeout: 20_000 }))!;
  expect(parseZeekMessage(atPeer)).toEqual({ kind: 'event', name: 'Broker::ping', args: ['hello', count(1)], metadata: [[1, ts], [200, 'user']] });
  peer.publish('/zeek/events/b', zeekEvent('Broker::pong', [address('192.168.0.1')], [[1, ts]]));
  const [topic, atClient] = (await c.get({ timeout: 20_000 }))!;
  expect(topic).toBe('/zeek/events/b');
  expect(parseZeekMessage(atClient)).toEqual({ kind: 'event', name: 'Broker::pong', args: [address('192.168.0.1')], metadata: [[1, ts]] });
});

test('shutdown drops clients: our client sees the connection end, the port is closed', async () => {
  const ep = new Endpoint({ name: 'ws' });
  const wsPort = await ep.listenWebSocket('127.0.0.1', 0, { disableSsl: true });
  const errors: BrokerError[] = [];
  const c = await connectWebSocket(`ws://127.0.0.1:${wsPort}/v1/messages/json`, { topics: ['/t'], onError: (e) => errors.push(e) });
  await ep.shutdown();
  await expect(c.get()).rejects.toMatchObject({ code: 'end_of_file' });
  expect(errors[0]?.message).toMatch(/1001/);
  await expect(RawClient.open(wsPort)).rejects.toThrow();
  await expect(ep.listenWebSocket()).rejects.toMatchObject({ code: 'shutting_down' });
});

test('listening on a port in use fails with cannot_open_resource', async () => {
  const ep = endpoint('ws');
  const wsPort = await ep.listenWebSocket('127.0.0.1', 0, { disableSsl: true });
  await expect(ep.listenWebSocket('127.0.0.1', wsPort, { disableSsl: true })).rejects.toMatchObject({ code: 'cannot_open_resource' });
});

test('bad options are refused with invalid_data', async () => {
  const ep = endpoint('ws');
  await expect(ep.listenWebSocket('127.0.0.1', 0, { bufferSize: 0 })).rejects.toMatchObject({ code: 'invalid_data' });
  await expect(ep.listenWebSocket('127.0.0.1', 0, { overflowPolicy: 'block' as never })).rejects.toMatchObject({ code: 'invalid_data' });
});

test('a bad host or port is refused with invalid_data before anything binds', async () => {
  const ep = endpoint('ws');
  // A port given in the host's place would be Node's backlog argument: every interface.
  await expect(ep.listenWebSocket(9997 as never, undefined, { disableSsl: true })).rejects.toMatchObject({ code: 'invalid_data', message: expect.stringMatching(/host/) });
  await expect(ep.listenWebSocket('', 0, { disableSsl: true })).rejects.toMatchObject({ code: 'invalid_data' });
  for (const port of [70000, -1, 1.5, '80' as never, Number.NaN]) {
    await expect(ep.listenWebSocket('127.0.0.1', port, { disableSsl: true })).rejects.toMatchObject({ code: 'invalid_data', message: expect.stringMatching(/port/) });
  }
  // Nothing was left listening: the endpoint still binds a good address.
  await expect(ep.listenWebSocket('127.0.0.1', 0, { disableSsl: true })).resolves.toBeGreaterThan(0);
});

