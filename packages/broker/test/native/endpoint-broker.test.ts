/**
 * broker-ts endpoints peering with the newest Broker through `listen()` and `peer()`:
 * the statuses both sides report, publish/subscribe both ways with every data type,
 * routing updates, relays in both directions, the default TLS, a killed and restarted
 * Broker, a slow Broker and unpeering (verified TLS: endpoint-broker-tls.test.ts). Broker runs as its Python bindings (python-endpoint.py,
 * standing in for Zeek) and as `broker-node`/`broker-pipe`. Skipped with the reason where
 * the newest Broker is not built.
 */
import { count, type Data, isStatus, networkTimestamp, parseZeekMessage, type Status, type StatusEvent, timestamp, toString, zeekEvent } from '@broker-ts/broker';
import { awaitPeerSubscriptions, codeOf, nextEvent, until } from '../helpers';
import { newestBroker, newestBrokerPython } from '../../../../tools/requirements';
import { liveParts } from './live-endpoints';
import { connectWhenListening, freePort, type ReferenceBroker, startBroker } from '../../../../tools/reference-broker';
import { ALL_TYPES } from './all-types';

const live = newestBroker();
const broker = live.broker as ReferenceBroker;
const withPython = newestBrokerPython(live.broker);

const parts = liveParts(broker);
const { endpoint, python, node } = parts;

/** The codes of the statuses and errors read from `sub` until `last` arrives (included). */
async function codesUntil(sub: { get(): Promise<StatusEvent> }, last: string): Promise<string[]> {
  const out: string[] = [];
  for (;;) {
    const ev = await sub.get();
    out.push(codeOf(ev));
    if (codeOf(ev) === last) return out;
  }
}

const plain = { disableSsl: true };

/** The event python-endpoint.py publishes as `event_with_metadata`. */
const WITH_METADATA = zeekEvent('ping', [count(7n), 'x'], [[1, timestamp(1_704_164_645_000_000_000n)]]);

