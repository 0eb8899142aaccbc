/**
 * The handlers of broker-ts peers on their own, with the real parts the core gives them:
 * two actor systems linked in-process (the runtime's loopback transport, through its
 * envelope codec), a flow host per node with real credit-based streams, the outbound
 * peerings' state machine and the router. What the core would do besides (statuses,
 * timers, delivery to subscriptions) is recorded.
 */
import { type ActorContext, type ActorRef, type AnyMessage, ActorSystem, type Behavior, connectLoopback, FlowHost, withFlows } from '@broker-ts/actor';
import type { ErrorCodeName } from '@broker-ts/data';
import pino from 'pino';
import { ActorPeerHandlers } from './actor-peer-handlers';
import type { CoreMessage } from './core-messages';
import { OutboundPeerings } from './outbound-peerings';
import { asWireItem, CORE_ACTOR_NAME, type PeerHello, type PeerReject, type WireItem } from './peer-protocol';
import { ActorPeerLink, newPeerState, type PeerState } from './peer-state';
import { Router } from './router';

/** Generous: the loaded 2-core machine may be slow, never the assertion. */
const WAIT_MS = 20_000;

/** One endpoint's core reduced to the handlers, with what the rest of the core would do recorded. */
class Node {
  readonly system: ActorSystem;
  readonly peers = new Map<string, PeerState>();
  readonly router: Router;
  readonly peerings: OutboundPeerings;
  /** What the core would have reported or done, in order. */
  readonly events: string[] = [];
  /** Items delivered from peers, by peer id. */
  readonly received = new Map<string, WireItem[]>();
  shuttingDown = false;
  filter: string[] = [];
  core!: ActorRef;
  private handlers!: ActorPeerHandlers;
  private waiters: Array<() => boolean> = [];

  constructor(readonly id: string, withCore = true) {
    this.system = new ActorSystem({ name: id, nodeId: id, logger: pino({ level: 'silent' }) });
    this.router = new Router({ self: id, forward: true, ttl: 20 });
    this.peerings = new OutboundPeerings(WAIT_MS, (peer) => this.peers.has(peer));
    if (withCore) this.core = this.system.spawn((ctx) => this.behavior(ctx), { name: CORE_ACTOR_NAME });
  }

