import { Handshake, type HandshakeStep } from './handshake';
import { NetError } from './net-error';
import { PeerTable } from './peer-table';
import type { WireMessage } from './protocol';

describe('PeerTable', () => {
  test('a HELLO from a node already connected is refused as duplicate_connection', () => {
    const t = new PeerTable<string>('a');
    expect(t.admitWelcome('c1', 'b')).toEqual({ evict: [] });
    expect(t.established('b')).toBe('c1');
    expect(t.admitHello('c2', 'b').refuse?.reason).toBe('duplicate_connection');
    expect(t.admitWelcome('c3', 'b').refuse?.reason).toBe('duplicate_connection');
  });

  test('an acceptor connection counts once READY arrives and is forgotten when removed', () => {
    const t = new PeerTable<string>('a');
    t.admitHello('c1', 'b');
    expect(t.established('b')).toBeUndefined();
    expect(t.markEstablished('c1')).toBe(true);
    expect(t.nodes()).toEqual(['b']);
    expect(t.remove('c1')).toEqual({ node: 'b', wasEstablished: true });
    expect(t.nodes()).toEqual([]);
    expect(t.markEstablished('c1')).toBe(false);
    expect(t.remove('c1')).toBeUndefined();
  });

  test('in a race the connection dialled by the smaller id wins, on both nodes', () => {
    const a = new PeerTable<string>('a');
    a.admitHello('from-b', 'b');
    expect(a.admitWelcome('to-b', 'b')).toEqual({ evict: ['from-b'] });
    const b = new PeerTable<string>('b');
    b.admitHello('from-a', 'a');
    expect(b.admitWelcome('to-a', 'a').refuse?.reason).toBe('duplicate_connection');
  });

  /*
   * Simulation: nodes a and b dial each other at the same time (and a dials twice), with
   * real handshakes over message queues, delivered in many random orders. Whatever the
   * order, both nodes end with exactly one established connection, the same one.
   */
  type Side = { node: 'a' | 'b'; conn: string; hs: Handshake; closed: boolean };
  type Item = WireMessage | 'close';

  function simulate(seed: number, dials: Array<['a' | 'b', string]>): { a?: string; b?: string; failedBoth: boolean } {
    let s = seed;
    const random = (n: number) => ((s = (s * 1103515245 + 12345) & 0x7fffffff) % n);
    const tables = { a: new PeerTable<string>('a'), b: new PeerTable<string>('b') };
    const queues = new Map<Side, Item[]>(); // messages waiting to be read by this side
    const peerOf = new Map<Side, Side>();
    const sides: Side[] = [];
    const closeSide = (side: Side, error: NetError, step?: HandshakeStep) => {
      if (side.closed) return;
      const out = step ?? side.hs.abort(error);
      send(side, out);
      side.closed = true;
      tables[side.node].remove(side.conn);
      queues.get(peerOf.get(side)!)!.push('close');
    };
    const send = (side: Side, step: HandshakeStep) => {
      for (const out of step.send) if (!('preamble' in out)) queues.get(peerOf.get(side)!)!.push(out);
    };
    const handle = (side: Side, step: HandshakeStep) => {
      if (step.established && side.hs.isEstablished && side.hs.role === 'acceptor') {
        tables[side.node].markEstablished(side.conn);
      }
      if (step.failed) closeSide(side, step.failed, step);
      else send(side, step);
    };
    for (const [dialer, conn] of dials) {
      const acceptorNode = dialer === 'a' ? 'b' : 'a';
      const evicted: Side[] = [];
      const mk = (node: 'a' | 'b', role: 'initiator' | 'acceptor'): Side => {
        const side: Side = { node, conn, closed: false, hs: undefined as unknown as Handshake };
        side.hs = new Handshake({
          role,
          localNode: node,
          versions: { min: 1, max: 1 },
          maxFrameSize: 1 << 20,
          admit: (remote) => {
            const r = role === 'acceptor' ? tables[node].admitHello(conn, remote) : tables[node].admitWelcome(conn, remote);
            for (const e of r.evict) evicted.push(sides.find((x) => x.node === node && x.conn === e)!);
            return r.refuse;
          },
        });
        return side;
      };
      const i = mk(dialer, 'initiator');
      const r = mk(acceptorNode, 'acceptor');
      (i as unknown as { evicted: Side[] }).evicted = evicted;
      (r as unknown as { evicted: Side[] }).evicted = evicted;
      peerOf.set(i, r).set(r, i);
      queues.set(i, []).set(r, []);
      sides.push(i, r);
      send(i, i.hs.start());
      r.hs.start();
      r.hs.onPreamble(Buffer.from([0xb7, 0x41, 0x43, 0x54, 0, 1, 0, 1]));
      i.hs.onPreamble(Buffer.from([0xb7, 0x41, 0x43, 0x54, 0, 1, 0, 1]));
    }
    for (let steps = 0; steps < 1000; steps++) {
      const ready = sides.filter((x) => queues.get(x)!.length > 0);
      if (ready.length === 0) break;
      const side = ready[random(ready.length)];
      const item = queues.get(side)!.shift()!;
      if (side.closed) continue;
      if (item === 'close') {
        closeSide(side, new NetError('connection_closed', 'peer closed'));
        continue;
      }
      const evicted = (side as unknown as { evicted: Side[] }).evicted;
      handle(side, side.hs.onMessage(item));
      for (const e of evicted.splice(0)) closeSide(e, new NetError('duplicate_connection', 'evicted'));
    }
    return { a: tables.a.established('b'), b: tables.b.established('a'), failedBoth: sides.every((x) => x.closed) };
  }

  test('simultaneous dials in any delivery order leave one and the same connection on both nodes', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const result = simulate(seed, [
        ['a', 'c1'],
        ['b', 'c2'],
        ['a', 'c3'],
      ]);
      expect(result.a).toBeDefined();
      expect(result.a).toBe(result.b);
      expect(result.failedBoth).toBe(false);
    }
  });
});
