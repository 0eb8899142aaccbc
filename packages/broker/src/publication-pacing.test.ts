/**
 * The pacing of local publications on its own, with the real parts the core gives it:
 * publish buffers, the router, the local targets and delivery, the actor runtime's stream
 * sources as the peers' outputs (their batches recorded where the flow host would send
 * them), and a virtual clock for the stall checks. What the core would do with a stall
 * check and a disconnection is recorded.
 */
import { StreamSource } from '@broker-ts/actor/internal';
import { decodeBinary } from '@broker-ts/data';
import { CoreParts, unusedLink } from './__fixtures__/core-parts';
import type { CoreMessage } from './core-messages';
import { Delivery } from './delivery';
import type { PeerOverflowPolicy } from './endpoint-options';
import type { WireItem } from './peer-protocol';
import { newPeerState } from './peer-state';
import { PublicationPacing } from './publication-pacing';
import { type DrainMark, PublishBuffer } from './publish-buffer';

const STALL_MS = 1_000;

/** An endpoint `A` around one PublicationPacing, with what the core would do recorded. */
class Harness extends CoreParts {
  readonly input: PublishBuffer;
  readonly told: CoreMessage[] = [];
  readonly disconnected: Array<{ peer: string; graceful: boolean; reconnect: boolean }> = [];
  /** Values each peer's output sent, in order, by peer id. */
  readonly sent = new Map<string, unknown[]>();
  readonly delivery: Delivery;
  readonly pacing: PublicationPacing;

  constructor(readonly policy: PeerOverflowPolicy, readonly peerBufferSize: number, publishBufferSize = 64) {
    super();
    this.input = new PublishBuffer(publishBufferSize);
    const { log, emitError } = this;
    this.delivery = new Delivery({
      router: this.router,
      targets: this.targets,
      peers: this.peers,
      stats: this.stats,
      options: { peerOverflowPolicy: policy, peerBufferSize },
      log,
      emitError,
      watchStall: (peer) => this.pacing.watchStall(peer),
      backlogDelivered: () => {},
    });
    this.pacing = new PublicationPacing({
      input: this.input,
      peers: this.peers,
      router: this.router,
      delivery: this.delivery,
      options: { peerOverflowPolicy: policy, peerBufferSize, peerStallTimeout: STALL_MS, publishOverflowPolicy: 'dropNewest' },
      clock: this.clock,
      log,
      emitError,
      disconnectPeer: (peer, _message, graceful, reconnect) => {
        peer.ending = true;
        this.disconnected.push({ peer: peer.id, graceful, reconnect });
      },
      tell: (message) => this.told.push(message),
    });
  }

  /** A peer with filter `topics`; our output to it is a stream source not yet accepted (no credit). */
  peer(id: string, topics: string[]): StreamSource<WireItem, string> {
    const peer = newPeerState(id, unusedLink('pacing'), undefined, undefined);
    const sent: unknown[] = [];
    this.sent.set(id, sent);
    const out = new StreamSource<WireItem, string>(
      1,
      {
        send: (m) => {
          if (m.type === 'flow.batch') for (const item of (m as unknown as { items: WireItem[] }).items) sent.push(decodeBinary(item[1]));
        },
        scheduleFlush: () => {},
        now: () => this.clock.now(),
        closed: () => {},
      },
      { capacity: this.peerBufferSize, policy: this.policy },
    );
    peer.out = out;
    this.peers.set(id, peer);
    this.router.addPeer(id, topics);
    return out;
  }

  /** Publishes `values` on `topic` into `buffer`: the mark of the burst they opened, if they opened one. */
  publish(buffer: PublishBuffer, topic: string, values: number[]): DrainMark | undefined {
    let mark: DrainMark | undefined;
    for (const v of values) {
      const opened = buffer.push(topic, BigInt(v), undefined);
      mark ??= opened;
    }
    return mark;
  }

  /** Runs the core's handler of each stall check it was told about. */
  runStallChecks(): void {
    for (const m of this.told.splice(0)) if (m.type === 'peer-stall-check') this.pacing.checkStall(m.peer);
  }
}