  /** Resolves once an event matching `pattern` was recorded (fails after {@link WAIT_MS}). */
  waitFor(pattern: RegExp): Promise<string> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const hit = this.events.find((e) => pattern.test(e));
        if (hit === undefined) return false;
        clearTimeout(timer);
        resolve(hit);
        return true;
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== check);
        reject(new Error(`${this.id}: no event ${pattern} in ${JSON.stringify(this.events)}`));
      }, WAIT_MS);
      if (!check()) this.waiters.push(check);
    });
  }

  /** Starts an outbound peering to `node`, reached over the link as a worker's node is. */
  peerWith(node: string): void {
    this.core.tell({ type: 'test.peer', node });
  }

  private record(event: string): void {
    this.events.push(event);
    this.waiters = this.waiters.filter((w) => !w());
  }

  private behavior(ctx: ActorContext): Behavior<AnyMessage> {
    const node = this;
    const flows = new FlowHost(ctx, { onOpen: (s) => this.handlers.acceptStream(s) });
    this.handlers = new ActorPeerHandlers({
      id: this.id,
      peers: this.peers,
      peerings: this.peerings,
      router: {
        setPeerFilter: (peer, filter) => {
          const changed = this.router.setPeerFilter(peer, filter);
          this.record(`filter ${peer} ${JSON.stringify([...filter])}`);
          return changed;
        },
      },
      stats: { processed: { data: 0, command: 0, routingUpdate: 0 } },
      delivery: {
        onPeerItems: (peer, items) => {
          const got = this.received.get(peer.id) ?? [];
          // As Delivery does: every item is checked, a malformed one would be a test failure.
          for (const raw of items) got.push(asWireItem(raw) ?? (['malformed', new Uint8Array(), null, -1, 0, null] as WireItem));
          this.received.set(peer.id, got);
          peer.in?.consumed(items.length);
          this.record(`items ${peer.id} ${got.length}`);
        },
      },
      options: { peerBufferSize: 16, peerOverflowPolicy: 'disconnect' },
      flows,
      log: ctx.log,
      get shuttingDown() {
        return node.shuttingDown;
      },
      filter: () => this.filter,
      lookup: (to, name) => ctx.system.lookup(to, name),
      send: (to, message) => ctx.send(to, message),
      link: (to) => new ActorPeerLink(ctx, to),
      remoteAddress: () => undefined,
      addPeer: (id, link, filter, network, peeringKey) => {
        const peer = newPeerState(id, link, network, peeringKey);
        this.peers.set(id, peer);
        this.router.addPeer(id, filter);
        if (peeringKey !== undefined) this.peerings.peered(peeringKey, id);
        this.record(`added ${id} ${JSON.stringify(filter)}`);
        if (peeringKey !== undefined) this.handlers.openOutput(peer);
        return peer;
      },
      finishLoss: (peer) => this.record(`finish-loss ${peer.id}`),
      joinPeering: (key, existing) => this.record(`joined ${key} ${existing.id}`),
      peeringSucceeded: (key) => {
        this.peerings.succeeded(key);
        this.record(`succeeded ${key}`);
      },
      attemptFailed: (key, attempt, code, message) => this.failed(key, attempt, code, message),
      emitError: (code, info, message) => this.record(`error ${code} ${String(info?.id)}: ${message}`),
      peerGone: (id, why) => this.record(`gone ${id}: ${why}`),
      losePeer: (peer, why, reconnect, disconnect) => {
        peer.ending = true;
        this.record(`lost ${peer.id} reconnect=${reconnect} disconnect=${disconnect}: ${why}`);
      },
      tell: (message: CoreMessage) => ctx.self.tell(message),
    });
    const handlers = this.handlers;
    return withFlows(flows, {
      'test.peer': (m: AnyMessage) => {
        const { key, step } = this.peerings.request(m.node as string, 0, 0, m.node as string);
        handlers.connected(key, step!.connect!.attempt, m.node as string);
      },
      'peer-core-found': (m: AnyMessage) => handlers.coreFound(m.key as string, m.attempt as number, m.node as string, m.core as ActorRef | undefined),
      'peering-failed': (m: AnyMessage) => this.failed(m.key as string, m.attempt as number, m.code as ErrorCodeName, m.message as string),
      'peer-output-ended': (m: AnyMessage) => this.record(`output-ended ${String(m.peer)} ${String(m.error)}`),
      'broker.hello': (m: AnyMessage) => handlers.hello(m as unknown as PeerHello, ctx.sender),
      'broker.welcome': (m: AnyMessage) => handlers.welcome(m as never, ctx.sender),
      'broker.reject': (m: AnyMessage) => handlers.reject(m as never, ctx.sender),
      'broker.filter': (m: AnyMessage) => handlers.filterUpdate(m as never, ctx.sender),
      'broker.bye': (m: AnyMessage) => handlers.bye(m as never, ctx.sender),
    });
  }

  private failed(key: string, attempt: number, code: ErrorCodeName, message: string): void {
    this.peerings.failed(key, attempt, code, message);
    this.record(`failed ${key} ${code}: ${message}`);
  }
}

const nodes: Node[] = [];

function node(id: string, withCore = true): Node {
  const n = new Node(id, withCore);
  nodes.push(n);
  return n;
}

afterEach(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.system.shutdown()));
});

/** An item for a peer's data stream. */
function item(topic: string, seq: number): WireItem {
  return [topic, new Uint8Array([seq]), null, seq, 20, null];
}

