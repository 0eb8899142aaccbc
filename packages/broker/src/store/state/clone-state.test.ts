import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { BrokerTable, count, decodeBinary, encodeBinary, Timespan, type Data } from '@broker-ts/data';
import { makeBackend, type BackendKind } from '../backend';
import { RELIABLE, type LossProfile } from '../channel/__fixtures__/lossy-network';
import { STORE, StoreSystem } from './__fixtures__/store-system';
import { CloneState } from './clone-state';
import type { MasterState } from './master-state';
import type { AckCloneMessage, CloneMessage, MasterMessage } from './store-message';
import type { StoreQuery } from './store-query';
import { writeCommands as W } from './write-command';

/** How many entries a snapshot piece (a table's encoding) holds. */
function tableSize(bytes: Uint8Array): number {
  return (decodeBinary(bytes) as BrokerTable).size;
}

const LOSSY: LossProfile = { dropRate: 1 / 3, duplicateRate: 0.1, maxDelay: 3 };

function value(node: CloneState | MasterState, q: StoreQuery): Data {
  const r = node.query(q);
  if (!r.ok) throw r.error;
  return r.value;
}

const hex = (x: Data): string => Buffer.from(encodeBinary(x)).toString('hex');

/** The whole content of a node, as comparable text. */
function content(node: CloneState | MasterState): string[] {
  const keys = value(node, { op: 'keys' }) as Iterable<Data>;
  return [...keys].map((k) => `${hex(k)}=${hex(value(node, { op: 'get', key: k }))}`);
}

describe('CloneState finding its master', () => {
  test('reads answer stale_data until a master is found; a master that appears later is found through the rendezvous', () => {
    const sys = new StoreSystem(1);
    const c = sys.addClone('c1', { resyncInterval: 1000 });
    expect(c.query({ op: 'keys' })).toMatchObject({ ok: false, error: { code: 'stale_data' } });
    sys.run(50);
    expect(c.master).toBeNull();
    const m = sys.startMaster();
    m.write(W.put('a', 1n));
    sys.runUntil(() => sys.allIdle(), 30); // within one resyncInterval (10 ticks) and a round trip
    expect(c.master).toEqual(m.id);
    expect(c.stale).toBe(false);
    expect(value(c, { op: 'get', key: 'a' })).toBe(1n);
    expect(sys.log('c1').events).toEqual([['insert', STORE, 'a', 1n, null, 'M', count(1)]]);
    expect(sys.log('c1').notices).toEqual([{ kind: 'master-found', master: m.id }]);
  });

  test('a master becoming reachable is asked at once; the resync interval stays the fallback', () => {
    const sys = new StoreSystem(1);
    const c = sys.addClone('c1', { resyncInterval: 3_600_000 });
    sys.run(5); // the first request went unanswered
    const m = sys.startMaster();
    m.write(W.put('a', 1n));
    sys.run(50);
    expect(c.master).toBeNull(); // the next request is an hour away
    c.masterReachable();
    sys.runUntil(() => sys.allIdle(), 10);
    expect(c.master).toEqual(m.id);
    expect(value(c, { op: 'get', key: 'a' })).toBe(1n);
    // Attached: another peer arriving asks nothing.
    let asked = 0;
    sys.lose = (msg) => {
      if (msg.type === 'nack' && msg.seqs.includes(0)) asked++;
      return false;
    };
    c.masterReachable();
    sys.run(1);
    expect(asked).toBe(0);
  });

  test('a clone replays the master events exactly (same layouts, publishers and expiries)', () => {
    const sys = new StoreSystem(2);
    const m = sys.startMaster();
    sys.addClone('c1');
    sys.runUntil(() => sys.allIdle());
    const pub = { endpoint: 'w', object: 9 };
    m.write(W.put('a', 1n, { expiry: 5000, publisher: pub }));
    m.write(W.increment('n', count(2), { publisher: pub }));
    m.write(W.increment('n', count(2), { expiry: 100 }));
    m.write(W.erase('a'));
    m.write(W.erase('missing'));
    m.write(W.push('v', 'x'));
    m.write(W.clear());
    m.write(W.put('z', 'last'));
    sys.runUntil(() => sys.allIdle());
    expect(sys.log('c1').events).toEqual(sys.masterLog.events);
    expect(sys.log('c1').events).toContainEqual(['update', STORE, 'n', count(2), count(4), Timespan.fromMilliseconds(100), null, null]);
  });

  test('an expiry on the master reaches the clones as an expire event', () => {
    const sys = new StoreSystem(3);
    const m = sys.startMaster();
    sys.addClone('c1');
    sys.runUntil(() => sys.allIdle());
    m.write(W.put('tmp', 1n, { expiry: 300 }));
    sys.run(2);
    expect(value(sys.clone('c1'), { op: 'exists', key: 'tmp' })).toBe(true);
    sys.run(4);
    expect(value(sys.clone('c1'), { op: 'exists', key: 'tmp' })).toBe(false);
    expect(sys.log('c1').events.at(-1)).toEqual(['expire', STORE, 'tmp', 'M', count(1)]);
  });
});

