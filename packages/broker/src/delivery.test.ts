/**
 * Delivery on its own, with the real parts the core gives it: the router, the local
 * targets, subscriber queues, and the actor runtime's stream ends as the peers' outputs
 * and inputs (their protocol messages recorded where the flow host would send them).
 */
import { StreamSink, StreamSource } from '@broker-ts/actor/internal';
import { BrokerError, Count, type Data, decodeBinary, encodeBinary } from '@broker-ts/data';
import { CoreParts, unusedLink } from './__fixtures__/core-parts';
import { LazyCallbackSink } from './callback-sinks';
import { Delivery, type DeliveryHost } from './delivery';
import type { PeerOverflowPolicy } from './endpoint-options';
import type { LazyDataMessage } from './lazy-data-message';
import { LocalSubscription } from './local-subscription';
import { MessageQueue } from './message-queue';
import type { WireItem } from './peer-protocol';
import { newPeerState, type PeerState } from './peer-state';
import { encodeStorePayload } from './store/store-payload';
import { Topics } from './topic';

/** An endpoint `A` around one Delivery, with what the core would do recorded. */
class Harness extends CoreParts {
  readonly stalls: string[] = [];
  readonly delivered: string[] = [];
  /** Protocol messages each peer's stream ends sent, by peer id. */
  readonly sent = new Map<string, Array<{ type: string; credit?: number }>>();
  readonly delivery: Delivery;
  private nextSub = 1;

  constructor(readonly policy: PeerOverflowPolicy, readonly peerBufferSize: number) {
    super();
    const host: DeliveryHost = {
      router: this.router,
      targets: this.targets,
      peers: this.peers,
      stats: this.stats,
      options: { peerOverflowPolicy: policy, peerBufferSize },
      log: this.log,
      emitError: this.emitError,
      watchStall: (peer) => this.stalls.push(peer.id),
      backlogDelivered: (peer) => this.delivered.push(peer.id),
    };
    this.delivery = new Delivery(host);
  }

  /** A subscriber (or hub: `seesLocal`) with a queue of `capacity`. */
  subscribe(topics: string[], capacity: number, seesLocal = false, id = this.nextSub++): { sub: LocalSubscription; queue: MessageQueue<[string, Data]> } {
    const queue = new MessageQueue<[string, Data]>(capacity, this.clock);
    const sub = new LocalSubscription(id, seesLocal, queue);
    this.targets.add(sub, topics);
    return { sub, queue };
  }

  /**
   * A peer with filter `topics`: our output to it is a stream source (granted `credit`
   * once accepted, none before), its input to us a stream sink with manual
   * acknowledgement and a window of `window`.
   */
  peer(id: string, topics: string[], credit = 0, window = 8): PeerState {
    const peer = newPeerState(id, unusedLink('delivery'), undefined, undefined);
    const sent: Array<{ type: string; credit?: number }> = [];
    this.sent.set(id, sent);
    const out = new StreamSource<WireItem, string>(1, { send: (m) => sent.push(m), scheduleFlush: () => {}, now: () => this.clock.now(), closed: () => {} }, { capacity: this.peerBufferSize, policy: this.policy });
    if (credit > 0) out.onAccept(2, credit);
    peer.out = out;
    const input = new StreamSink<WireItem>(3, 4, null, { send: (m) => sent.push(m), closed: () => {} }, { ack: 'manual', highWatermark: window });
    input.accept({ onItems: (items) => this.delivery.onPeerItems(peer, items) });
    peer.in = input;
    this.peers.set(id, peer);
    this.router.addPeer(id, topics);
    return peer;
  }

  /** The peer's items as its stream brings them (within the credit it was granted). */
  receive(peer: PeerState, items: unknown[]): void {
    (peer.in as StreamSink<WireItem>).onBatch(items as WireItem[]);
  }

  /** The credit our input granted the peer after its first grant. */
  demandSent(id: string): number {
    return (this.sent.get(id) ?? []).filter((m) => m.type === 'flow.demand').reduce((n, m) => n + (m.credit ?? 0), 0);
  }
}

/** A peer's data message as it arrives on the wire. */
function item(topic: string, value: Data, origin: string | null, seq: number, ttl = 20): WireItem {
  return [topic, encodeBinary(value), origin, seq, ttl, null];
}