withPython.describe('broker-ts endpoints and the newest Broker (Python bindings)', () => {
  jest.setTimeout(20_000);

  it.each([
    ['plain TCP', plain, ['--disable-ssl']],
    ['the default anonymous TLS', {}, []],
  ])('Broker peers with a listening broker-ts endpoint over %s: statuses as Broker reports them, messages both ways', async (_, options, pyArgs) => {
    const ep = endpoint(options);
    const statuses = ep.makeStatusSubscriber(true);
    const sub = ep.makeSubscriber('/from-broker');
    const port = await ep.listen();
    const py = python(pyArgs);
    await py.command('subscribe /from-ts', 'subscribed');
    expect(await py.command(`peer ${port} 0`, 'peered')).toBe('peered True');
    // As between two Brokers: endpoint_discovered, then peer_added naming the address.
    const discovered = (await nextEvent(statuses, 'endpoint_discovered')) as Status;
    const added = (await statuses.get()) as Status;
    expect(added.code).toBe('peer_added');
    expect(added.message).toBe('handshake successful');
    expect(discovered.context.id).toBe(added.context.id);
    expect(discovered.message).toBe('found a new peer in the network');
    expect(added.context.network?.address).toBe('127.0.0.1');
    expect(added.context.network?.port).not.toBe(port);
    await py.waitForEvent('peer_added');
    expect(py.statusCodes()).toEqual(['endpoint_discovered', 'peer_added']);
    expect(py.events().find((e) => e.code === 'peer_added')?.rest).toContain(ep.id);
    // Broker to broker-ts.
    await awaitPeerSubscriptions(ep, '/from-ts');
    await py.command('publish /from-broker text hello ts', 'published');
    expect(await sub.get()).toEqual(['/from-broker', 'hello ts']);
    // broker-ts to Broker.
    ep.publish('/from-ts', 'hello broker');
    expect(await py.waitForData('/from-ts')).toBe('hello broker');
  });

  it.each([
    ['plain TCP', plain, ['--disable-ssl']],
    ['the default anonymous TLS', {}, []],
  ])('a broker-ts endpoint peers with a listening Broker over %s', async (_, options, pyArgs) => {
    const py = python(pyArgs);
    await py.command('subscribe /from-ts', 'subscribed');
    const port = await py.listen();
    const ep = endpoint(options);
    const statuses = ep.makeStatusSubscriber(true);
    const sub = ep.makeSubscriber('/from-broker');
    expect(await ep.peer('127.0.0.1', port)).toBe(true);
    expect(await codesUntil(statuses, 'peer_added')).toEqual(['endpoint_discovered', 'peer_added']);
    const peers = await ep.peers();
    expect(peers).toHaveLength(1);
    expect(peers[0].peer.network).toMatchObject({ address: '127.0.0.1', port });
    await py.waitForEvent('peer_added');
    await awaitPeerSubscriptions(ep, '/from-ts');
    ep.publish('/from-ts', 'to broker');
    expect(await py.waitForData('/from-ts')).toBe('to broker');
    // A subscription made after the handshake reaches Broker as a ROUTING_UPDATE.
    await until(async () => {
      await py.command('publish /from-broker text probe', 'published');
      return sub.available() > 0;
    }, 'Broker following our filter');
    expect((await sub.get())[0]).toBe('/from-broker');
    const late = ep.makeSubscriber('/late');
    await py.command('subscribe /late-ts', 'subscribed');
    await awaitPeerSubscriptions(ep, '/late-ts');
    ep.publish('/late-ts', 'late to broker');
    expect(await py.waitForData('/late-ts')).toBe('late to broker');
    await until(async () => {
      await py.command('publish /late text late', 'published');
      return late.available() > 0;
    }, 'Broker following our late subscription');
    expect(await late.get()).toEqual(['/late', 'late']);
  });

  it('a message over the 16 MiB a broker-ts peer takes still reaches a Broker peer, whose frames are larger', async () => {
    const py = python(['--disable-ssl']);
    await py.command('subscribe /from-ts', 'subscribed');
    const port = await py.listen();
    const ep = endpoint(plain);
    const errors = ep.makeStatusSubscriber(true);
    expect(await ep.peer('127.0.0.1', port)).toBe(true);
    await awaitPeerSubscriptions(ep, '/from-ts');
    const big = 'z'.repeat(17 * 1024 * 1024);
    ep.publish('/from-ts', big);
    ep.publish('/from-ts/after', 'after');
    // Broker decoded the whole message to print it (the helper's output reaches us in
    // pieces of a long line, so only its start is compared here).
    const got = await py.waitForData('/from-ts');
    expect(got.startsWith('z'.repeat(60_000))).toBe(true);
    expect(await py.waitForData('/from-ts/after')).toBe('after');
    // No broker-ts peer: nothing was refused.
    expect(errors.poll().filter((e) => !isStatus(e))).toEqual([]);
  }, 60_000);

  it('the Zeek snippet of docs/interop.md: events both ways, with Broker in the place of Zeek', async () => {
    const ep = endpoint();
    const sub = ep.makeSubscriber('/demo');
    const port = await ep.listen('127.0.0.1', 0);
    const py = python();
    await py.command('subscribe /demo', 'subscribed');
    expect(await py.command(`peer ${port} 1`, 'peered')).toBe('peered True');
    await py.waitForEvent('peer_added');
    await awaitPeerSubscriptions(ep, '/demo');
    await py.command('publish /demo event hello zeek', 'published');
    const [, value] = await sub.get();
    expect(parseZeekMessage(value)).toEqual({ kind: 'event', name: 'hello', args: ['zeek'] });
    ep.publish('/demo', zeekEvent('hello', ['broker-ts']));
    await py.waitFor((l) => l.startsWith('data /demo') && l.includes('broker-ts'));
  });

  /**
   * A listening endpoint subscribed to `topic`, and a Python Broker peered with it that
   * publishes `what` (a python-endpoint.py publish kind) until the endpoint has it.
   */
  async function publishedByBroker(topic: string, what: string): Promise<Data> {
    const ep = endpoint(plain);
    const sub = ep.makeSubscriber(topic);
    const port = await ep.listen();
    const py = python(['--disable-ssl']);
    expect(await py.command(`peer ${port} 0`, 'peered')).toBe('peered True');
    await py.waitForEvent('peer_added');
    // Broker may install the peering after answering: publish until one copy arrives.
    await until(async () => {
      await py.command(`publish ${topic} ${what}`, 'published');
      return sub.available() > 0;
    }, `${what} on ${topic}`);
    const [got, value] = await sub.get();
    expect(got).toBe(topic);
    return value;
  }

  it('receives a Zeek event with all 15 data types published by Broker', async () => {
    expect(await publishedByBroker('/all', 'all_types')).toEqual(ALL_TYPES);
  });

  it('receives a Zeek event with metadata (its network time) published by Broker', async () => {
    const value = await publishedByBroker('/meta', 'event_with_metadata');
    expect(value).toEqual(WITH_METADATA);
    const event = parseZeekMessage(value);
    expect(event.kind === 'event' && networkTimestamp(event)).toEqual(timestamp(1_704_164_645_000_000_000n));
  });

  it('unpeer: peer_removed then endpoint_unreachable here, peer_lost then endpoint_unreachable at Broker', async () => {
    const py = python(['--disable-ssl']);
    const port = await py.listen();
    const ep = endpoint(plain);
    const statuses = ep.makeStatusSubscriber(true);
    expect(await ep.peer('127.0.0.1', port)).toBe(true);
    await py.waitForEvent('peer_added');
    expect(await ep.unpeer('127.0.0.1', port)).toBe(true);
    expect(await codesUntil(statuses, 'endpoint_unreachable')).toEqual(['endpoint_discovered', 'peer_added', 'peer_removed', 'endpoint_unreachable']);
    await py.waitForEvent('endpoint_unreachable');
    expect(py.statusCodes()).toEqual(['endpoint_discovered', 'peer_added', 'peer_lost', 'endpoint_unreachable']);
    expect(await ep.peers()).toEqual([]);
  });

  it('Broker unpeers: peer_lost then endpoint_unreachable here', async () => {
    const ep = endpoint(plain);
    const statuses = ep.makeStatusSubscriber(true);
    const port = await ep.listen();
    const py = python(['--disable-ssl']);
    expect(await py.command(`peer ${port} 0`, 'peered')).toBe('peered True');
    await nextEvent(statuses, 'peer_added');
    expect(await py.command(`unpeer ${port}`, 'unpeered')).toBe('unpeered True');
    expect(await codesUntil(statuses, 'endpoint_unreachable')).toEqual(['peer_lost', 'endpoint_unreachable']);
    await py.waitForEvent('endpoint_unreachable');
    expect(py.statusCodes()).toEqual(['endpoint_discovered', 'peer_added', 'peer_removed', 'endpoint_unreachable']);
  });

  it('a failed peering is peer_unavailable, as Broker reports it', async () => {
    const ep = endpoint(plain);
    const statuses = ep.makeStatusSubscriber(true);
    const port = await freePort();
    expect(await ep.peer('127.0.0.1', port)).toBe(false);
    const err = await statuses.get();
    expect(isStatus(err)).toBe(false);
    expect(codeOf(err)).toBe('peer_unavailable');
    expect((err as { message: string }).message).toMatch(/^unable to connect to remote peer/);
  });

  it('relays Broker to broker-ts to Broker, both ways', async () => {
    const relay = endpoint(plain);
    relay.forward(['/relay']);
    const port = await relay.listen();
    const left = python(['--disable-ssl']);
    const right = python(['--disable-ssl']);
    await left.command('subscribe /relay/to-left', 'subscribed');
    await right.command('subscribe /relay/to-right', 'subscribed');
    await left.command(`peer ${port} 0`, 'peered');
    await right.command(`peer ${port} 0`, 'peered');
    await awaitPeerSubscriptions(relay, '/relay/to-left', '/relay/to-right');
    await until(async () => {
      await left.command('publish /relay/to-right text from left', 'published');
      return right.lines().some((l) => l.startsWith('data /relay/to-right'));
    }, 'left to right');
    expect(await right.waitForData('/relay/to-right')).toBe('from left');
    await right.command('publish /relay/to-left text from right', 'published');
    expect(await left.waitForData('/relay/to-left')).toBe('from right');
  });
});

