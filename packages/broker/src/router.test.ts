import { NO_SEQUENCE } from './peer-protocol';
import { RouteInfo, Router } from './router';

function router(self: string, opts: Partial<{ forward: boolean; ttl: number }> = {}): Router {
  return new Router({ self, forward: opts.forward ?? true, ttl: opts.ttl ?? 20, firstSequence: 0 });
}

describe('Router', () => {
  test('sequence numbers start at the wall clock in microseconds, so that a restart continues above its previous run', () => {
    const before = Date.now() * 1000;
    const r = new Router({ self: 'A', forward: true, ttl: 20 });
    const first = r.nextSequence();
    expect(first).toBeGreaterThanOrEqual(before);
    expect(first).toBeLessThanOrEqual(Date.now() * 1000);
    expect(r.nextSequence()).toBe(first + 1);
    expect(Number.isSafeInteger(first)).toBe(true);
  });

  test('a local publication goes to every peer whose filter matches', () => {
    const r = router('A');
    r.addPeer('B', ['/a']);
    r.addPeer('C', ['/b']);
    r.addPeer('D', ['']);
    const { info, to } = r.routeLocal('/a/1');
    expect(to.sort()).toEqual(['B', 'D']);
    expect(info).toMatchObject({ topic: '/a/1', origin: 'A', seq: 0, ttl: 20 });
    expect(r.routeLocal('/a/2').info.seq).toBe(1);
  });

  test('internal topics never leave the endpoint', () => {
    const r = router('A');
    r.addPeer('B', ['']);
    expect(r.routeLocal('<$>/local/data/statuses').to).toEqual([]);
    expect(r.routeInbound('B', { topic: '<$>/local/x', origin: 'B', seq: 0, ttl: 5 }).dropped).toBe('internal-topic');
  });

  test('an inbound message is delivered and relayed to matching peers except its sender', () => {
    const r = router('B');
    r.addPeer('A', ['/t']);
    r.addPeer('C', ['/t']);
    const d = r.routeInbound('A', { topic: '/t/x', origin: 'A', seq: 0, ttl: 20 });
    expect(d).toEqual({ deliver: true, relayTo: ['C'], ttl: 19 });
  });

  test('a message from a native peer (no sequence number) is never taken for a duplicate, as in Broker', () => {
    const r = router('B');
    r.addPeer('Z', ['/t']);
    r.addPeer('C', ['/t']);
    const info = { topic: '/t', origin: 'Z', seq: NO_SEQUENCE, ttl: 16 };
    expect(r.routeInbound('Z', info)).toEqual({ deliver: true, relayTo: ['C'], ttl: 15 });
    expect(r.routeInbound('Z', info)).toEqual({ deliver: true, relayTo: ['C'], ttl: 15 });
  });

  test('with forwarding off a relay delivers but does not relay', () => {
    const r = router('B', { forward: false });
    r.addPeer('A', ['/t']);
    r.addPeer('C', ['/t']);
    expect(r.routeInbound('A', { topic: '/t', origin: 'A', seq: 0, ttl: 20 })).toEqual({ deliver: true, relayTo: [], ttl: 0 });
  });

  test('ttl 2 reaches two hops and stops at the third (Broker test_two_hops_ttl)', () => {
    const chain = ['ep1', 'ep2', 'ep3', 'ep4'].map((id) => router(id, { ttl: 2 }));
    for (let i = 0; i < 3; i++) {
      chain[i].addPeer(`ep${i + 2}`, ['/t']);
      chain[i + 1].addPeer(`ep${i + 1}`, ['/t']);
    }
    const delivered: string[] = [];
    const { info, to } = chain[0].routeLocal('/t');
    let hop: { at: number; from: string; info: RouteInfo }[] = to.map((id) => ({ at: Number(id.slice(2)) - 1, from: 'ep1', info }));
    while (hop.length > 0) {
      const next: typeof hop = [];
      for (const h of hop) {
        const d = chain[h.at].routeInbound(h.from, h.info);
        if (d.deliver) delivered.push(`ep${h.at + 1}`);
        for (const p of d.relayTo) next.push({ at: Number(p.slice(2)) - 1, from: `ep${h.at + 1}`, info: { ...h.info, ttl: d.ttl } });
      }
      hop = next;
    }
    expect(delivered).toEqual(['ep2', 'ep3']);
  });

  test('a ring delivers each message exactly once at every endpoint', () => {
    const ids = ['A', 'B', 'C', 'D'];
    const rs = new Map(ids.map((id) => [id, router(id)]));
    ids.forEach((id, i) => {
      const next = ids[(i + 1) % ids.length];
      const prev = ids[(i + ids.length - 1) % ids.length];
      rs.get(id)!.addPeer(next, ['/t']);
      rs.get(id)!.addPeer(prev, ['/t']);
    });
    const counts = new Map<string, number>();
    const { info, to } = rs.get('A')!.routeLocal('/t/1');
    let wave = to.map((p) => ({ at: p, from: 'A', info }));
    let steps = 0;
    while (wave.length > 0 && steps++ < 100) {
      const next: typeof wave = [];
      for (const w of wave) {
        const d = rs.get(w.at)!.routeInbound(w.from, w.info);
        if (d.deliver) counts.set(w.at, (counts.get(w.at) ?? 0) + 1);
        for (const p of d.relayTo) next.push({ at: p, from: w.at, info: { ...w.info, ttl: d.ttl } });
      }
      wave = next;
    }
    expect(Object.fromEntries(counts)).toEqual({ B: 1, C: 1, D: 1 });
  });

  test('a message for one receiver is delivered only there and never relayed', () => {
    const a = router('A');
    a.addPeer('B', []);
    a.addPeer('C', ['']);
    const { info, to } = a.routeLocal('/x', 'B');
    expect(to).toEqual(['B']);
    const b = router('B');
    b.addPeer('A', ['']);
    b.addPeer('C', ['']);
    expect(b.routeInbound('A', info)).toEqual({ deliver: true, relayTo: [], ttl: 0 });
    expect(a.routeLocal('/x', 'nobody').to).toEqual([]);
  });

  test('peer subscriptions are the sorted union of peer filters', () => {
    const r = router('A');
    r.addPeer('B', ['zeek/events']);
    r.addPeer('C', ['zeek/events/failures']);
    expect(r.peerSubscriptions()).toEqual(['zeek/events', 'zeek/events/failures']);
    expect(r.setPeerFilter('B', ['/a'])).toBe(true);
    expect(r.setPeerFilter('Z', ['/a'])).toBe(false);
    expect(r.removePeer('C')).toBe(true);
    expect(r.peerSubscriptions()).toEqual(['/a']);
  });
});

