/**
 * Both handshake roles between a broker-ts endpoint and the newest Broker, at endpoint
 * level: in Broker's handshake the endpoint with the smaller id is the originator,
 * whoever connected (libbroker/broker/internal/connector.cc). Broker's id is random, so
 * the endpoint's is fixed (`endpointId`) below or above any random UUID, and each role is
 * run with either side connecting; Zeek events go both ways. Broker runs as its Python
 * bindings (python-endpoint.py). Skipped with the reason where the newest Broker is not
 * built.
 */
import { parseZeekMessage, type Status, zeekEvent } from '@broker-ts/broker';
import { compareEndpointIds } from '../../src/native/endpoint-id';
import { awaitPeerSubscriptions, nextEvent, until } from '../helpers';
import { newestBroker, newestBrokerPython } from '../../../../tools/requirements';
import { collectingLogger, liveParts } from './live-endpoints';
import type { ReferenceBroker } from '../../../../tools/reference-broker';

const live = newestBroker();
const withPython = newestBrokerPython(live.broker);
const parts = liveParts(live.broker as ReferenceBroker);

/** Sorts before every random (version 4) UUID: this endpoint is the originator. */
const SMALLEST = '00000000-0000-4000-8000-000000000001';
/** Sorts after every random UUID: Broker is the originator. */
const LARGEST = 'ffffffff-ffff-4fff-bfff-ffffffffffff';

withPython.describe('both handshake roles with the newest Broker (Python bindings)', () => {
  jest.setTimeout(20_000);

  it.each([
    ['originator', SMALLEST, 'listens'],
    ['originator', SMALLEST, 'connects'],
    ['responder', LARGEST, 'listens'],
    ['responder', LARGEST, 'connects'],
  ] as const)('broker-ts as the %s (id %s) %s: the role follows the ids, events go both ways', async (role, id, direction) => {
    const log = collectingLogger();
    const ep = parts.endpoint({ endpointId: id, logger: log.logger });
    const statuses = ep.makeStatusSubscriber(true);
    const sub = ep.makeSubscriber('/roles/to-ts');
    const py = parts.python();
    await py.command('subscribe /roles/to-broker', 'subscribed');
    if (direction === 'listens') {
      const port = await ep.listen();
      expect(await py.command(`peer ${port} 0`, 'peered')).toBe('peered True');
    } else {
      const port = await py.listen();
      expect(await ep.peer('127.0.0.1', port)).toBe(true);
    }
    const added = (await nextEvent(statuses, 'peer_added')) as Status;
    const brokerId = added.context.id ?? '';
    expect(Math.sign(compareEndpointIds(id, brokerId))).toBe(role === 'originator' ? -1 : 1);
    // The endpoint took the role the ids give, whichever side connected.
    const done = log.records().filter((r) => r.event === 'native-handshake-done');
    expect(done.map((r) => [r.peer, r.originator, r.inbound])).toEqual([[brokerId, role === 'originator', direction === 'listens']]);
    // Broker knows the endpoint by the fixed id.
    expect((await py.waitForEvent('peer_added')).rest).toContain(id);
    // broker-ts to Broker.
    await awaitPeerSubscriptions(ep, '/roles/to-broker');
    ep.publish('/roles/to-broker', zeekEvent('hello', ['from-broker-ts']));
    expect(await py.waitForData('/roles/to-broker')).toContain('from-broker-ts');
    // Broker to broker-ts (Broker may install our filter after answering the peering).
    await until(async () => {
      await py.command('publish /roles/to-ts event hello from-broker', 'published');
      return sub.available() > 0;
    }, 'an event from Broker');
    const [topic, value] = await sub.get();
    expect(topic).toBe('/roles/to-ts');
    expect(parseZeekMessage(value)).toEqual({ kind: 'event', name: 'hello', args: ['from-broker'] });
  });
});
