import { BrokerError, type DataMessage, type Endpoint, ReservedTopics, isStatus, type Status, Status as StatusClass, type Subscriber } from '@broker-ts/broker';
import { awaitPeerSubscriptions, codeOf, connect, endpoints, nextError, nextEvent, shutdownAll, until } from './helpers';

/** Reads a subscriber to data and status topics as a list of `status:<code>` and values. */
async function readMixed(sub: Subscriber, n: number): Promise<string[]> {
  return (await sub.getMany(n)).map(mixedLabel);
}

function mixedLabel([topic, value]: DataMessage): string {
  if (topic === ReservedTopics.statuses) return `status:${StatusClass.fromData(value).code}`;
  return String(value);
}

/** A port on which nothing listens (it was bound, then released). */
async function closedPort(ep: Endpoint): Promise<number> {
  const port = await ep.listen();
  await ep.shutdown();
  return port;
}

let eps: Endpoint[] = [];
afterEach(() => shutdownAll(eps));

describe('status event sequences', () => {
  test('the responder reports endpoint_discovered and peer_added before the first message of the peer', async () => {
    eps = endpoints(['a', 'b']);
    const [a, b] = eps;
    const mixed = a.makeSubscriber([ReservedTopics.statuses, '/t']);
    const port = await a.listen();
    // b subscribes nothing but learns a's filter in the handshake, then publishes at once.
    expect(await b.peer('127.0.0.1', port)).toBe(true);
    for (let i = 0; i < 3; i++) b.publish('/t', i);
    expect(await readMixed(mixed, 5)).toEqual(['status:endpoint_discovered', 'status:peer_added', '0', '1', '2']);
  });

  test('the originator reports endpoint_discovered and peer_added before the first message of the peer', async () => {
    eps = endpoints(['a', 'b']);
    const [a, b] = eps;
    const mixed = a.makeSubscriber([ReservedTopics.statuses, '/t']);
    const bStatus = b.makeStatusSubscriber(true);
    const port = await b.listen();
    a.peerNoWait('127.0.0.1', port);
    await nextEvent(bStatus, 'peer_added');
    for (let i = 0; i < 3; i++) b.publish('/t', i);
    expect(await readMixed(mixed, 5)).toEqual(['status:endpoint_discovered', 'status:peer_added', '0', '1', '2']);
  });

  test('after unpeer: peer_removed here, peer_lost there, after every message published before it, each followed by endpoint_unreachable', async () => {
    eps = endpoints(['a', 'b']);
    const [a, b] = eps;
    const aStatus = a.makeStatusSubscriber(true);
    const mixed = b.makeSubscriber([ReservedTopics.statuses, '/t']);
    const port = await connect(a, b);
    await awaitPeerSubscriptions(a, '/t');
    const n = 1500;
    for (let i = 0; i < n; i++) a.publish('/t', i);
    expect(await a.unpeer('127.0.0.1', port)).toBe(true);
    const got = await readMixed(mixed, n + 4);
    expect(got.slice(0, 2)).toEqual(['status:endpoint_discovered', 'status:peer_added']);
    expect(got.slice(2, n + 2)).toEqual(Array.from({ length: n }, (_, i) => String(i)));
    expect(got.slice(n + 2)).toEqual(['status:peer_lost', 'status:endpoint_unreachable']);
    const removed = (await nextEvent(aStatus, 'peer_removed')) as Status;
    expect(removed.context.id).toBe(b.id);
    expect(removed.message).toBe('removed connection to remote peer');
    expect(codeOf(await aStatus.get())).toBe('endpoint_unreachable');
    expect(await a.peers()).toEqual([]);
    expect(await b.peers()).toEqual([]);
  });

  test('unpeer of an unknown peer returns true and reports peer_invalid', async () => {
    eps = endpoints(['a']);
    const [a] = eps;
    const errors = a.makeStatusSubscriber();
    expect(await a.unpeer('127.0.0.1', 1)).toBe(true);
    const err = await nextError(errors, 'peer_invalid');
    expect(err.ec).toBe(3);
    expect(err.message).toBe('cannot unpeer from unknown peer');
  });

  test('a status subscriber without statuses gets errors only', async () => {
    eps = endpoints(['a', 'b']);
    const [a, b] = eps;
    const errorsOnly = a.makeStatusSubscriber();
    await connect(a, b);
    await a.unpeer('127.0.0.1', 9);
    const ev = await errorsOnly.get();
    expect(ev).toBeInstanceOf(BrokerError);
    expect(codeOf(ev)).toBe('peer_invalid');
  });
});