describe('Router and store channels', () => {
  test('store channel topics reach every peer and are relayed without subscriptions', () => {
    const r = new Router({ self: 'B', forward: true, ttl: 20 });
    r.addPeer('A', []);
    r.addPeer('C', []);
    expect(r.routeLocal('s/<$>/data/master').to.sort()).toEqual(['A', 'C']);
    expect(r.routeInbound('A', { topic: 's/<$>/data/clone', origin: 'A', seq: 0, ttl: 5 }).relayTo).toEqual(['C']);
    expect(r.routeInbound('A', { topic: '/user', origin: 'A', seq: 1, ttl: 5 }).relayTo).toEqual([]);
  });
});

describe('Router with many peer filters', () => {
  test('a peer advertising 100,000 topics gets exactly the publications they cover', () => {
    const r = router('A');
    const topics = Array.from({ length: 100_000 }, (_, i) => `/scale/${i}/`);
    r.addPeer('B', topics);
    r.addPeer('C', ['/scale/5/']);
    expect(r.peersFor('/scale/99999/x')).toEqual(['B']);
    expect(r.peersFor('/scale/5/x')).toEqual(['B', 'C']);
    expect(r.peersFor('/scale/100000/x')).toEqual([]);
    expect(r.peersFor('/scale/5')).toEqual([]);
    r.setPeerFilter('B', ['/scale/']);
    expect(r.peerFilter('B')).toEqual(['/scale/']);
    expect(r.peersFor('/scale/100000/x')).toEqual(['B']);
  });
});