live.req.describe('broker-ts endpoints and the newest Broker (broker-node, broker-pipe)', () => {
  jest.setTimeout(20_000);

  it('delivers a Zeek event with all 15 data types to Broker intact (broker-pipe prints it)', async () => {
    const p = await freePort();
    const pipe = startBroker(broker.pipe, ['--mode=subscribe', '--topic=/test', `--local-port=${p}`, '--disable-ssl']);
    parts.defer(() => pipe.kill());
    (await connectWhenListening(p)).destroy();
    const ep = endpoint(plain);
    expect(await ep.peer('127.0.0.1', p)).toBe(true);
    await awaitPeerSubscriptions(ep, '/test');
    const printed = pipe.waitForOutput(/^.*all_types.*$/m);
    ep.publish('/test', ALL_TYPES);
    expect(await printed).toBe(`data(/test, ${toString(ALL_TYPES)})`);
  });

  it('relays broker-ts to Broker to broker-ts, both ways', async () => {
    const p = await freePort();
    node(['--topics=["/to-a", "/to-b"]', '--disable-ssl'], { BROKER_PORT: `${p}/tcp` });
    (await connectWhenListening(p)).destroy();
    const a = endpoint(plain);
    const b = endpoint(plain);
    const atA = a.makeSubscriber('/to-a');
    const atB = b.makeSubscriber('/to-b');
    expect(await a.peer('127.0.0.1', p)).toBe(true);
    expect(await b.peer('127.0.0.1', p)).toBe(true);
    // Broker subscribes to both topics, so both sides send them to it; it forwards each
    // to the peer whose filter matches.
    await awaitPeerSubscriptions(a, '/to-b');
    await awaitPeerSubscriptions(b, '/to-a');
    a.publish('/to-b', ALL_TYPES);
    a.publish('/to-b', WITH_METADATA);
    b.publish('/to-a', 'from b');
    expect(await atB.get()).toEqual(['/to-b', ALL_TYPES]);
    expect(await atB.get()).toEqual(['/to-b', WITH_METADATA]);
    expect(await atA.get()).toEqual(['/to-a', 'from b']);
  });

  it('re-peers after Broker was killed (SIGKILL) and restarted on the same port', async () => {
    const p = await freePort();
    const id = 'ffffffff-ffff-4fff-bfff-ffffffffffb7';
    let bn = node([`--endpoint-id=${id}`, '--topics=["/t"]', '--disable-ssl'], { BROKER_PORT: `${p}/tcp` });
    (await connectWhenListening(p)).destroy();
    const ep = endpoint(plain);
    const statuses = ep.makeStatusSubscriber(true);
    expect(await ep.peer('127.0.0.1', p, { retry: 0.2 })).toBe(true);
    expect(await codesUntil(statuses, 'peer_added')).toEqual(['endpoint_discovered', 'peer_added']);
    await bn.kill();
    expect(await codesUntil(statuses, 'endpoint_unreachable')).toEqual(['peer_lost', 'endpoint_unreachable']);
    bn = node([`--endpoint-id=${id}`, '--topics=["/t"]', '--disable-ssl'], { BROKER_PORT: `${p}/tcp` });
    const again = await codesUntil(statuses, 'peer_added');
    expect(again.filter((c) => c !== 'peer_unavailable')).toEqual(['endpoint_discovered', 'peer_added']);
    expect((await ep.peers()).map((x) => x.peer.id)).toEqual([id]);
  });

  it.each(['dropNewest', 'disconnect'] as const)('a Broker that stops reading (SIGSTOP) meets the overflow policy %s', async (policy) => {
    const p = await freePort();
    const bn = node(['--topics=["/flood"]', '--disable-ssl'], { BROKER_PORT: `${p}/tcp` });
    (await connectWhenListening(p)).destroy();
    const ep = endpoint({ ...plain, peerBufferSize: 64, peerOverflowPolicy: policy, peerStallTimeout: 500 });
    const statuses = ep.makeStatusSubscriber(true);
    expect(await ep.peer('127.0.0.1', p)).toBe(true);
    await awaitPeerSubscriptions(ep, '/flood');
    bn.child.kill('SIGSTOP');
    parts.defer(() => void bn.child.kill('SIGCONT'));
    const payload = 'x'.repeat(4096);
    if (policy === 'dropNewest') {
      await until(async () => {
        for (let i = 0; i < 256; i++) ep.publish('/flood', payload);
        return (await ep.stats()).peerDrops > 0;
      }, 'drops by the overflow policy');
      expect((await ep.peers()).map((x) => x.status)).toEqual(['peered']);
    } else {
      const publisher = ep.makePublisher('/flood');
      parts.defer(() => publisher.close());
      let stop = false;
      void (async () => {
        while (!stop) await publisher.publish(payload).catch(() => (stop = true));
      })();
      const removed = (await nextEvent(statuses, 'peer_removed')) as Status;
      stop = true;
      expect(removed.message).toMatch(/slow peer/);
    }
  });
});