describe('peering attempts and retries', () => {
  test('without a retry, peer() to a closed port resolves false at once with one peer_unavailable', async () => {
    eps = endpoints(['a', 'gone']);
    const [a, gone] = eps;
    const port = await closedPort(gone);
    const errors = a.makeStatusSubscriber();
    expect(await a.peer('127.0.0.1', port)).toBe(false);
    const err = await nextError(errors, 'peer_unavailable');
    expect(err.ec).toBe(4);
    expect(await a.peers()).toEqual([]);
    expect(await errors.get({ timeout: 50 })).toBeNull();
  });

  test('peerNoWait with a retry reports peer_unavailable on each failed attempt until unpeered', async () => {
    eps = endpoints(['a', 'gone']);
    const [a, gone] = eps;
    const port = await closedPort(gone);
    const errors = a.makeStatusSubscriber();
    a.peerNoWait('127.0.0.1', port, { retry: 20 });
    const three = await errors.getMany(3);
    expect(three.map(codeOf)).toEqual(['peer_unavailable', 'peer_unavailable', 'peer_unavailable']);
    const info = await a.peers();
    expect(info).toHaveLength(1);
    expect(info[0].status).toBe('connecting');
    expect(info[0].peer.network).toMatchObject({ address: '127.0.0.1', port });
    // Unpeering a pending peering stops the retries (and is not an unknown peer).
    expect(await a.unpeer('127.0.0.1', port)).toBe(true);
    expect(await a.peers()).toEqual([]);
    errors.poll();
    expect(await errors.get({ timeout: 100 })).toBeNull();
  });

  test('peer() with a retry keeps waiting and succeeds once the peer appears on that port', async () => {
    eps = endpoints(['a', 'gone', 'late']);
    const [a, gone, late] = eps;
    const port = await closedPort(gone);
    const statuses = a.makeStatusSubscriber(true);
    let settled = false;
    const peering = a.peer('127.0.0.1', port, { retry: 25 }).finally(() => (settled = true));
    await nextError(statuses, 'peer_unavailable');
    await nextError(statuses, 'peer_unavailable');
    expect(settled).toBe(false);
    expect(await late.listen('127.0.0.1', port)).toBe(port);
    expect(await peering).toBe(true);
    const added = (await nextEvent(statuses, 'peer_added')) as Status;
    expect(added.context.id).toBe(late.id);
    expect((await a.peers()).map((p) => p.status)).toEqual(['peered']);
  });

  test('peering twice with the same address keeps one peering', async () => {
    eps = endpoints(['a', 'b']);
    const [a, b] = eps;
    const port = await connect(a, b);
    expect(await a.peer('127.0.0.1', port)).toBe(true);
    expect(await a.peers()).toHaveLength(1);
    expect(await b.peers()).toHaveLength(1);
  });

  test('two endpoints peering with each other at once end up with one peering', async () => {
    eps = endpoints(['a', 'b']);
    const [a, b] = eps;
    const [pa, pb] = await Promise.all([a.listen(), b.listen()]);
    const sa = a.makeSubscriber('/x');
    const sb = b.makeSubscriber('/x');
    expect(await Promise.all([a.peer('127.0.0.1', pb), b.peer('127.0.0.1', pa)])).toEqual([true, true]);
    expect((await a.peers()).map((p) => p.peer.id)).toEqual([b.id]);
    expect((await b.peers()).map((p) => p.peer.id)).toEqual([a.id]);
    await awaitPeerSubscriptions(a, '/x');
    await awaitPeerSubscriptions(b, '/x');
    a.publish('/x', 'a');
    b.publish('/x', 'b');
    expect(await sb.get()).toEqual(['/x', 'a']);
    expect(await sa.get()).toEqual(['/x', 'b']);
  });

  test('the originator with a retry re-peers after the peer went away and came back on its port', async () => {
    eps = endpoints(['a', 'b1', 'b2']);
    const [a, b1, b2] = eps;
    const statuses = a.makeStatusSubscriber(true);
    const port = await b1.listen();
    expect(await a.peer('127.0.0.1', port, { retry: 30 })).toBe(true);
    await nextEvent(statuses, 'peer_added');
    await b1.shutdown();
    const lost = (await nextEvent(statuses, 'peer_lost')) as Status;
    expect(lost.context.id).toBe(b1.id);
    const sub = b2.makeSubscriber('/again');
    await b2.listen('127.0.0.1', port);
    const added = (await nextEvent(statuses, 'peer_added')) as Status;
    expect(added.context.id).toBe(b2.id);
    await awaitPeerSubscriptions(a, '/again');
    a.publish('/again', 'hello');
    expect(await sub.get()).toEqual(['/again', 'hello']);
  });

  test('an originator without a retry forgets a lost peer: nothing left to reconnect', async () => {
    eps = endpoints(['a', 'b']);
    const [a, b] = eps;
    const aStatus = a.makeStatusSubscriber(true);
    await connect(a, b);
    await b.shutdown();
    await nextEvent(aStatus, 'peer_lost');
    expect(await a.peers()).toEqual([]);
  });

  test('the responder of a peering with a retry does not reconnect itself', async () => {
    eps = endpoints(['a', 'b']);
    const [a, b] = eps;
    const bStatus = b.makeStatusSubscriber(true);
    const port = await b.listen();
    expect(await a.peer('127.0.0.1', port, { retry: 20 })).toBe(true);
    await a.shutdown();
    await nextEvent(bStatus, 'peer_lost');
    expect(await b.peers()).toEqual([]);
  });
});