describe('Delivery of local publications', () => {
  test('go to local hubs (not plain subscribers, not the publishing hub) and to the peers whose filters match', () => {
    const h = new Harness('dropNewest', 8);
    const plain = h.subscribe(['/a'], 4);
    const hub = h.subscribe(['/a'], 4, true);
    const publisher = h.subscribe(['/a'], 4, true);
    const q = h.peer('Q', ['/a']);
    const r = h.peer('R', ['/b']);
    h.delivery.route('/a/x', 1n, undefined, publisher.sub.id);
    expect(hub.queue.poll()).toEqual([['/a/x', 1n]]);
    expect(plain.queue.poll()).toEqual([]);
    expect(publisher.queue.poll()).toEqual([]);
    expect(q.out?.buffered).toBe(1);
    expect(r.out?.buffered).toBe(0);
    // To one receiver only; internal topics stay here.
    h.delivery.route('/a/y', 2n, 'R');
    expect(r.out?.buffered).toBe(1);
    expect(q.out?.buffered).toBe(1);
    h.delivery.route(Topics.statuses, 'x');
    expect(q.out?.buffered).toBe(1);
    expect(h.stats.processed.data).toBe(3);
  });

  test('a publication the publisher encoded goes to peers as those bytes, and to a local hub as its value', () => {
    const h = new Harness('dropNewest', 8);
    const hub = h.subscribe(['/a'], 4, true);
    const q = h.peer('Q', ['/a'], 8);
    const value = [new Count(7n), 'x'];
    const bytes = encodeBinary(value);
    h.delivery.route('/a/x', value, undefined, undefined, false, bytes);
    const [[, got]] = hub.queue.poll();
    expect(got).toBe(value);
    (q.out as StreamSource<WireItem, string>).flush();
    const batch = h.sent.get('Q')?.find((m) => m.type === 'flow.batch') as unknown as { items: WireItem[] };
    expect(batch.items).toHaveLength(1);
    expect(batch.items[0][1]).toBe(bytes);
  });

  test('none (null) is a value like any other, whether the publisher encoded it or not', () => {
    const h = new Harness('dropNewest', 8);
    const hub = h.subscribe(['/a'], 4, true);
    const q = h.peer('Q', ['/a'], 8);
    h.delivery.route('/a/1', null);
    h.delivery.route('/a/2', null, undefined, undefined, false, encodeBinary(null));
    h.delivery.route('/a/3', null, undefined, undefined, true);
    expect(hub.queue.poll()).toEqual([['/a/1', null], ['/a/2', null], ['/a/3', null]]);
    (q.out as StreamSource<WireItem, string>).flush();
    const batch = h.sent.get('Q')?.find((m) => m.type === 'flow.batch') as unknown as { items: WireItem[] };
    expect(batch.items.map((i) => [i[0], decodeBinary(i[1])])).toEqual([['/a/1', null], ['/a/2', null], ['/a/3', null]]);
    expect(h.errors).toEqual([]);
  });

  test('a peer gets [topic, payload, null origin, sequence, ttl, receiver] in Broker binary', () => {
    const h = new Harness('dropNewest', 8);
    const q = h.peer('Q', ['/a'], 8);
    h.delivery.route('/a', new Count(5n));
    (q.out as StreamSource<WireItem, string>).flush();
    const batch = h.sent.get('Q')?.find((m) => m.type === 'flow.batch') as unknown as { items: WireItem[] };
    expect(batch.items).toHaveLength(1);
    const [topic, payload, origin, , ttl, receiver] = batch.items[0];
    expect([topic, decodeBinary(payload), origin, ttl, receiver]).toEqual(['/a', new Count(5n), null, 20, null]);
  });

  test('a value that cannot be encoded is dropped with a serialization_failed error, the others go on', () => {
    const h = new Harness('dropNewest', 8);
    const q = h.peer('Q', ['/a']);
    // A forged count: it passed no toData check (the facade's), so only the encoder sees it.
    h.delivery.route('/a', Object.create(Count.prototype) as Count);
    expect(h.errors.map((e) => e.code)).toEqual(['serialization_failed']);
    expect(h.stats.malformed).toBe(1);
    h.delivery.route('/a', 1n);
    expect(q.out?.buffered).toBe(1);
  });

  test('a full local subscription misses a local message (counted), as in Broker', () => {
    const h = new Harness('dropNewest', 8);
    const hub = h.subscribe(['/a'], 1, true);
    h.delivery.route('/a', 1n);
    h.delivery.route('/a', 2n);
    expect(hub.queue.poll()).toEqual([['/a', 1n]]);
    expect(h.stats.localDrops).toBe(1);
  });

  test('drops by a peer\'s overflow policy are counted, and warned about once per peer', () => {
    const h = new Harness('dropNewest', 2);
    h.peer('Q', ['/a']);
    for (let i = 0; i < 5; i++) h.delivery.route('/a', BigInt(i));
    expect(h.stats.peerDrops).toBe(3);
    expect(h.logs.filter((l) => l.event === 'peer-drops')).toHaveLength(1);
  });
});