describe('CloneState writes', () => {
  test('writes from a clone reach the master, and awaitIdle holds once the clone sees its own writes', () => {
    const sys = new StoreSystem(4);
    const m = sys.startMaster();
    const c = sys.addClone('c1');
    sys.runUntil(() => sys.allIdle());
    c.write(W.put('k', 'v', { publisher: { endpoint: 'c1', object: 5 } }));
    c.write(W.append('k', 'w'));
    expect(c.idle).toBe(false);
    expect(c.pendingWrites).toBe(2);
    sys.runUntil(() => c.idle);
    expect(value(m, { op: 'get', key: 'k' })).toBe('vw');
    expect(value(c, { op: 'get', key: 'k' })).toBe('vw');
    expect(sys.log('c1').events[0]).toEqual(['insert', STORE, 'k', 'v', null, 'c1', count(5)]);
  });

  test('a write the master refuses is reported on the clone too, with its code, and changes nothing', () => {
    const sys = new StoreSystem(5);
    const m = sys.startMaster();
    const c = sys.addClone('c1');
    sys.runUntil(() => sys.allIdle());
    c.write(W.put('n', count(1)));
    c.write(W.append('n', 'x'));
    c.write(W.decrement('missing', count(1)));
    sys.runUntil(() => sys.allIdle());
    expect(sys.log('c1').errors.map((e) => [e.code, e.context.op])).toEqual([
      ['type_clash', 'add'],
      ['no_such_key', 'subtract'],
    ]);
    expect(sys.masterLog.errors.map((e) => e.code)).toEqual(['type_clash', 'no_such_key']);
    expect(content(c)).toEqual(content(m));
  });

  test('putUnique from a clone answers once the clone replica shows the result', () => {
    const sys = new StoreSystem(6);
    sys.startMaster();
    const c = sys.addClone('c1');
    sys.runUntil(() => sys.allIdle());
    c.write(W.putUnique('e', 'first', 1));
    c.write(W.putUnique('e', 'second', 2));
    sys.runUntil(() => sys.log('c1').answers.size === 2);
    expect(sys.log('c1').answers.get(1)).toEqual({ ok: true, inserted: true });
    expect(sys.log('c1').answers.get(2)).toEqual({ ok: true, inserted: false });
    expect(value(c, { op: 'get', key: 'e' })).toBe('first');
  });

  test('acknowledged writes from a clone answer with their outcome once the replica shows them, over a lossy network', () => {
    const sys = new StoreSystem(16, LOSSY);
    sys.startMaster();
    const c = sys.addClone('c1');
    sys.runUntil(() => sys.allIdle());
    c.write(W.put('s', 'text'), 101);
    c.write(W.put('fire-and-forget', 1n));
    c.write(W.increment('s', count(1)), 102);
    c.write(W.increment('n', count(5)), 103);
    sys.runUntil(() => sys.log('c1').answers.size === 3);
    const answers = sys.log('c1').answers;
    expect(answers.get(101)).toEqual({ ok: true });
    expect(answers.get(102)).toMatchObject({ ok: false, error: { code: 'type_clash' } });
    expect(answers.get(103)).toEqual({ ok: true });
    expect(value(c, { op: 'get', key: 'n' })).toEqual(count(5));
  });

  test('an acknowledged write the clone drops or refuses itself is answered with that error', () => {
    const sys = new StoreSystem(17);
    const c = sys.addClone('c1', { mutationBufferInterval: 500 });
    c.write(W.put('k', 1n), 7);
    sys.run(6);
    expect(sys.log('c1').answers.get(7)).toMatchObject({ ok: false, error: { code: 'no_such_master' } });
    c.write(W.put('k', 2n), 8);
    expect(sys.log('c1').answers.get(8)).toMatchObject({ ok: false, error: { code: 'no_such_master' } });
  });

  test('8 clones racing with putUnique for one key over a lossy network: exactly one wins', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), (seed) => {
        const sys = new StoreSystem(seed, LOSSY);
        sys.startMaster();
        const names = Array.from({ length: 8 }, (_, i) => `c${i}`);
        for (const n of names) sys.addClone(n, { resyncInterval: 500 });
        sys.runUntil(() => names.every((n) => sys.clone(n).master !== null));
        for (const n of names) sys.clone(n).write(W.putUnique('race', n, 1));
        sys.runUntil(() => names.every((n) => sys.log(n).answers.has(1)));
        const winners = names.filter((n) => (sys.log(n).answers.get(1) as { inserted: boolean }).inserted);
        expect(winners).toHaveLength(1);
        sys.net.profile = RELIABLE;
        sys.runUntil(() => sys.allIdle());
        for (const n of names) expect(value(sys.clone(n), { op: 'get', key: 'race' })).toBe(winners[0]);
      }),
      { numRuns: 10 },
    );
  });

  test('random writes from the master and from clones over a lossy network converge to identical replicas with the master event stream', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), (seed) => {
        const sys = new StoreSystem(seed, LOSSY);
        const m = sys.startMaster();
        const names = ['c0', 'c1', 'c2'];
        for (const n of names) sys.addClone(n, { resyncInterval: 500 });
        sys.net.profile = RELIABLE;
        sys.runUntil(() => sys.allIdle());
        sys.net.profile = LOSSY;
        const rnd = sys.net.random;
        const keys = ['a', 'b', 'c', 'd'];
        let requestId = 0;
        const asked = [0, 0, 0];
        for (let i = 0; i < 300; i++) {
          const key = keys[Math.floor(rnd() * keys.length)];
          const r = rnd();
          const cmd =
            r < 0.35 ? W.put(key, BigInt(i), rnd() < 0.2 ? { expiry: 200 + Math.floor(rnd() * 800) } : {})
            : r < 0.55 ? W.increment(key, BigInt(1))
            : r < 0.7 ? W.erase(key)
            : r < 0.8 ? W.putUnique(key, BigInt(i), ++requestId)
            : r < 0.9 ? W.push(key, BigInt(i))
            : W.put(key, [BigInt(i), 'x']);
          const who = Math.floor(rnd() * 4);
          if (who === 3) m.write(cmd);
          else {
            sys.clone(names[who]).write(cmd);
            if (cmd.op === 'putUnique') asked[who]++;
          }
          if (rnd() < 0.5) sys.step();
        }
        sys.net.profile = RELIABLE;
        sys.runUntil(() => sys.allIdle());
        for (const n of names) {
          expect(content(sys.clone(n))).toEqual(content(m));
          expect(sys.log(n).events).toEqual(sys.masterLog.events);
          expect(sys.clone(n).pendingWrites).toBe(0);
        }
        expect(names.map((n) => sys.log(n).answers.size)).toEqual(asked);
      }),
      { numRuns: 12 },
    );
  });
});