describe('ActorPeerHandlers', () => {
  test('hello and welcome peer two cores, whose data streams then carry items both ways; filters and bye reach the other side', async () => {
    const a = node('A');
    const b = node('B');
    a.filter = ['a/'];
    b.filter = ['b/'];
    connectLoopback(a.system, b.system);
    a.peerWith('B');
    expect(await b.waitFor(/^added A/)).toBe('added A ["a/"]');
    expect(await a.waitFor(/^added B/)).toBe('added B ["b/"]');
    await a.waitFor(/^succeeded B:0$/);
    expect(a.peers.get('B')?.peeringKey).toBe('B:0');
    expect(b.peers.get('A')?.peeringKey).toBeUndefined();

    // Each side opened its output (16 items of buffer): the other side's stream takes the items, in order.
    const toB = a.peers.get('B')!.out!;
    const toA = b.peers.get('A')!.out!;
    for (let i = 0; i < 16; i++) expect(toB.push(item('b/x', i))).toBe(true);
    toA.push(item('a/y', 7));
    await b.waitFor(/^items A 16$/);
    await a.waitFor(/^items B 1$/);
    expect(b.received.get('A')!.map((it) => it[3])).toEqual(Array.from({ length: 16 }, (_, i) => i));
    expect(a.received.get('B')![0].slice(0, 5)).toEqual(['a/y', new Uint8Array([7]), null, 7, 20]);
    expect(b.peers.get('A')!.in).toBeDefined();

    // A filter update changes the routing on the other side.
    expect(b.router.peersFor('c/1')).toEqual([]);
    a.peers.get('B')!.link.advertise(['c/']);
    expect(await b.waitFor(/^filter A/)).toBe('filter A ["c/"]');
    expect(b.router.peersFor('c/1')).toEqual(['A']);

    // Bye: the other side loses the peer (an unpeer is not reconnected).
    a.peers.get('B')!.link.bye({ type: 'broker.bye', reason: 'unpeered' });
    expect(await b.waitFor(/^lost A/)).toBe('lost A reconnect=false disconnect=true: peer said bye: unpeered');
    expect(a.events.filter((e) => e.startsWith('error') || e.startsWith('failed') || e.startsWith('gone'))).toEqual([]);
  });

  test('two cores that peer with each other at once end with one peering, the outbound one of each side', async () => {
    const a = node('A');
    const b = node('B');
    connectLoopback(a.system, b.system);
    a.peerWith('B');
    b.peerWith('A');
    await a.waitFor(/^succeeded B:0$/);
    await b.waitFor(/^succeeded A:0$/);
    expect(a.events.filter((e) => e.startsWith('added'))).toEqual(['added B []']);
    expect(b.events.filter((e) => e.startsWith('added'))).toEqual(['added A []']);
    expect(a.peers.get('B')?.peeringKey).toBe('B:0');
    expect(b.peers.get('A')?.peeringKey).toBe('A:0');
    // One stream each way: what one side sends arrives once.
    a.peers.get('B')!.out!.push(item('x', 1));
    await b.waitFor(/^items A 1$/);
    expect(b.received.get('A')!.map((it) => it[0])).toEqual(['x']);
  });

  test('a core that shuts down rejects the hello: the attempt fails with its code', async () => {
    const a = node('A');
    const b = node('B');
    b.shuttingDown = true;
    connectLoopback(a.system, b.system);
    a.peerWith('B');
    expect(await a.waitFor(/^failed/)).toBe('failed B:0 shutting_down: peer refused: the endpoint is shutting down');
    expect(a.peers.size).toBe(0);
    expect(b.peers.size).toBe(0);
  });

  test('a node without an endpoint fails the attempt as peer_incompatible', async () => {
    const a = node('A');
    const c = node('C', false);
    connectLoopback(a.system, c.system);
    a.peerWith('C');
    expect(await a.waitFor(/^failed/)).toBe('failed C:0 peer_incompatible: node C runs no broker endpoint');
  });

  test('a hello of another protocol or with a malformed filter is rejected and reported', async () => {
    const b = node('B');
    const x = node('X', false);
    connectLoopback(x.system, b.system);
    const replies: PeerReject[] = [];
    let got!: () => void;
    const both = new Promise<void>((r) => (got = r));
    const raw = x.system.spawn((ctx) => ({
      go: (m: AnyMessage) => ctx.send(m.to as ActorRef, m.hello as PeerHello),
      'broker.reject': (m: AnyMessage) => {
        replies.push(m as unknown as PeerReject);
        if (replies.length === 2) got();
      },
    }));
    const bCore = (await x.system.lookup('B', CORE_ACTOR_NAME))!;
    raw.tell({ type: 'go', to: bCore, hello: { type: 'broker.hello', endpoint: 'X', filter: [], protocol: 99 } });
    raw.tell({ type: 'go', to: bCore, hello: { type: 'broker.hello', endpoint: 'X', filter: [1, 2], protocol: 1 } });
    await both;
    expect(replies.map((r) => r.code)).toEqual(['peer_incompatible', 'invalid_peering_request']);
    expect(b.events).toEqual(['error peer_incompatible X: refused a peer speaking protocol 99', 'error invalid_peering_request X: refused a peer whose hello carries a malformed filter']);
    expect(b.peers.size).toBe(0);
  });
});