describe('Delivery of peers\' messages', () => {
  test('reach the matching subscribers decoded; the input is acknowledged as they are delivered', () => {
    const h = new Harness('dropNewest', 8);
    const sub = h.subscribe(['/a'], 8);
    const p = h.peer('P', [], 0, 4);
    h.receive(p, [item('/a', 1n, null, 1), item('/a', 'two', null, 2)]);
    expect(sub.queue.poll()).toEqual([['/a', 1n], ['/a', 'two']]);
    expect(p.backlog).toHaveLength(0);
    // Two of a window of four consumed: the input tops the peer's credit up again.
    expect(h.demandSent('P')).toBe(2);
  });

  test('duplicates (same origin and sequence) and malformed items are counted and not delivered', () => {
    const h = new Harness('dropNewest', 8);
    const sub = h.subscribe(['/a'], 8);
    const p = h.peer('P', [], 0, 8);
    h.receive(p, [item('/a', 1n, 'O', 7), item('/a', 1n, 'O', 7), ['/a', 'not bytes', null, 1, 20, null]]);
    expect(sub.queue.poll()).toEqual([['/a', 1n]]);
    expect(h.stats).toMatchObject({ duplicates: 1, malformed: 1 });
    // Every item left the input, delivered or not.
    expect((p.in as StreamSink<WireItem>).buffered).toBe(0);
  });

  test('a message whose hop limit runs out here is delivered here and relayed no further (counted)', () => {
    const h = new Harness('dropNewest', 8);
    const sub = h.subscribe(['/a'], 8);
    const p = h.peer('P', []);
    const q = h.peer('Q', ['/a']);
    h.receive(p, [item('/a', 2n, 'O', 8, 1)]);
    expect(sub.queue.poll()).toEqual([['/a', 2n]]);
    expect(q.out?.buffered).toBe(0);
    expect(h.stats.ttlExpired).toBe(1);
  });

  test('a malformed payload is dropped and counted; the next message is delivered', () => {
    const h = new Harness('dropNewest', 8);
    const sub = h.subscribe(['/a'], 8);
    const p = h.peer('P', []);
    h.receive(p, [['/a', new Uint8Array([0x42]), null, 1, 20, null], item('/a', 3n, null, 2)]);
    expect(sub.queue.poll()).toEqual([['/a', 3n]]);
    expect(h.stats.malformed).toBe(1);
  });

  test('a lazy subscription gets the payload undecoded; beside an eager one, the value decoded once', () => {
    const h = new Harness('dropNewest', 8);
    const got: LazyDataMessage[] = [];
    const lazy = new LocalSubscription(50, false, new LazyCallbackSink(h.log, (m) => got.push(m)));
    h.targets.add(lazy, ['/a']);
    const p = h.peer('P', []);
    const bad = new Uint8Array([0x42]);
    h.receive(p, [['/a', bad, null, 1, 20, null], item('/a', [3n, 'x'], null, 2)]);
    // Nothing was decoded: the malformed payload reaches the lazy subscriber, and fails when read.
    expect(h.stats.malformed).toBe(0);
    expect(got.map((m) => m.topic)).toEqual(['/a', '/a']);
    expect(got[0].payload).toBe(bad);
    expect(() => got[0].value).toThrow(BrokerError);
    expect(got[1].value).toEqual([3n, 'x']);
    expect(got[1].value).toBe(got[1].value);
    expect(got[1].payload).toEqual(encodeBinary([3n, 'x']));
    // With an eager subscriber beside it: decoded once, both get the same value; a
    // malformed payload is dropped for both and counted.
    const eager = h.subscribe(['/a'], 8);
    got.length = 0;
    h.receive(p, [['/a', bad, null, 3, 20, null], item('/a', 4n, null, 4)]);
    expect(h.stats.malformed).toBe(1);
    const [[, value]] = eager.queue.poll();
    expect(got).toHaveLength(1);
    expect(got[0].value).toBe(value);
    // A native Broker peer's message, decoded at receipt: handed over with its value.
    got.length = 0;
    const native = h.peer('N', []);
    native.in = undefined;
    h.delivery.onNativeItems(native, [['/a', bad, null, 5, 20, null, 'decoded at receipt']]);
    expect(got[0].value).toBe('decoded at receipt');
    expect(got[0].payload).toBe(bad);
    // A local publication seen as a peer's (a WebSocket client's) reaches it with its value.
    h.delivery.route('/a/ws', 'hi', undefined, undefined, true);
    expect(got[1].value).toBe('hi');
    expect(decodeBinary(got[1].payload)).toBe('hi');
  });

  test('wait in the peer\'s backlog while a subscriber is full, unacknowledged, and go on once it made room', async () => {
    const h = new Harness('dropNewest', 8);
    const sub = h.subscribe(['/a'], 1);
    const p = h.peer('P', [], 0, 4);
    const input = p.in as StreamSink<WireItem>;
    h.receive(p, [item('/a', 1n, null, 1), item('/a', 2n, null, 2), item('/a', 3n, null, 3)]);
    expect(p.backlog).toHaveLength(2);
    expect(input.buffered).toBe(2);
    // The subscriber learns it held messages back: its owner tells the core once room opens.
    expect(sub.sub.unblock()).toBe(true);
    expect(await sub.queue.get()).toEqual(['/a', 1n]);
    h.delivery.drainAll();
    expect(await sub.queue.get()).toEqual(['/a', 2n]);
    h.delivery.drainAll();
    expect(await sub.queue.get()).toEqual(['/a', 3n]);
    expect(p.backlog).toHaveLength(0);
    expect(input.buffered).toBe(0);
    // The peer was granted more once half its window of four was consumed.
    expect(h.demandSent('P')).toBe(2);
  });

  test('are relayed to the peers whose filters match, with the origin filled in and the hop limit decremented', () => {
    const h = new Harness('dropNewest', 8);
    const p = h.peer('P', []);
    const q = h.peer('Q', ['/a'], 8);
    h.receive(p, [item('/a', 1n, null, 1, 5)]);
    (q.out as StreamSource<WireItem, string>).flush();
    const batch = h.sent.get('Q')?.find((m) => m.type === 'flow.batch') as unknown as { items: WireItem[] };
    const [topic, , origin, seq, ttl] = batch.items[0];
    expect([topic, origin, seq, ttl]).toEqual(['/a', 'P', 1, 4]);
  });

  test('under disconnect, a relay waits while its target has no room: the stall check is armed, and it goes on when room opens', () => {
    const h = new Harness('disconnect', 2);
    const p = h.peer('P', [], 0, 8);
    const q = h.peer('Q', ['/a']);
    h.receive(p, [item('/a', 1n, null, 1), item('/a', 2n, null, 2), item('/a', 3n, null, 3)]);
    expect(q.out?.buffered).toBe(2);
    expect(p.backlog).toHaveLength(1);
    expect(h.stalls).toEqual(['Q']);
    // Nothing is lost to the overflow policy: the third waits instead of cutting Q off.
    expect(q.out?.dropped).toBe(0);
    // Q grants credit: its buffer empties, and the waiting relay goes on.
    const out = q.out as StreamSource<WireItem, string>;
    out.onAccept(2, 8);
    out.flush();
    h.delivery.relayRoomMayHaveOpened();
    expect(p.backlog).toHaveLength(0);
    expect(out.sent + out.buffered).toBe(3);
  });

  test('store channel messages reach only the store actors\' subscriptions (negative ids)', () => {
    const h = new Harness('dropNewest', 8);
    const user = h.subscribe([''], 8);
    const store = h.subscribe(['s/<$>/data/master'], 8, false, -1);
    const p = h.peer('P', []);
    h.receive(p, [['s/<$>/data/master', encodeStorePayload({ op: 'probe' }), null, 1, 20, null]]);
    expect(store.queue.poll()).toEqual([['s/<$>/data/master', { op: 'probe' }]]);
    expect(user.queue.poll()).toEqual([]);
    expect(h.stats.processed.command).toBe(1);
  });

  test('a lost peer\'s loss is reported once its backlog is delivered', async () => {
    const h = new Harness('dropNewest', 8);
    const sub = h.subscribe(['/a'], 1);
    const p = h.peer('P', []);
    h.receive(p, [item('/a', 1n, null, 1), item('/a', 2n, null, 2)]);
    p.lost = { reconnect: false, disconnect: false };
    expect(h.delivered).toEqual([]);
    await sub.queue.get();
    h.delivery.drainAll();
    expect(h.delivered).toEqual(['P']);
  });
});