describe('CloneState losing its master', () => {
  function connected(options = {}) {
    const sys = new StoreSystem(7);
    const m = sys.startMaster();
    m.write(W.put('keep', 1n));
    m.write(W.put('change', 1n));
    m.write(W.put('gone', 1n));
    const c = sys.addClone('c1', { resyncInterval: 1000, staleInterval: 5000, mutationBufferInterval: 3000, ...options });
    sys.runUntil(() => sys.allIdle());
    sys.log('c1').events.length = 0;
    return { sys, m, c };
  }

  test('after the master is gone the clone answers from its replica until staleInterval, then stale_data', () => {
    const { sys, c } = connected();
    sys.stopMaster();
    const silentTicks = sys.runUntil(() => c.master === null); // the channel's connection timeout: 100 ticks of silence
    expect(silentTicks).toBeGreaterThan(90);
    expect(silentTicks).toBeLessThanOrEqual(100);
    expect(sys.log('c1').notices.at(-1)).toMatchObject({ kind: 'master-lost' });
    const lostAt = sys.clock;
    expect(value(c, { op: 'get', key: 'keep' })).toBe(1n);
    sys.runUntil(() => c.stale);
    expect(sys.clock - lostAt).toBe(5000n * 1_000_000n);
    expect(c.query({ op: 'get', key: 'keep' })).toMatchObject({ ok: false, error: { code: 'stale_data' } });
  });

  test('writes after mutationBufferInterval without a master are dropped and reported, putUnique answered with the error', () => {
    const { sys, c } = connected();
    sys.stopMaster();
    c.masterLost();
    expect(c.master).toBeNull();
    c.write(W.put('buffered', 2n));
    c.write(W.putUnique('unique', 'x', 1));
    sys.run(29);
    c.write(W.put('also-buffered', 3n));
    expect(c.pendingWrites).toBe(3);
    sys.run(1); // 3000 ms after the loss: the buffer's time is over
    expect(c.pendingWrites).toBe(0);
    expect(sys.log('c1').errors.map((e) => e.code)).toEqual(['no_such_master', 'no_such_master', 'no_such_master']);
    expect(sys.log('c1').answers.get(1)).toMatchObject({ ok: false, error: { code: 'no_such_master' } });
    c.write(W.put('late', 4n));
    expect(sys.log('c1').errors).toHaveLength(4);
    expect(c.pendingWrites).toBe(0);
  });

  test('writes within mutationBufferInterval are replayed to the returning master, and the clone resyncs with snapshot events', () => {
    const { sys, c } = connected();
    sys.stopMaster();
    c.masterLost();
    c.write(W.put('buffered', 2n));
    sys.run(10);
    const m2 = sys.startMaster(); // a new incarnation with other content
    m2.write(W.put('keep', 1n));
    m2.write(W.put('change', 2n));
    m2.write(W.put('new', 3n));
    sys.runUntil(() => sys.allIdle(), 20); // within one resyncInterval, inside the buffer's 3 s
    expect(c.master).toEqual(m2.id);
    expect(c.stale).toBe(false);
    expect(value(m2, { op: 'get', key: 'buffered' })).toBe(2n);
    expect(sys.log('c1').events).toEqual([
      ['erase', STORE, 'gone', null, null],
      ['update', STORE, 'change', 1n, 2n, null, 'M', count(2)],
      ['insert', STORE, 'new', 3n, null, 'M', count(2)],
      ['insert', STORE, 'buffered', 2n, null, null, null],
    ]);
    expect(content(c)).toEqual(content(m2));
    expect(sys.log('c1').errors).toEqual([]);
  });

  test('after a partition heals, the same master takes the clone back and applies its writes exactly once', () => {
    const { sys, m, c } = connected({ mutationBufferInterval: 60_000 });
    const cut: LossProfile = { dropRate: 1, duplicateRate: 0, maxDelay: 0 };
    sys.net.profile = cut;
    for (let i = 0; i < 5; i++) {
      c.write(W.increment('n', count(1)));
      sys.run(40); // some sent before the loss is noticed, some buffered after
    }
    expect(c.master).toBeNull();
    expect(m.clones).toBe(0);
    sys.net.profile = { dropRate: 0, duplicateRate: 0.5, maxDelay: 3 };
    sys.runUntil(() => sys.allIdle());
    expect(c.master).toEqual(m.id);
    expect(value(m, { op: 'get', key: 'n' })).toEqual(count(5));
    expect(value(c, { op: 'get', key: 'n' })).toEqual(count(5));
  });

  /** Records every message on the network. */
  function tap(sys: StoreSystem): (MasterMessage | CloneMessage)[] {
    const seen: (MasterMessage | CloneMessage)[] = [];
    sys.lose = (msg) => {
      seen.push(msg);
      return false;
    };
    return seen;
  }

  const ackClones = (seen: (MasterMessage | CloneMessage)[]) => seen.filter((x): x is AckCloneMessage => x.type === 'ackClone');

  test('a clone that lost the same master resumes where it stood: no snapshot, the missed changes with their own events, its buffered writes once', () => {
    const { sys, m, c } = connected();
    const seen = tap(sys);
    c.masterLost();
    m.write(W.put('change', 2n));
    m.write(W.erase('gone'));
    m.write(W.put('new', 3n));
    c.write(W.increment('n', count(1)));
    sys.runUntil(() => sys.allIdle(), 30); // the handshake retry interval is 1 s
    const answers = ackClones(seen);
    expect(answers).toHaveLength(1);
    expect(answers[0]).toMatchObject({ resumed: true, offset: 3, instance: m.instance });
    expect(tableSize(answers[0].snapshot)).toBe(0);
    expect(seen.find((x) => x.type === 'nack' && x.seqs[0] === 0)).toMatchObject({ master: null, resume: { master: m.id, instance: m.instance, seq: 3 } });
    expect(sys.log('c1').events).toEqual([
      ['update', STORE, 'change', 1n, 2n, null, null, null],
      ['erase', STORE, 'gone', null, null],
      ['insert', STORE, 'new', 3n, null, null, null],
      ['insert', STORE, 'n', count(1), null, null, null],
    ]);
    expect(content(c)).toEqual(content(m));
    expect(c.stale).toBe(false);
    expect(sys.log('c1').notices.map((n) => n.kind)).toEqual(['master-found', 'master-lost', 'master-found']);
  });

  test('a master restarted under the same entity id (a new instance) gives the clone a whole snapshot, exact', () => {
    const { sys, m, c } = connected();
    sys.stopMaster();
    const seen = tap(sys);
    c.masterLost();
    const m2 = sys.startMaster(makeBackend('memory'), {}, { id: m.id });
    m2.write(W.put('keep', 1n));
    m2.write(W.put('change', 5n));
    m2.write(W.put('other', 6n));
    m2.write(W.put('more', 7n)); // seq 4: beyond the clone's position, as if the old channel went on
    sys.runUntil(() => sys.allIdle(), 30);
    expect(m2.instance).not.toBe(m.instance);
    const answers = ackClones(seen);
    expect(answers).toHaveLength(1);
    expect(answers[0].resumed).toBeUndefined();
    expect(tableSize(answers[0].snapshot)).toBe(4);
    expect(content(c)).toEqual(content(m2));
    expect(sys.log('c1').events.map((e) => (e as unknown[]).slice(0, 3))).toEqual([
      ['erase', STORE, 'gone'],
      ['update', STORE, 'change'],
      ['insert', STORE, 'more'],
      ['insert', STORE, 'other'],
    ]);
  });

  test('after a partition the same master resumes the clone within its retained window, and sends a whole snapshot beyond it; data exact', () => {
    const sys = new StoreSystem(12);
    const m = sys.startMaster(makeBackend('memory'), { retainedEvents: 4 });
    for (let i = 0; i < 5; i++) m.write(W.put(`k${i}`, BigInt(i)));
    const c = sys.addClone('c1', { resyncInterval: 1000 });
    sys.runUntil(() => sys.allIdle());
    const seen = tap(sys);
    /** Cuts the network until both sides gave the other up (the connection timeout), writing meanwhile. */
    const partition = (writes: number, base: number): void => {
      sys.net.profile = { dropRate: 1, duplicateRate: 0, maxDelay: 0 };
      for (let i = 0; i < writes; i++) m.write(W.put(`k${i % 7}`, BigInt(base + i)));
      sys.runUntil(() => c.master === null && m.clones === 0);
      sys.net.profile = RELIABLE;
      sys.runUntil(() => sys.allIdle(), 30);
    };
    partition(4, 100); // exactly the retained window
    expect(ackClones(seen).map((a) => a.resumed)).toEqual([true]);
    expect(content(c)).toEqual(content(m));
    partition(5, 200); // one more than it retains
    expect(ackClones(seen).map((a) => a.resumed)).toEqual([true, undefined]);
    expect(content(c)).toEqual(content(m));
    m.write(W.erase('k0'));
    sys.runUntil(() => sys.allIdle(), 30);
    expect(content(c)).toEqual(content(m));
  });

  test('after a failed commit the master takes a new instance: its clones resync from a snapshot', () => {
    const { sys, m, c } = connected();
    const before = m.instance;
    m.commitFailed();
    expect(m.instance).not.toBe(before);
    const seen = tap(sys);
    m.write(W.put('after', 1n));
    // The clone learns it was dropped at its next ACK, and asks to resume: a snapshot answers.
    sys.runUntil(() => ackClones(seen).length > 0 && sys.allIdle(), 30);
    expect(ackClones(seen).map((a) => a.resumed)).toEqual([undefined]);
    expect(seen.find((x) => x.type === 'nack' && x.seqs[0] === 0)).toMatchObject({ resume: { instance: before } });
    expect(content(c)).toEqual(content(m));
  });

  test('with mutationBufferInterval ≤ 0 writes without a master are refused at once', () => {
    const sys = new StoreSystem(8);
    const c = sys.addClone('c1', { mutationBufferInterval: 0 });
    c.write(W.put('a', 1n));
    expect(c.pendingWrites).toBe(0);
    expect(sys.log('c1').errors[0]).toMatchObject({ code: 'no_such_master', context: { op: 'put', key: 'a' } });
  });

  test('writes issued before any master exists are replayed when one appears within mutationBufferInterval', () => {
    const sys = new StoreSystem(9);
    const c = sys.addClone('c1', { resyncInterval: 500 });
    c.write(W.put('early', 1n));
    sys.run(20);
    const m = sys.startMaster();
    sys.runUntil(() => sys.allIdle());
    expect(value(m, { op: 'get', key: 'early' })).toBe(1n);
    expect(value(c, { op: 'get', key: 'early' })).toBe(1n);
  });

  test('with a negative staleInterval the clone never turns stale', () => {
    const { sys, c } = connected({ staleInterval: -1 });
    sys.stopMaster();
    c.masterLost();
    sys.run(1000);
    expect(c.stale).toBe(false);
    expect(value(c, { op: 'get', key: 'keep' })).toBe(1n);
  });

  test('a clone that detaches is dropped by the master at once', () => {
    const { sys, m, c } = connected();
    expect(m.clones).toBe(1);
    c.close();
    c.close();
    sys.run(2);
    expect(m.clones).toBe(0);
    expect(c.query({ op: 'keys' })).toMatchObject({ ok: false, error: { code: 'stale_data' } });
  });

  test('a clone that falls out of the master retransmission buffer resyncs and ends identical', () => {
    const sys = new StoreSystem(10, { dropRate: 0.5, duplicateRate: 0, maxDelay: 2 });
    const tiny = sys.startMaster(makeBackend('memory'), { bufferCapacity: 2 });
    sys.addClone('c1', { resyncInterval: 200 });
    for (let i = 0; i < 200; i++) {
      tiny.write(W.put(`k${i % 7}`, BigInt(i)));
      sys.step();
    }
    sys.net.profile = RELIABLE;
    sys.runUntil(() => sys.allIdle());
    expect(sys.log('c1').notices.some((n) => n.kind === 'out-of-sync')).toBe(true);
    expect(content(sys.clone('c1'))).toEqual(content(tiny));
  });
});