/** A publisher's port that counts what the core took from its buffer. */
function port(id: number): { id: number; processed: (n: number) => void; taken: number } {
  const p = {
    id,
    taken: 0,
    processed: (n: number) => {
      p.taken += n;
    },
  };
  return p;
}

const values = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);
const bigints = (from: number, to: number): bigint[] => values(from, to).map(BigInt);

describe('PublicationPacing under a drop policy', () => {
  test('the burst of a mark goes out in one turn, past the peers\' buffers (they drop by policy); a later burst waits for its own drain', () => {
    const h = new Harness('dropNewest', 4);
    const q = h.peer('Q', ['/a']);
    const first = h.publish(h.input, '/a', values(0, 6))!;
    // The facade sent another command: later publications form a new burst.
    h.input.seal();
    const second = h.publish(h.input, '/a', [6, 7])!;
    h.pacing.drain(h.input, first, undefined);
    expect([h.input.length, q.buffered, q.dropped, h.stats.processed.data]).toEqual([2, 4, 2, 6]);
    expect(h.pacing.waiting).toBe(0);
    h.pacing.drain(h.input, second, undefined);
    expect(h.input.length).toBe(0);
    expect(q.dropped).toBe(4);
  });

  test('a publisher waits only while every peer it goes to holds half its buffer: the fastest peer paces it', () => {
    const h = new Harness('dropNewest', 4);
    const q = h.peer('Q', ['/a']);
    const r = h.peer('R', ['/a']);
    r.onAccept(2, 100);
    const buffer = new PublishBuffer(8);
    const p = port(1);
    h.pacing.drain(buffer, h.publish(buffer, '/a', values(0, 8))!, p);
    // Both hold 2 (half of 4): the rest waits, parked.
    expect([p.taken, q.buffered, r.buffered, buffer.parked, h.pacing.waiting, h.pacing.buffered]).toEqual([2, 2, 2, true, 1, 6]);
    // R takes what it holds; Q does not: R paces the publisher, Q drops by its policy.
    r.flush();
    h.pacing.resume();
    expect([p.taken, q.buffered, r.buffered]).toEqual([4, 4, 2]);
    r.flush();
    h.pacing.resume();
    r.flush();
    h.pacing.resume();
    r.flush();
    expect([p.taken, buffer.parked, h.pacing.waiting, q.dropped]).toEqual([8, false, 0, 4]);
    expect(h.sent.get('R')).toEqual(bigints(0, 8));
  });
});