describe('introspection', () => {
  test('peers() lists peers with their ids, and peerSubscriptions() the union of their filters', async () => {
    eps = endpoints(['a', 'b', 'c']);
    const [a, b, c] = eps;
    const pb = await connect(a, b);
    await connect(a, c);
    b.makeSubscriber(['zeek/events', '/a']);
    c.makeSubscriber(['zeek/events/failures', '/a']);
    c.forward('/fwd');
    await awaitPeerSubscriptions(a, 'zeek/events', 'zeek/events/failures', '/a', '/fwd');
    expect(await a.peerSubscriptions()).toEqual(['/a', '/fwd', 'zeek/events', 'zeek/events/failures']);
    const peers = await a.peers();
    expect(peers.map((p) => p.peer.id).sort()).toEqual([b.id, c.id].sort());
    expect(peers.every((p) => p.status === 'peered' && p.outbound)).toBe(true);
    expect(peers.find((p) => p.peer.id === b.id)?.peer.network).toMatchObject({ address: '127.0.0.1', port: pb });
    const fromB = await b.peers();
    expect(fromB.map((p) => [p.peer.id, p.outbound])).toEqual([[a.id, false]]);
    // The accepting side names the peer by its connection's address (an ephemeral port).
    expect(fromB[0].peer.network).toMatchObject({ address: '127.0.0.1' });
    expect(fromB[0].peer.network?.port).not.toBe(pb);
  });
});

describe('shutdown', () => {
  test('delivers what was published before it, and peers see peer_lost', async () => {
    eps = endpoints(['a', 'b']);
    const [a, b] = eps;
    const mixed = b.makeSubscriber([ReservedTopics.statuses, '/s']);
    await connect(a, b);
    await awaitPeerSubscriptions(a, '/s');
    const n = 2000;
    for (let i = 0; i < n; i++) a.publish('/s', i);
    await a.shutdown();
    const got = await readMixed(mixed, n + 4);
    expect(got.slice(0, 2)).toEqual(['status:endpoint_discovered', 'status:peer_added']);
    expect(got.slice(2, n + 2)).toEqual(Array.from({ length: n }, (_, i) => String(i)));
    expect(got.slice(n + 2)).toEqual(['status:peer_lost', 'status:endpoint_unreachable']);
  });

  test('is idempotent, closes subscribers (end_of_file) and refuses later requests with shutting_down', async () => {
    eps = endpoints(['a']);
    const [a] = eps;
    const sub = a.makeSubscriber('/x');
    const pending = sub.get();
    await Promise.all([a.shutdown(), a.shutdown()]);
    await expect(pending).rejects.toMatchObject({ code: 'end_of_file' });
    await expect(a.peers()).rejects.toMatchObject({ code: 'shutting_down' });
    await expect(a.peer('127.0.0.1', 1)).rejects.toMatchObject({ code: 'shutting_down' });
  });
});

describe('overflow of a peer buffer', () => {
  test('under disconnect, a peer that stops reading is removed here after peerStallTimeout and loses us there', async () => {
    eps = [...endpoints(['fast'], { peerBufferSize: 16, peerOverflowPolicy: 'disconnect', peerStallTimeout: 300 }), ...endpoints(['slow'])];
    const [fast, slow] = eps;
    const fastStatus = fast.makeStatusSubscriber(true);
    const slowStatus = slow.makeStatusSubscriber(true);
    const flood = slow.makeSubscriber('/flood', { queueSize: 1 });
    await connect(fast, slow);
    await awaitPeerSubscriptions(fast, '/flood');
    for (let i = 0; i < 5000; i++) fast.publish('/flood', i);
    const removed = (await nextEvent(fastStatus, 'peer_removed')) as Status;
    expect(removed.message).toMatch(/slow peer: it took no message for 300 ms/);
    // The slow side reports peer_lost after the last message it received from us.
    const lost = nextEvent(slowStatus, 'peer_lost');
    let done = false;
    void lost.then(() => (done = true));
    await until(() => {
      flood.poll();
      return done;
    }, 'peer_lost on the slow side');
    expect(await fast.peers()).toEqual([]);
  });

  test('under dropOldest, a slow peer keeps its peering and the drops are counted', async () => {
    eps = [...endpoints(['fast'], { peerBufferSize: 16, peerOverflowPolicy: 'dropOldest' }), ...endpoints(['slow'])];
    const [fast, slow] = eps;
    const sub = slow.makeSubscriber('/flood', { queueSize: 1 });
    await connect(fast, slow);
    await awaitPeerSubscriptions(fast, '/flood');
    for (let i = 0; i < 5000; i++) fast.publish('/flood', i);
    fast.publish('/flood', 'last');
    await until(async () => (await fast.stats()).peerDrops > 0, 'drops');
    let last: unknown;
    while (last !== 'last') [, last] = await sub.get();
    expect((await fast.peers()).map((p) => p.status)).toEqual(['peered']);
  });
});

test('isStatus tells statuses from errors', () => {
  expect(isStatus(new StatusClass('peer_added', { id: 'x' }, 'handshake successful'))).toBe(true);
  expect(isStatus(new BrokerError('peer_invalid', 'x'))).toBe(false);
});