describe.each<BackendKind>(['sqlite', 'lmdb'])('a persistent master (%s) restarted under its clones', (kind) => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), `broker-ts-clone-${kind}-`));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('expiries survive the restart: what expired while it was down goes, the rest expires on time, and clones follow', () => {
    const path = join(dir, kind === 'sqlite' ? 's.sqlite' : 's.lmdb');
    const sys = new StoreSystem(11);
    const m1 = sys.startMaster(makeBackend(kind, { path }));
    const c = sys.addClone('c1', { resyncInterval: 500 });
    sys.runUntil(() => sys.allIdle());
    const writtenAt = sys.clock;
    m1.write(W.put('short', 1n, { expiry: 2000 }));
    m1.write(W.put('long', 2n, { expiry: 20_000 }));
    m1.write(W.put('forever', 3n));
    sys.runUntil(() => sys.allIdle());
    sys.stopMaster();
    sys.run(50); // 5 s down: 'short' expires meanwhile
    const m2 = sys.startMaster(makeBackend(kind, { path }));
    expect(sys.masterLog.events).toEqual([['expire', STORE, 'short', 'M', count(2)]]);
    c.masterLost();
    sys.runUntil(() => sys.allIdle());
    expect(c.master).toEqual(m2.id);
    expect(value(c, { op: 'keys' })).toEqual(value(m2, { op: 'keys' }));
    expect(sys.log('c1').events.at(-1)).toEqual(['erase', STORE, 'short', null, null]);
    const until = writtenAt + 20_000n * 1_000_000n;
    sys.runUntil(() => sys.clock >= until - 100_000_000n);
    expect(value(m2, { op: 'exists', key: 'long' })).toBe(true);
    sys.runUntil(() => sys.clock >= until + 100_000_000n);
    expect(value(m2, { op: 'exists', key: 'long' })).toBe(false);
    expect(value(c, { op: 'exists', key: 'long' })).toBe(false);
    expect(sys.log('c1').events.at(-1)).toEqual(['expire', STORE, 'long', 'M', count(2)]);
    expect(value(c, { op: 'get', key: 'forever' })).toBe(3n);
    sys.stopMaster();
  });
});

