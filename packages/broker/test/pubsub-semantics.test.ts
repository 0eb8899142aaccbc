import pino from 'pino';
import { BrokerError, count, type DataMessage, Endpoint, ReservedTopics, isStatus } from '@broker-ts/broker';
import { awaitPeerSubscriptions, connect, endpoints, shutdownAll, until } from './helpers';

describe('two peered endpoints', () => {
  let a: Endpoint;
  let b: Endpoint;
  beforeEach(async () => {
    [a, b] = endpoints(['a', 'b']);
    await connect(a, b);
  });
  afterEach(() => shutdownAll([a, b]));

  describe('publish/subscribe', () => {
    test('topics match by raw string prefix, not by component', async () => {
      const sub = b.makeSubscriber(['/a', '/b/c']);
      await awaitPeerSubscriptions(a, '/a', '/b/c');
      a.publish('/ab', 1);
      a.publish('/b', 2);
      a.publish('/b/cd', 3);
      a.publish('/c', 4);
      a.publish('/a/x', 5);
      expect(await sub.getMany(3)).toEqual([['/ab', 1], ['/b/cd', 3], ['/a/x', 5]]);
      expect(await sub.get({ timeout: 30 })).toBeNull();
    });

    test('the empty prefix subscribes to every topic', async () => {
      const sub = b.makeSubscriber('');
      await awaitPeerSubscriptions(a, '');
      a.publish('x', 1);
      a.publish('/y/z', 2);
      expect(await sub.getMany(2)).toEqual([['x', 1], ['/y/z', 2]]);
    });

    test('a plain subscriber does not see publications of its own endpoint', async () => {
      const local = a.makeSubscriber('/t');
      const remote = b.makeSubscriber('/t');
      await awaitPeerSubscriptions(a, '/t');
      a.publish('/t', 'first');
      expect(await remote.get()).toEqual(['/t', 'first']);
      // b's copy arrived; a's subscriber would have had it synchronously.
      expect(local.available()).toBe(0);
      // Messages from the peer do reach it.
      await awaitPeerSubscriptions(b, '/t');
      b.publish('/t', 'from b');
      expect(await local.get()).toEqual(['/t', 'from b']);
    });

    test('a hub sees local publications of others but not its own, and remote ones', async () => {
      const hub = a.makeHub('/h');
      const other = a.makeHub('/h');
      const pub = a.makePublisher('/h/pub');
      hub.publish('/h/1', 'from hub');
      a.publish('/h/2', 'from endpoint');
      await pub.publish('from publisher');
      expect(await other.getMany(2)).toEqual([['/h/1', 'from hub'], ['/h/2', 'from endpoint']]);
      expect(await other.get()).toEqual(['/h/pub', 'from publisher']);
      expect(await hub.getMany(2)).toEqual([['/h/2', 'from endpoint'], ['/h/pub', 'from publisher']]);
      await awaitPeerSubscriptions(b, '/h');
      b.publish('/h/remote', 7);
      expect(await hub.get()).toEqual(['/h/remote', 7]);
      expect(await other.get()).toEqual(['/h/remote', 7]);
      // The hub's own publication went to the peer.
      const remote = b.makeSubscriber('/h');
      await awaitPeerSubscriptions(a, '/h');
      hub.publish('/h/3', 'to b');
      expect(await remote.get()).toEqual(['/h/3', 'to b']);
    });

    test('internal <$>/local topics are delivered locally and never leave the endpoint', async () => {
      const remote = b.makeSubscriber(['<$>/local/custom', '/after']);
      const local = a.makeSubscriber('<$>/local/custom');
      await awaitPeerSubscriptions(a, '/after');
      // b's subscription to an internal topic is not advertised.
      expect(await a.peerSubscriptions()).toEqual(['/after']);
      a.publish('<$>/local/custom', 'secret');
      a.publish('/after', 'marker');
      expect(await local.get()).toEqual(['<$>/local/custom', 'secret']);
      // The peer stream is FIFO: had the internal message left, it would come first.
      expect(await remote.get()).toEqual(['/after', 'marker']);
      expect(remote.available()).toBe(0);
    });

    test("the topics of the endpoint's own events are refused to every publish call, and status subscribers stay sound", async () => {
      const statuses = a.makeStatusSubscriber(true);
      const invalid = expect.objectContaining({ name: 'BrokerError', code: 'invalid_topic_key', message: expect.stringMatching(/reserved for the endpoint's own events/) });
      for (const topic of [ReservedTopics.errors, ReservedTopics.statuses, `${ReservedTopics.storeEvents}/s`, '<$>/local/data/']) {
        expect(() => a.publish(topic, 'forged')).toThrow(invalid);
        expect(() => a.publishTo(b.id, topic, 'forged')).toThrow(invalid);
        expect(() => a.publishBatch([['/ok', 1], [topic, 'forged']])).toThrow(invalid);
        expect(() => a.makePublisher(topic)).toThrow(invalid);
        expect(() => a.makeHub('/h').publish(topic, 'forged')).toThrow(invalid);
      }
      // What the endpoint itself reports still arrives, parsed.
      await a.unpeer('127.0.0.1', 1);
      expect(await statuses.get()).toMatchObject({ name: 'BrokerError', code: 'peer_invalid' });
    });

    test('values arrive type-exact (counts, integers, reals, -0, NaN, nested containers)', async () => {
      const sub = b.makeSubscriber('/v');
      await awaitPeerSubscriptions(a, '/v');
      const value = [count(1), 2n, 1.0, -0, Number.NaN, null, true, 'x', [new Map([[count(3), 'c']])]];
      a.publish('/v', value as never);
      const [, got] = await sub.get();
      const arr = got as unknown[];
      expect(arr[0]).toEqual(count(1));
      expect(arr[1]).toBe(2n);
      expect(Object.is(arr[3], -0)).toBe(true);
      expect(Number.isNaN(arr[4])).toBe(true);
    });

    test('publishBatch sends each item as its own message, in order', async () => {
      const sub = b.makeSubscriber('/batch');
      await awaitPeerSubscriptions(a, '/batch');
      a.publishBatch([
        ['/batch/1', 1],
        ['/other', 0],
        ['/batch/2', 2],
        ['/batch/3', [3, 'three']],
      ]);
      expect(await sub.getMany(3)).toEqual([['/batch/1', 1], ['/batch/2', 2], ['/batch/3', [3, 'three']]]);
    });

    test('bad input to publish is refused with a BrokerError and nothing else breaks', async () => {
      const sub = b.makeSubscriber('/ok');
      await awaitPeerSubscriptions(a, '/ok');
      expect(() => a.publish(42 as unknown as string, 1)).toThrow(BrokerError);
      expect(() => a.publish('/ok', (() => 1) as never)).toThrow(BrokerError);
      expect(() => a.publishBatch([['/ok', 1], [null as unknown as string, 2]])).toThrow(BrokerError);
      expect(() => b.makeSubscriber([1 as unknown as string])).toThrow(BrokerError);
      a.publish('/ok', 'still works');
      expect(await sub.get()).toEqual(['/ok', 'still works']);
    });
  });

  describe('subscribers', () => {

    test('get, get with timeout (null), getMany with timeout, poll and available', async () => {
      const sub = b.makeSubscriber('/s');
      await awaitPeerSubscriptions(a, '/s');
      expect(await sub.get({ timeout: 10 })).toBeNull();
      expect(await sub.getMany(3, { timeout: 10 })).toEqual([]);
      a.publish('/s', 1);
      expect(await sub.get()).toEqual(['/s', 1]);
      a.publish('/s', 2);
      a.publish('/s', 3);
      expect(await sub.getMany(5, { timeout: 100 })).toEqual([['/s', 2], ['/s', 3]]);
      for (let i = 0; i < 5; i++) a.publish('/s', i);
      await until(() => sub.available() === 5, 'five buffered messages');
      expect(sub.poll().map((m) => m[1])).toEqual([0, 1, 2, 3, 4]);
      expect(sub.available()).toBe(0);
      expect(sub.poll()).toEqual([]);
    });

    test('async iteration yields messages until the subscriber is closed', async () => {
      const sub = b.makeSubscriber('/it');
      await awaitPeerSubscriptions(a, '/it');
      for (let i = 0; i < 5; i++) a.publish('/it', i);
      const seen: number[] = [];
      for await (const [, v] of sub) {
        seen.push(Number(v));
        if (seen.length === 5) sub.close();
      }
      expect(seen).toEqual([0, 1, 2, 3, 4]);
    });

    test('close() during a pending get rejects it with end_of_file, and later reads too', async () => {
      const sub = b.makeSubscriber('/c');
      const pending = sub.get();
      const many = sub.getMany(2);
      sub.close();
      await expect(pending).rejects.toMatchObject({ code: 'end_of_file', ec: 18 });
      await expect(many).rejects.toBeInstanceOf(BrokerError);
      await expect(sub.get()).rejects.toMatchObject({ code: 'end_of_file' });
      await expect(sub.get({ timeout: 10 })).rejects.toMatchObject({ code: 'end_of_file' });
      // The endpoint stops asking for the topic.
      await until(async () => !(await a.peerSubscriptions()).includes('/c'), 'filter without /c');
    });

    test('addTopic keeps the original topics (Broker 1.4 dropped them)', async () => {
      const sub = b.makeSubscriber(['/a', '/b/c']);
      await awaitPeerSubscriptions(a, '/a', '/b/c');
      sub.addTopic('/z');
      expect(sub.topics).toEqual(['/a', '/b/c', '/z']);
      await awaitPeerSubscriptions(a, '/z');
      a.publish('/a/1', 1);
      a.publish('/b/c', 2);
      a.publish('/z', 3);
      expect(await sub.getMany(3)).toEqual([['/a/1', 1], ['/b/c', 2], ['/z', 3]]);
    });

    test('removeTopic stops the peer from sending that topic', async () => {
      const sub = b.makeSubscriber(['/keep', '/drop']);
      await awaitPeerSubscriptions(a, '/keep', '/drop');
      sub.removeTopic('/drop');
      await until(async () => !(await a.peerSubscriptions()).includes('/drop'), 'filter without /drop');
      expect(await a.peerSubscriptions()).toEqual(['/keep']);
      a.publish('/drop', 'no');
      a.publish('/keep', 'yes');
      expect(await sub.get()).toEqual(['/keep', 'yes']);
      expect(sub.available()).toBe(0);
    });

    test('removing a topic another subscriber still wants keeps it advertised', async () => {
      const s1 = b.makeSubscriber('/shared');
      const s2 = b.makeSubscriber('/shared');
      await awaitPeerSubscriptions(a, '/shared');
      s1.removeTopic('/shared');
      s1.addTopic('/mine');
      await awaitPeerSubscriptions(a, '/mine', '/shared');
      a.publish('/shared', 1);
      expect(await s2.get()).toEqual(['/shared', 1]);
      expect(s1.available()).toBe(0);
    });

    test('a slow subscriber holds at most its queue size and loses nothing', async () => {
      const sub = b.makeSubscriber('/slow', { queueSize: 8 });
      await awaitPeerSubscriptions(a, '/slow');
      const n = 2000;
      for (let i = 0; i < n; i++) a.publish('/slow', i);
      await until(() => sub.available() === 8, 'a full queue');
      let next = 0;
      while (next < n) {
        expect(sub.available()).toBeLessThanOrEqual(8);
        const batch = await sub.getMany(Math.min(5, n - next));
        for (const [, v] of batch) expect(v).toBe(next++);
      }
    });

    test('callback subscriptions get each message and stop when ended', async () => {
      const got: DataMessage[] = [];
      let resolveThird!: () => void;
      const third = new Promise<void>((r) => (resolveThird = r));
      const stop = b.subscribe('/cb', (topic, value) => {
        got.push([topic, value]);
        if (got.length === 3) resolveThird();
      });
      await awaitPeerSubscriptions(a, '/cb');
      a.publish('/cb', 1);
      a.publish('/cb/x', 2);
      a.publish('/cb', 3);
      await third;
      expect(got).toEqual([['/cb', 1], ['/cb/x', 2], ['/cb', 3]]);
      stop();
      await until(async () => !(await a.peerSubscriptions()).includes('/cb'), 'filter without /cb');
      a.publish('/cb', 4);
      const marker = b.makeSubscriber('/m');
      await awaitPeerSubscriptions(a, '/m');
      a.publish('/m', 'marker');
      await marker.get();
      expect(got).toHaveLength(3);
    });

    test('a callback that throws does not stop the subscription or the endpoint', async () => {
      const got: number[] = [];
      let done!: () => void;
      const finished = new Promise<void>((r) => (done = r));
      b.subscribe('/throw', (_t, v) => {
        got.push(Number(v));
        if (v === 2) done();
        if (v === 1) throw new Error('callback failure');
      });
      await awaitPeerSubscriptions(a, '/throw');
      a.publish('/throw', 1);
      a.publish('/throw', 2);
      await finished;
      expect(got).toEqual([1, 2]);
    });

    test('an async callback that rejects is logged as one that throws, never an unhandled rejection', async () => {
      const unhandled: unknown[] = [];
      const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
      process.on('unhandledRejection', onUnhandled);
      const lines: Array<{ level: number; event?: string; detail?: string; topic?: string }> = [];
      const c = new Endpoint({ name: 'c', logger: pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) }) });
      try {
        const got: unknown[] = [];
        c.subscribe('/async', async (_t, v) => {
          got.push(v);
          if (v === 1) throw new Error('async failure');
        });
        c.subscribeLazy('/async', async (m) => {
          if (m.value === 2) throw new Error('lazy async failure');
        });
        await connect(a, c);
        await awaitPeerSubscriptions(a, '/async');
        a.publish('/async', 1);
        a.publish('/async', 2);
        a.publish('/async', 3);
        await until(() => lines.filter((l) => l.event === 'callback-failed').length === 2 && got.length === 3, 'both failures logged');
        expect(got).toEqual([1, 2, 3]);
        expect(lines.filter((l) => l.event === 'callback-failed').map((l) => [l.topic, l.detail])).toEqual([['/async', 'async failure'], ['/async', 'lazy async failure']]);
        // Rejections are reported by Node after the microtasks of a turn: give it one.
        await new Promise((r) => setImmediate(r));
        expect(unhandled).toEqual([]);
      } finally {
        process.off('unhandledRejection', onUnhandled);
        await c.shutdown();
      }
    });
  });

  describe('publishers', () => {

    test('demand, buffered, capacity and freeCapacity tell the truth', async () => {
      const pub = a.makePublisher('/p', { capacity: 4 });
      expect(pub.capacity).toBe(4);
      expect(pub.demand).toBe(4);
      expect(pub.freeCapacity).toBe(4);
      expect(pub.buffered).toBe(0);
      const sends = [pub.publish(1), pub.publish(2), pub.publish(3)];
      // Handed over synchronously up to capacity, not yet processed by the core.
      expect(pub.buffered).toBe(3);
      expect(pub.demand).toBe(1);
      expect(pub.freeCapacity).toBe(1);
      await Promise.all(sends);
      await until(() => pub.buffered === 0, 'the core to process the publisher messages');
      expect(pub.demand).toBe(4);
    });

    test('publish waits while the publisher has no credit and every value arrives in order', async () => {
      const sub = b.makeSubscriber('/p');
      await awaitPeerSubscriptions(a, '/p');
      const pub = a.makePublisher('/p', { capacity: 2 });
      const n = 300;
      const sending = (async () => {
        for (let i = 0; i < n; i++) {
          await pub.publish(i);
          expect(pub.buffered).toBeLessThanOrEqual(2);
        }
      })();
      const got = await sub.getMany(n);
      await sending;
      expect(got.map((m) => m[1])).toEqual(Array.from({ length: n }, (_, i) => i));
      expect(pub.sendRate).toBeGreaterThan(0);
    });

    test('a publisher refuses a bad capacity and bad values', async () => {
      expect(() => a.makePublisher('/p', { capacity: 0 })).toThrow(BrokerError);
      const pub = a.makePublisher('/p');
      await expect(pub.publish(Symbol('x') as never)).rejects.toBeInstanceOf(BrokerError);
      expect(pub.buffered).toBe(0);
    });

    test('sendRate is zero before anything was sent', () => {
      expect(a.makePublisher('/p').sendRate).toBe(0);
    });
  });

});

