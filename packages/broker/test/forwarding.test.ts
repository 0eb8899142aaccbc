import type { Endpoint, EndpointOptions, Subscriber } from '@broker-ts/broker';
import { awaitPeerSubscriptions, chain, connect, endpoints, shutdownAll, until } from './helpers';

let eps: Endpoint[] = [];
afterEach(() => shutdownAll(eps));

/** Sum of a counter over endpoints. */
async function total(list: Endpoint[], counter: 'duplicates' | 'ttlExpired'): Promise<number> {
  const stats = await Promise.all(list.map((ep) => ep.stats()));
  return stats.reduce((sum, s) => sum + s[counter], 0);
}

describe('forwarding along a chain A - B - C', () => {
  test('a subscribed middle hop relays: C receives what A publishes, and back', async () => {
    eps = endpoints(['A', 'B', 'C']);
    const [a, b, c] = eps;
    const sa = a.makeSubscriber('/t');
    const sb = b.makeSubscriber('/t');
    const sc = c.makeSubscriber('/t');
    await chain(eps);
    await awaitPeerSubscriptions(a, '/t');
    await awaitPeerSubscriptions(b, '/t');
    await awaitPeerSubscriptions(c, '/t');
    a.publish('/t/1', 'from A');
    expect(await sb.get()).toEqual(['/t/1', 'from A']);
    expect(await sc.get()).toEqual(['/t/1', 'from A']);
    c.publish('/t/2', 'from C');
    expect(await sb.get()).toEqual(['/t/2', 'from C']);
    expect(await sa.get()).toEqual(['/t/2', 'from C']);
  });

  test('an unsubscribed middle hop does not relay, until it forward()s the topic', async () => {
    eps = endpoints(['A', 'B', 'C']);
    const [a, b, c] = eps;
    const sc = c.makeSubscriber('/t');
    const marker = c.makeSubscriber('/marker');
    b.makeSubscriber('/marker');
    await chain(eps);
    await awaitPeerSubscriptions(b, '/t', '/marker');
    await awaitPeerSubscriptions(a, '/marker');
    // B advertises only its own filter: A does not send /t to it.
    expect(await a.peerSubscriptions()).toEqual(['/marker']);
    a.publish('/t', 'lost');
    a.publish('/marker', 1);
    // The marker took the same path (A -> B -> C) after the /t message would have.
    expect(await marker.get()).toEqual(['/marker', 1]);
    expect(sc.available()).toBe(0);
    b.forward('/t');
    await awaitPeerSubscriptions(a, '/t');
    a.publish('/t', 'relayed');
    expect(await sc.get()).toEqual(['/t', 'relayed']);
  });

  test('forward: false on B stops relaying even though B subscribes', async () => {
    eps = [...endpoints(['A']), ...endpoints(['B'], { forward: false }), ...endpoints(['C'])];
    const [a, b, c] = eps;
    const sb = b.makeSubscriber('/t');
    const sc = c.makeSubscriber('/t');
    await chain(eps);
    await awaitPeerSubscriptions(a, '/t');
    await awaitPeerSubscriptions(b, '/t');
    a.publish('/t', 'from A');
    expect(await sb.get()).toEqual(['/t', 'from A']);
    // B's own publication follows on the same stream to C: had B relayed, A's would come first.
    b.publish('/t', 'from B');
    expect(await sc.get()).toEqual(['/t', 'from B']);
    expect(sc.available()).toBe(0);
  });
});

test('a hop limit of 2 stops a message after two hops on a chain of four', async () => {
  eps = [...endpoints(['A'], { ttl: 2 }), ...endpoints(['B', 'C', 'D'])];
  const [a, b, c, d] = eps;
  const subs = eps.map((ep) => ep.makeSubscriber('/t'));
  await chain(eps);
  await awaitPeerSubscriptions(a, '/t');
  await awaitPeerSubscriptions(b, '/t');
  await awaitPeerSubscriptions(c, '/t');
  a.publish('/t', 'ttl 2');
  expect(await subs[1].get()).toEqual(['/t', 'ttl 2']);
  expect(await subs[2].get()).toEqual(['/t', 'ttl 2']);
  expect((await c.stats()).ttlExpired).toBe(1);
  // Had C relayed A's message, D would get it before C's own (one FIFO stream C -> D).
  c.publish('/t', 'from C');
  expect(await subs[3].get()).toEqual(['/t', 'from C']);
  // B's messages carry the default hop limit and do reach D.
  b.publish('/t', 'from B');
  expect(await subs[3].get()).toEqual(['/t', 'from B']);
  expect(subs[3].available()).toBe(0);
  expect((await d.stats()).ttlExpired).toBe(0);
});

/**
 * Publishes `n` messages from `from` once every endpoint knows its peers' subscriptions,
 * then waits until the copies that cycles produce have all been suppressed: with every
 * endpoint subscribed, each message crosses each link once in each direction except along
 * the spanning tree it first takes, so 2 * (links - endpoints + 1) copies per message
 * arrive twice.
 */
async function floodAndSettle(list: Endpoint[], links: number, subs: Subscriber[], from: Endpoint, n: number): Promise<void> {
  for (const ep of list) await until(async () => (await ep.peerSubscriptions()).includes('/t'), 'filters');
  for (let i = 0; i < n; i++) from.publish('/t', i);
  const expectedDuplicates = 2 * (links - list.length + 1) * n;
  await until(async () => (await total(list, 'duplicates')) === expectedDuplicates, `${expectedDuplicates} suppressed duplicates`);
  for (const [i, ep] of list.entries()) {
    if (ep === from) continue;
    const got = await subs[i].getMany(n);
    expect(got.map((m) => m[1])).toEqual(Array.from({ length: n }, (_, k) => k));
    expect(subs[i].available()).toBe(0);
  }
  expect(subs[list.indexOf(from)].available()).toBe(0);
}

test('a triangle delivers each message exactly once to each subscriber', async () => {
  eps = endpoints(['A', 'B', 'C']);
  const [a, b, c] = eps;
  const subs = eps.map((ep) => ep.makeSubscriber('/t'));
  await connect(a, b);
  await connect(b, c);
  await connect(c, a);
  await floodAndSettle(eps, 3, subs, a, 50);
  await floodAndSettle(eps, 3, subs, c, 50);
});

test('a ring of four delivers each message exactly once to each subscriber', async () => {
  eps = endpoints(['A', 'B', 'C', 'D']);
  const [a, b, c, d] = eps;
  const subs = eps.map((ep) => ep.makeSubscriber('/t'));
  await connect(a, b);
  await connect(b, c);
  await connect(c, d);
  await connect(d, a);
  await floodAndSettle(eps, 4, subs, b, 50);
});

test('a full mesh of four with forwarding delivers exactly once as well', async () => {
  const options: EndpointOptions = { ttl: 5 };
  eps = endpoints(['A', 'B', 'C', 'D'], options);
  const subs = eps.map((ep) => ep.makeSubscriber('/t'));
  for (let i = 0; i < eps.length; i++) for (let j = i + 1; j < eps.length; j++) await connect(eps[i], eps[j]);
  await floodAndSettle(eps, 6, subs, eps[3], 20);
});