describe('CloneState input checks', () => {
  test('bad options are refused with a clear error', () => {
    const sys = new StoreSystem(12);
    expect(() => sys.addClone('x', { resyncInterval: 0 })).toThrow(/resyncInterval/);
    expect(() => sys.addClone('y', { staleInterval: Number.NaN })).toThrow(/staleInterval/);
    expect(() => sys.addClone('z', { maxPendingWrites: 0 })).toThrow(/maxPendingWrites/);
  });

  test('a malformed message is reported as invalid_message; one for another clone or master is ignored', () => {
    const sys = new StoreSystem(13);
    const m = sys.startMaster();
    const c = sys.addClone('c1');
    sys.runUntil(() => sys.allIdle());
    c.handle({ type: 'heartbeat', store: STORE });
    c.handle('garbage');
    expect(sys.log('c1').errors.map((e) => e.code)).toEqual(['invalid_message', 'invalid_message']);
    c.handle({ type: 'event', store: STORE, master: m.id, clone: { endpoint: 'other', object: 1 }, seq: 1, command: { op: 'clear', publisher: null } });
    c.handle({ type: 'event', store: STORE, master: { endpoint: 'X', object: 9 }, clone: null, seq: 1, command: { op: 'clear', publisher: null } });
    c.handle({ type: 'event', store: 'other-store', master: m.id, clone: null, seq: 1, command: { op: 'clear', publisher: null } });
    expect(c.seq).toBe(0);
    expect(c.idle).toBe(true);
  });

  test('writes beyond maxPendingWrites are refused, and a putUnique among them is answered', () => {
    const sys = new StoreSystem(14);
    const c = sys.addClone('c1', { maxPendingWrites: 2 });
    c.write(W.put('a', 1n));
    c.write(W.put('b', 1n));
    c.write(W.putUnique('c', 1n, 5));
    expect(c.pendingWrites).toBe(2);
    expect(sys.log('c1').errors[0]).toMatchObject({ code: 'unspecified', message: expect.stringMatching(/2 writes already wait/) });
    expect(sys.log('c1').answers.get(5)).toMatchObject({ ok: false });
  });

  test('a closed clone refuses writes and ignores messages', () => {
    const sys = new StoreSystem(15);
    const c = sys.addClone('c1');
    c.close();
    c.write(W.putUnique('a', 1n, 1));
    expect(sys.log('c1').answers.get(1)).toMatchObject({ ok: false, error: { code: 'shutting_down' } });
    c.handle(null);
    c.tick(sys.now);
    expect(sys.log('c1').errors.map((e) => e.code)).toEqual(['shutting_down']);
  });

  test('a putUnique acknowledged without an answer (a Broker master) waits for its putUniqueResult; a lost master answers it with an error', () => {
    const sys = new StoreSystem(16);
    const c = sys.addClone('c1');
    const M = { endpoint: 'broker-master', object: 6 };
    const base = { store: STORE, master: M };
    c.handle({ type: 'ackClone', ...base, clone: c.id, offset: 0, epoch: 0, heartbeatInterval: 5, connectionTimeout: 100, snapshot: encodeBinary(new BrokerTable()) });
    c.write(W.putUnique('u', 1n, 3));
    c.write(W.putUnique('v', 1n, 4));
    c.handle({ type: 'writeAck', ...base, clone: c.id, applied: 2, seq: 0, outcomes: [] });
    expect(c.pendingWrites).toBe(0);
    expect(sys.log('c1').answers.size).toBe(0);
    c.handle({ type: 'event', ...base, clone: null, seq: 1, command: { op: 'putUniqueResult', inserted: true, who: c.id, requestId: 3, publisher: M } });
    expect(sys.log('c1').answers.get(3)).toEqual({ ok: true, inserted: true });
    c.masterLost();
    c.handle({ type: 'ackClone', ...base, clone: c.id, offset: 1, epoch: 1, heartbeatInterval: 5, connectionTimeout: 100, snapshot: encodeBinary(new BrokerTable()) });
    expect(sys.log('c1').answers.get(4)).toMatchObject({ ok: false, error: { code: 'unspecified', message: expect.stringMatching(/lost before it answered/) } });
  });
});
