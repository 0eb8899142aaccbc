import { randomUUID } from 'node:crypto';

import { BrokerError, count, type Data, Endpoint, isStatus, set, type Status, type StatusEvent } from '@broker-ts/broker';

/** Reads status events until one with `code` arrives. */
async function nextStatus(sub: { get(): Promise<StatusEvent> }, code: string): Promise<StatusEvent> {
  for (;;) {
    const ev = await sub.get();
    if ((isStatus(ev) ? ev.code : ev.code) === code) return ev;
  }
}

describe('two endpoints in one process', () => {
  let a: Endpoint;
  let b: Endpoint;
  beforeEach(() => {
    a = new Endpoint({ name: 'a' });
    b = new Endpoint({ name: 'b' });
  });
  afterEach(async () => {
    await Promise.all([a.shutdown(), b.shutdown()]);
  });

  test('a subscriber receives what its peer publishes, in order, type-exact', async () => {
    const port = await b.listen();
    const sub = b.makeSubscriber('/test');
    expect(await a.peer('127.0.0.1', port)).toBe(true);
    // Wait until a knows b's subscription, then publish.
    while (!(await a.peerSubscriptions()).includes('/test')) await new Promise((r) => setImmediate(r));
    for (let i = 0; i < 100; i++) a.publish('/test/x', [count(i), 'v', 1.0, -0]);
    a.publish('/other', 'not for b');
    for (let i = 0; i < 100; i++) {
      const [topic, value] = await sub.get();
      expect(topic).toBe('/test/x');
      expect(value).toEqual([count(i), 'v', 1.0, -0]);
      expect(Object.is((value as unknown[])[3], -0)).toBe(true);
    }
    expect(await sub.get({ timeout: 50 })).toBeNull();
  });

  test('with a peer, publish() and a publisher encode the value at the call (the core keeps the peer count the facade reads)', async () => {
    const port = await b.listen();
    const sub = b.makeSubscriber('/m');
    expect(await a.peer('127.0.0.1', port)).toBe(true);
    while (!(await a.peerSubscriptions()).includes('/m')) await new Promise((r) => setImmediate(r));
    // The caller changes its array after publishing: what travels is what was published,
    // because it was encoded in the call (without a peer, toData alone checks it).
    const v = [count(1), 'as published'];
    a.publish('/m', v);
    v[1] = 'changed after';
    const w = [count(2), 'as published'];
    await a.makePublisher('/m').publish(w);
    w[1] = 'changed after';
    expect(await sub.getMany(2, { timeout: 20_000 })).toEqual([['/m', [count(1), 'as published']], ['/m', [count(2), 'as published']]]);
  });

  test('none, published as null or as undefined, reaches a peer\'s subscriber and a local hub', async () => {
    const port = await b.listen();
    const sub = b.makeSubscriber('/none');
    const hub = a.makeHub('/none');
    expect(await a.peer('127.0.0.1', port)).toBe(true);
    while (!(await a.peerSubscriptions()).includes('/none')) await new Promise((r) => setImmediate(r));
    a.publish('/none/null', null);
    a.publish('/none/undefined', undefined);
    await a.makePublisher('/none/publisher').publish(undefined);
    const expected = [['/none/null', null], ['/none/undefined', null], ['/none/publisher', null]];
    expect(await sub.getMany(3, { timeout: 20_000 })).toEqual(expected);
    expect(await hub.getMany(3, { timeout: 20_000 })).toEqual(expected);
  });

  test('without a local listener only the bytes travel; a hub that comes before the core routes them gets the value decoded, exact', async () => {
    const port = await b.listen();
    const sub = b.makeSubscriber('/kept');
    expect(await a.peer('127.0.0.1', port)).toBe(true);
    while (!(await a.peerSubscriptions()).includes('/kept')) await new Promise((r) => setImmediate(r));
    // Exact data (a Broker set, not a JS Set): the publish calls encode it at the call.
    const value = (i: number): Data => [count(i), -0, 'v', set(['x', 'y'])];
    // No hub, no internal-topic subscriber on a: the publications keep only their bytes.
    a.publish('/kept', value(1));
    await a.makePublisher('/kept').publish(value(2));
    // A hub made now is known to the core only after the next publications were taken by
    // the facade (the facade still counts no local listener): the core decodes them for it.
    const hub = a.makeHub('/kept');
    a.publish('/kept', value(3));
    a.publishBatch([['/kept', value(4)]]);
    // Once the core has the hub, the facade keeps the value beside the bytes.
    await a.peerSubscriptions();
    a.publish('/kept', value(5));
    const expected = (i: number): [string, Data] => ['/kept', value(i)];
    expect(await sub.getMany(5, { timeout: 20_000 })).toEqual([1, 2, 3, 4, 5].map(expected));
    const atHub = await hub.getMany(3, { timeout: 20_000 });
    expect(atHub).toEqual([3, 4, 5].map(expected));
    expect(Object.is((atHub[0][1] as Data[])[1], -0)).toBe(true);
    expect(atHub[0][1]).not.toBe(atHub[1][1]);
  });

  test('large values reach a peer over TCP in batches within the frame limit; one too large for any peer is reported and not sent', async () => {
    const port = await b.listen();
    const sub = b.makeSubscriber('/big', { queueSize: 256 });
    const errors = a.makeStatusSubscriber(true);
    expect(await a.peer('127.0.0.1', port)).toBe(true);
    while (!(await a.peerSubscriptions()).includes('/big')) await new Promise((r) => setImmediate(r));
    // 80 values of 512 KiB published in one turn: 40 MiB, which as one batch would exceed
    // the transport's 16 MiB frame and be lost.
    const big = (i: number): string => `${i}:`.padEnd(512 * 1024, 'x');
    for (let i = 0; i < 80; i++) a.publish('/big', big(i));
    const got = await sub.getMany(80, { timeout: 30_000 });
    expect(got.map(([, v]) => v)).toEqual(Array.from({ length: 80 }, (_, i) => big(i)));
    // 17 MiB cannot be one message to a peer: an error event, the peers get nothing of it,
    // and what follows still arrives.
    const dropsBefore = (await a.stats()).peerDrops;
    a.publish('/big', 'y'.repeat(17 * 1024 * 1024));
    a.publish('/big', 'after');
    expect(await sub.get({ timeout: 20_000 })).toEqual(['/big', 'after']);
    const events = errors.poll();
    expect(events.filter((e) => e instanceof BrokerError).map((e) => [(e as BrokerError).code, /exceeds .* bytes a message to a broker-ts peer may have/.test((e as BrokerError).message)])).toEqual([['serialization_failed', true]]);
    expect((await a.stats()).peerDrops).toBe(dropsBefore + 1);
    expect((await a.peers()).map((p) => p.status)).toEqual(['peered']);
  }, 60_000);

  test('an endpoint restarted with the same id is heard by its peer at once (its sequence numbers continue above the old ones)', async () => {
    const id = randomUUID();
    const port = await b.listen();
    const sub = b.makeSubscriber('/r');
    const statuses = b.makeStatusSubscriber(true);
    const first = new Endpoint({ name: 'first run', endpointId: id });
    try {
      expect(await first.peer('127.0.0.1', port)).toBe(true);
      while (!(await first.peerSubscriptions()).includes('/r')) await new Promise((r) => setImmediate(r));
      for (let i = 0; i < 300; i++) first.publish('/r', count(i));
      expect(await sub.getMany(300, { timeout: 20_000 })).toHaveLength(300);
    } finally {
      await first.shutdown();
    }
    expect(((await nextStatus(statuses, 'peer_lost')) as Status).context.id).toBe(id);
    const second = new Endpoint({ name: 'second run', endpointId: id });
    try {
      expect(await second.peer('127.0.0.1', port)).toBe(true);
      while (!(await second.peerSubscriptions()).includes('/r')) await new Promise((r) => setImmediate(r));
      second.publish('/r', 'after the restart');
      expect(await sub.get({ timeout: 20_000 })).toEqual(['/r', 'after the restart']);
    } finally {
      await second.shutdown();
    }
  });

  test('peer_added on both sides, peer_removed/peer_lost after unpeer, peer_invalid for an unknown peer', async () => {
    const sa = a.makeStatusSubscriber(true);
    const sb = b.makeStatusSubscriber(true);
    const port = await b.listen();
    expect(await a.peer('127.0.0.1', port)).toBe(true);
    const added = (await nextStatus(sa, 'peer_added')) as Status;
    expect(added.context.id).toBe(b.id);
    expect(added.context.network).toMatchObject({ address: '127.0.0.1', port });
    expect(((await nextStatus(sb, 'peer_added')) as Status).context.id).toBe(a.id);
    expect((await a.peers()).map((p) => [p.peer.id, p.status])).toEqual([[b.id, 'peered']]);
    expect(await a.unpeer('127.0.0.1', port)).toBe(true);
    expect(((await nextStatus(sa, 'peer_removed')) as Status).context.id).toBe(b.id);
    expect(((await nextStatus(sb, 'peer_lost')) as Status).context.id).toBe(a.id);
    expect(await a.peers()).toEqual([]);
    expect(await a.unpeer('127.0.0.1', port)).toBe(true);
    const invalid = await nextStatus(sa, 'peer_invalid');
    expect(invalid).toBeInstanceOf(BrokerError);
    expect((invalid as BrokerError).message).toBe('cannot unpeer from unknown peer');
  });

  test('peering to a closed port fails at once without retry, with peer_unavailable', async () => {
    const sa = a.makeStatusSubscriber();
    const port = await b.listen();
    await b.shutdown();
    expect(await a.peer('127.0.0.1', port)).toBe(false);
    const err = (await sa.get()) as BrokerError;
    expect(err).toBeInstanceOf(BrokerError);
    expect(err.code).toBe('peer_unavailable');
    expect(err.ec).toBe(4);
  });
});