describe('publishTo one specific peer', () => {
  let eps: Endpoint[];
  afterEach(() => shutdownAll(eps));

  test('only the named peer gets the message', async () => {
    eps = endpoints(['hub', 'x', 'y']);
    const [hub, x, y] = eps;
    const portX = await x.listen();
    const portY = await y.listen();
    await hub.peer('127.0.0.1', portX);
    await hub.peer('127.0.0.1', portY);
    const sx = x.makeSubscriber('/direct');
    const sy = y.makeSubscriber('/direct');
    await awaitPeerSubscriptions(hub, '/direct');
    await until(async () => (await hub.peerSubscriptions()).length === 1 && (await hub.peers()).length === 2, 'both peers');
    hub.publishTo(y.id, '/direct', 'for y');
    hub.publish('/direct', 'for all');
    expect(await sy.getMany(2)).toEqual([['/direct', 'for y'], ['/direct', 'for all']]);
    expect(await sx.get()).toEqual(['/direct', 'for all']);
    expect(sx.available()).toBe(0);
  });

  test('status topics are internal: a status subscriber on one endpoint sees only its own events', async () => {
    eps = endpoints(['p', 'q']);
    const [p, q] = eps;
    const sp = p.makeStatusSubscriber(true);
    const sq = q.makeStatusSubscriber(true);
    const rawQ = q.makeSubscriber(ReservedTopics.statuses);
    await connect(p, q);
    // endpoint_discovered and peer_added, each naming the other endpoint.
    for (const [sub, other] of [[sp, q], [sq, p]] as const) {
      for (const code of ['endpoint_discovered', 'peer_added']) {
        const ev = await sub.get();
        expect(isStatus(ev) && [ev.code, ev.context.id]).toEqual([code, other.id]);
      }
    }
    const [, raw] = await rawQ.get();
    expect(Array.isArray(raw) && raw[0]).toBe('status');
    expect(sp.available()).toBe(0);
  });
});
