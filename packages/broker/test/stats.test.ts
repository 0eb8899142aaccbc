/**
 * What `Endpoint.stats()` counts besides drops: processed messages by Broker's type,
 * accepted publications, open publishers, subscriptions, buffered messages and ended
 * peerings (the figures behind the metrics server of @broker-ts/cli).
 */
import { count, type Endpoint } from '@broker-ts/broker';
import { awaitPeerSubscriptions, connect, endpoints, shutdownAll, until } from './helpers';

let eps: Endpoint[] = [];
afterEach(() => shutdownAll(eps));

describe('endpoint stats', () => {
  test('a fresh endpoint has counted nothing', async () => {
    eps = endpoints(['A']);
    expect(await eps[0].stats()).toEqual({
      peerDrops: 0, localDrops: 0, duplicates: 0, ttlExpired: 0, malformed: 0, publishDrops: 0,
      processed: { data: 0, command: 0, routingUpdate: 0 }, buffered: 0, subscriptions: 0, publishers: 0, published: 0, peerDisconnects: 0,
    });
  });

  test('subscriptions and publishers are counted while open; store subscriptions are not', async () => {
    eps = endpoints(['A']);
    const [a] = eps;
    const sub = a.makeSubscriber('/x');
    const hub = a.makeHub('/y');
    const stop = a.subscribe('/z', () => undefined);
    const statuses = a.makeStatusSubscriber(true);
    const store = await a.attachMaster('s', 'memory');
    const pub1 = a.makePublisher('/p');
    const pub2 = a.makePublisher('/p');
    await until(async () => (await a.stats()).subscriptions === 4, 'four subscriptions');
    expect((await a.stats()).publishers).toBe(2);
    pub1.close();
    pub1.close();
    sub.close();
    hub.close();
    stop();
    statuses.close();
    await until(async () => (await a.stats()).subscriptions === 0, 'no subscriptions');
    expect((await a.stats()).publishers).toBe(1);
    pub2.close();
    await store.close();
    expect((await a.stats()).publishers).toBe(0);
  });

  test('data, store commands and routing updates are counted by type on both sides; an ended peering is counted', async () => {
    eps = endpoints(['A', 'B']);
    const [a, b] = eps;
    const port = await connect(a, b);
    const sub = b.makeSubscriber('/d');
    await awaitPeerSubscriptions(a, '/d');
    for (let i = 0; i < 10; i++) a.publish('/d', count(i));
    await sub.getMany(10, { timeout: 20_000 });
    const master = await b.attachMaster('s', 'memory');
    const clone = await a.attachClone('s');
    await clone.put('k', count(1));
    await until(async () => (await master.get('k')) !== undefined, 'the put at the master');
    // The master's update to the clone may still wait for its stream's flush (at the end
    // of the event loop's pass): the gauge falls to zero once it is sent.
    await until(async () => (await b.stats()).buffered === 0, 'B sends what it buffered');
    const sa = await a.stats();
    const sb = await b.stats();
    expect(sa.published).toBe(10);
    expect(sa.processed.data).toBeGreaterThanOrEqual(10);
    expect(sb.processed.data).toBeGreaterThanOrEqual(10);
    expect(sa.processed.command).toBeGreaterThan(0);
    expect(sb.processed.command).toBeGreaterThan(0);
    expect(sa.processed.routingUpdate).toBeGreaterThan(0);
    expect(sa.peerDisconnects).toBe(0);
    await clone.close();
    await master.close();
    expect(await a.unpeer('127.0.0.1', port)).toBe(true);
    await until(async () => (await b.stats()).peerDisconnects === 1, 'B counts the ended peering');
    expect((await a.stats()).peerDisconnects).toBe(1);
  });
});