describe('PublicationPacing under disconnect', () => {
  test('publications wait once a peer holds half its buffer and go on, in order, as it takes them; a publisher that comes later waits behind', async () => {
    const h = new Harness('disconnect', 4);
    const q = h.peer('Q', ['/a']);
    const r = h.peer('R', ['/b']);
    h.pacing.drain(h.input, h.publish(h.input, '/a', values(0, 5))!, undefined);
    expect([q.buffered, h.input.length, h.input.parked, h.pacing.waiting]).toEqual([2, 3, true, 1]);
    // A publisher whose peer has room still waits behind the input: publishers go on in order.
    const buffer = new PublishBuffer(8);
    const p = port(1);
    h.pacing.drain(buffer, h.publish(buffer, '/b', [100, 101])!, p);
    expect([p.taken, r.buffered, buffer.parked, h.pacing.waiting, h.pacing.buffered]).toEqual([0, 0, true, 2, 5]);
    // A second drain of a parked buffer parks it no second time.
    h.pacing.drain(buffer, h.publish(buffer, '/b', [102, 103])!, p);
    expect(h.pacing.waiting).toBe(2);
    let allTaken = false;
    void h.pacing.allTaken().then(() => {
      allTaken = true;
    });
    // Q takes 2: the input goes on by 2 and waits again.
    q.onAccept(2, 2);
    h.pacing.resume();
    expect([q.buffered, h.input.length, h.pacing.waiting]).toEqual([2, 1, 2]);
    // Q and R take everything they are offered from now on.
    q.onDemand(100);
    r.onAccept(2, 100);
    for (let i = 0; i < 4 && h.pacing.waiting > 0; i++) {
      h.pacing.resume();
      q.flush();
      r.flush();
    }
    q.flush();
    r.flush();
    expect([h.input.length, h.input.parked, buffer.parked, h.pacing.waiting, p.taken]).toEqual([0, false, false, 0, 4]);
    expect(h.sent.get('Q')).toEqual(bigints(0, 5));
    expect(h.sent.get('R')).toEqual([100n, 101n, 102n, 103n]);
    expect(q.dropped + r.dropped).toBe(0);
    await Promise.resolve();
    expect(allTaken).toBe(true);
    expect(h.disconnected).toEqual([]);
  });

  test('a peer that takes nothing for peerStallTimeout is disconnected (to reconnect); one that took something is checked again', () => {
    const h = new Harness('disconnect', 4);
    const q = h.peer('Q', ['/a']);
    h.pacing.drain(h.input, h.publish(h.input, '/a', values(0, 6))!, undefined);
    expect(q.buffered).toBe(2);
    h.clock.advance(STALL_MS - 1);
    expect(h.told).toEqual([]);
    // Q takes one message: the next publication fills its half again.
    q.onAccept(2, 1);
    h.pacing.resume();
    expect([q.sent, q.buffered]).toEqual([1, 2]);
    h.clock.advance(1);
    expect(h.told).toEqual([{ type: 'peer-stall-check', peer: 'Q' }]);
    h.runStallChecks();
    expect(h.disconnected).toEqual([]);
    // Nothing taken during the next period: cut off, with a warning.
    h.clock.advance(STALL_MS);
    h.runStallChecks();
    expect(h.disconnected).toEqual([{ peer: 'Q', graceful: false, reconnect: true }]);
    expect(h.logs.filter((l) => l.event === 'slow-peer-disconnected')).toHaveLength(1);
  });

  test('the stall check of a forgotten peer, and every one once stopped, never fires', () => {
    const h = new Harness('disconnect', 4);
    h.peer('Q', ['/a']);
    h.peer('R', ['/b']);
    const [q, r] = [h.peers.get('Q')!, h.peers.get('R')!];
    h.pacing.watchStall(q);
    h.pacing.watchStall(r);
    h.pacing.forgetPeer('Q');
    h.clock.advance(STALL_MS);
    expect(h.told).toEqual([{ type: 'peer-stall-check', peer: 'R' }]);
    // R holds nothing back: the check ends there.
    h.runStallChecks();
    h.clock.advance(STALL_MS);
    expect(h.told).toEqual([]);
    h.pacing.watchStall(q);
    h.pacing.watchStall(r);
    h.pacing.stop();
    h.clock.advance(10 * STALL_MS);
    expect(h.told).toEqual([]);
    expect(h.disconnected).toEqual([]);
  });
});

describe('PublicationPacing and the publish buffer\'s overflow', () => {
  test('an overflow episode is reported once (an error event and a warning) and ends once the buffer ran empty', () => {
    const h = new Harness('dropNewest', 8, 2);
    h.peer('Q', ['/a']);
    const mark = h.publish(h.input, '/a', [0, 1])!;
    expect(h.input.full).toBe(true);
    // The facade drops two publications and tells the core once.
    expect([h.input.countDrop(), h.input.countDrop()]).toEqual([true, false]);
    h.pacing.overflow();
    expect(h.errors.map((e) => e.code)).toEqual(['unspecified']);
    expect(h.errors[0].message).toContain('publish buffer of 2 messages is full');
    expect(h.logs.filter((l) => l.event === 'publish-overflow')).toHaveLength(1);
    h.pacing.drain(h.input, mark, undefined);
    expect(h.logs.filter((l) => l.event === 'publish-overflow-ended')).toHaveLength(1);
    // A new episode is reported again.
    expect(h.input.countDrop()).toBe(true);
  });
});
