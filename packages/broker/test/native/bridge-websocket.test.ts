/**
 * A broker-ts endpoint as a bridge between the newest Broker (a native peer, its Python
 * bindings standing in for Zeek) and a client of Broker's WebSocket JSON API: Zeek events
 * with every data type go from Broker through the endpoint to the WebSocket client, and
 * from the client through the endpoint to Broker, type-exact both ways. Skipped with the
 * reason where the newest Broker is not built.
 */
import { connectWebSocket, count, Endpoint, type WebSocketClient, zeekEvent } from '@broker-ts/broker';
import { awaitPeerSubscriptions, until } from '../helpers';
import { newestBroker, newestBrokerPython } from '../../../../tools/requirements';
import { ALL_TYPES } from './all-types';
import { PyEndpoint } from './python-endpoint';
import type { ReferenceBroker } from '../../../../tools/reference-broker';

const live = newestBroker();
const withPython = newestBrokerPython(live.broker);

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

withPython.describe('Broker ↔ broker-ts ↔ WebSocket client', () => {
  jest.setTimeout(30_000);

  it.each<[string, { disableSsl?: boolean }, string[]]>([
    ['plain TCP', { disableSsl: true }, ['--disable-ssl']],
    ['the default anonymous TLS on both ports', {}, []],
  ])('Zeek events cross the bridge both ways, every data type exact (%s)', async (_, options, pyArgs) => {
    const ep = new Endpoint(options);
    cleanups.push(() => ep.shutdown());
    // The client's topics in the filter of the handshake already: a client's topics are
    // advertised once it connects, after the peering.
    ep.forward(['/bridge/to-ws']);
    const port = await ep.listen();
    const wsPort = await ep.listenWebSocket('127.0.0.1', 0);
    const py = PyEndpoint.start(live.broker as ReferenceBroker, pyArgs);
    cleanups.push(async () => {
      py.proc.child.stdin!.end();
      await py.kill();
    });
    await py.command('subscribe /bridge/to-broker', 'subscribed');
    expect(await py.command(`peer ${port} 0`, 'peered')).toBe('peered True');
    await py.waitForEvent('peer_added');

    const scheme = options.disableSsl === true ? 'ws' : 'wss';
    const client: WebSocketClient = await connectWebSocket(`${scheme}://127.0.0.1:${wsPort}/v1/messages/json`, { topics: ['/bridge/to-ws'] });
    cleanups.push(() => client.close());
    expect(client.server?.endpoint).toBe(ep.id);

    // Broker → broker-ts → WebSocket client. Broker may install the peering after
    // answering the peer command: publish until one copy arrives.
    await until(async () => {
      await py.command('publish /bridge/to-ws all_types', 'published');
      return client.available() > 0;
    }, 'the all-types event at the WebSocket client');
    expect(await client.get({ timeout: 20_000 })).toEqual(['/bridge/to-ws', ALL_TYPES]);

    // WebSocket client → broker-ts → Broker, as a Zeek event.
    await awaitPeerSubscriptions(ep, '/bridge/to-broker');
    client.publish('/bridge/to-broker', zeekEvent('from_ws', [count(7), 'hello zeek']));
    const printed = await py.waitForData('/bridge/to-broker');
    expect(printed).toContain('from_ws');
    expect(printed).toContain('hello zeek');
  });
});
