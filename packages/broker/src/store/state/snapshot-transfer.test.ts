import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BrokerTable, decodeBinary, encodeBinary, type Data } from '@broker-ts/data';
import { STORE, StoreSystem } from './__fixtures__/store-system';
import type { CloneState } from './clone-state';
import type { MasterState } from './master-state';
import type { CloneMessage, MasterMessage } from './store-message';
import { INSTALL_SLICE } from './snapshot-install';
import { SnapshotTransfer } from './snapshot-transfer';
import { makeBackend, MemoryBackend, type BackendKind, type EncodedEntry, type SnapshotRows } from '../backend';
import { putSnapshotTable } from './snapshot-table';
import { writeCommands as W } from './write-command';

/** How many entries a snapshot piece (a table's encoding) holds. */
function tableSize(bytes: Uint8Array): number {
  return (decodeBinary(bytes) as BrokerTable).size;
}

/** Rows as a backend hands them out (in key order here). */
function encoded(entries: [Data, Data][]): SnapshotRows {
  const rows: EncodedEntry[] = entries.map(([key, value]) => ({ key: encodeBinary(key), value: encodeBinary(value) }));
  return { size: rows.length, [Symbol.iterator]: () => rows[Symbol.iterator]() };
}

/** Pieces of about 1 KiB: 40 entries of ~100 bytes make ~4 pieces. */
const SMALL = { snapshotChunkBytes: 1024, snapshotWindow: 2 };

function fill(m: MasterState, n: number): void {
  for (let i = 0; i < n; i++) m.write(W.put(`k${String(i).padStart(4, '0')}`, 'v'.repeat(100)));
}

function keys(c: CloneState): number {
  const r = c.query({ op: 'keys' });
  if (!r.ok) throw r.error;
  return (r.value as { size: number }).size;
}

/** Records every message of a type, in order. */
function tap(sys: StoreSystem, also: (msg: MasterMessage | CloneMessage) => boolean = () => false): (MasterMessage | CloneMessage)[] {
  const seen: (MasterMessage | CloneMessage)[] = [];
  sys.lose = (msg) => {
    seen.push(msg);
    return also(msg);
  };
  return seen;
}

describe('SnapshotTransfer', () => {
  test('cuts pieces by encoded size (a larger entry alone), keeps the window, and rewinds to the acknowledged piece', () => {
    const big = 'x'.repeat(5000);
    const entries: [Data, Data][] = [['a', 'y'.repeat(400)], ['b', 'y'.repeat(400)], ['c', big], ['d', 'y'.repeat(400)]];
    const t = new SnapshotTransfer(0, 7, encoded(entries), 1000, 2);
    expect(t.prepare()).toBe(true); // rows with nothing to prepare are ready at once
    const first = t.due();
    expect(first.map((p) => [p.index, tableSize(p.table), p.last])).toEqual([[0, 2, false], [1, 1, false]]);
    for (const p of first) expect(p.table.length).toBeLessThan(1000 + 5100);
    expect(t.due()).toEqual([]); // window full
    t.ack(1);
    expect(t.due().map((p) => [p.index, tableSize(p.table), p.last])).toEqual([[2, 1, true]]);
    t.ack(9); // beyond what was sent: ignored
    expect(t.received).toBe(1);
    t.rewind();
    expect(t.due().map((p) => p.index)).toEqual([1, 2]);
    t.ack(3);
    expect(t.due()).toEqual([]);
  });

  test('an empty store is one last piece', () => {
    const t = new SnapshotTransfer(0, 0, encoded([]), 1000, 4);
    expect(t.due()).toEqual([]); // not prepared yet
    t.prepare();
    expect(t.due().map((p) => [p.index, tableSize(p.table), p.last])).toEqual([[0, 0, true]]);
  });
});

describe('a snapshot sent in pieces', () => {
  test('the clone assembles every piece, installs the whole once, then gets the events that came meanwhile', () => {
    const sys = new StoreSystem(11);
    const m = sys.startMaster(undefined, {}, SMALL);
    fill(m, 40);
    const seen = tap(sys);
    const c = sys.addClone('c1', { resyncInterval: 1000 });
    m.write(W.put('late', 1n)); // before the handshake: part of the snapshot
    let staleWhileArriving = 0;
    sys.runUntil(() => {
      if (seen.some((x) => x.type === 'snapshotChunk') && c.master === null && c.query({ op: 'keys' }).ok === false) staleWhileArriving++;
      if (seen.some((x) => x.type === 'snapshotChunk') && c.master === null) m.write(W.put('during', 2n));
      return sys.allIdle();
    }, 200);
    const chunks = seen.filter((x) => x.type === 'snapshotChunk');
    expect(chunks.length).toBeGreaterThanOrEqual(3);
    expect(seen.filter((x) => x.type === 'ackClone')).toHaveLength(1);
    expect(seen.filter((x) => x.type === 'ackClone' || x.type === 'snapshotChunk').every((x) => (x as { snapshot: Uint8Array }).snapshot.length < 1024 + 200)).toBe(true);
    expect(staleWhileArriving).toBeGreaterThan(0);
    expect(keys(c)).toBe(42);
    expect(c.query({ op: 'get', key: 'during' })).toEqual({ ok: true, value: 2n });
    // Each key inserted once on the clone: the snapshot's inserts, then the events after it.
    const inserts = sys.log('c1').events.filter((e) => (e as unknown[])[0] === 'insert');
    expect(inserts).toHaveLength(42);
    expect(sys.log('c1').notices).toEqual([{ kind: 'master-found', master: m.id }]);
  });

  test('a lost piece is sent again after the clone asks; the snapshot completes', () => {
    const sys = new StoreSystem(12);
    const m = sys.startMaster(undefined, {}, SMALL);
    fill(m, 40);
    let dropped = 0;
    const seen = tap(sys, (msg) => msg.type === 'snapshotChunk' && msg.index === 1 && dropped++ === 0);
    const c = sys.addClone('c1', { resyncInterval: 100_000 });
    sys.runUntil(() => sys.allIdle(), 200);
    expect(dropped).toBeGreaterThan(1);
    expect(seen.some((x) => x.type === 'snapshotAck' && x.retry === true && x.received === 1)).toBe(true);
    expect(seen.filter((x) => x.type === 'nack')).toHaveLength(1); // no new handshake request
    expect(keys(c)).toBe(40);
  });

  test('while no new piece arrives the clone asks again after doubling waits, and each retry brings one piece, not the window', () => {
    const sys = new StoreSystem(16);
    const m = sys.startMaster(undefined, {}, SMALL);
    fill(m, 40);
    // Every piece after the first is late: lost while the test holds the link.
    let holding = true;
    const seen = tap(sys, (msg) => holding && msg.type === 'snapshotChunk');
    const c = sys.addClone('c1', { resyncInterval: 100_000 });
    sys.run(84); // under the connection timeout (100 ticks) without a piece
    const retries = seen.filter((x) => x.type === 'snapshotAck' && x.retry === true).length;
    // Heartbeat interval 5 ticks: after 5, 15, 35 and 60 ticks (the wait stops growing at a
    // quarter of the connection timeout, 25 ticks), where a fixed rate asks 16 times.
    expect(retries).toBe(4);
    const resent = seen.filter((x) => x.type === 'snapshotChunk').length;
    expect(resent).toBe(2 + retries); // the first window (2 pieces), then one piece per retry
    holding = false;
    sys.runUntil(() => sys.allIdle(), 300);
    expect(keys(c)).toBe(40);
    expect(seen.filter((x) => x.type === 'nack')).toHaveLength(1); // the transfer was never given up
  });

  test('the clone asks for no new handshake while pieces keep arriving, even with a short resyncInterval', () => {
    const sys = new StoreSystem(13);
    const m = sys.startMaster(undefined, {}, { snapshotChunkBytes: 1024, snapshotWindow: 1 });
    fill(m, 100); // ~10 pieces, one per tick
    const seen = tap(sys);
    const c = sys.addClone('c1', { resyncInterval: 200 }); // 2 ticks
    sys.runUntil(() => sys.allIdle(), 200);
    expect(seen.filter((x) => x.type === 'snapshotChunk').length).toBeGreaterThanOrEqual(8);
    expect(seen.filter((x) => x.type === 'nack')).toHaveLength(1);
    expect(seen.filter((x) => x.type === 'ackClone')).toHaveLength(1);
    expect(keys(c)).toBe(100);
  });

  test('a master lost midway: the clone stays stale, drops the half snapshot, and attaches whole to the next master', () => {
    const sys = new StoreSystem(14);
    const m1 = sys.startMaster(undefined, {}, SMALL);
    fill(m1, 40);
    const seen = tap(sys);
    const c = sys.addClone('c1', { resyncInterval: 500 });
    sys.runUntil(() => seen.some((x) => x.type === 'snapshotChunk'), 50);
    sys.stopMaster();
    sys.run(120); // past the connection timeout without a piece
    expect(c.master).toBeNull();
    expect(c.query({ op: 'keys' })).toMatchObject({ ok: false, error: { code: 'stale_data' } });
    expect(sys.log('c1').events).toEqual([]);
    const m2 = sys.startMaster(undefined, {}, SMALL);
    fill(m2, 30);
    sys.runUntil(() => sys.allIdle(), 200);
    expect(c.master).toEqual(m2.id);
    expect(keys(c)).toBe(30);
    expect(sys.log('c1').events).toHaveLength(30);
  });

  test('during a resync the old replica stays readable until the new snapshot is whole', () => {
    const sys = new StoreSystem(15);
    const m = sys.startMaster(undefined, {}, SMALL);
    fill(m, 40);
    const c = sys.addClone('c1');
    sys.runUntil(() => sys.allIdle(), 200);
    const seen = tap(sys);
    m.commitFailed(); // the master drops its clones: the clone resyncs at its next ACK
    m.write(W.erase('k0000'));
    const counts = new Set<number>();
    sys.runUntil(() => {
      const arriving = seen.some((x) => x.type === 'snapshotChunk');
      if (arriving && !sys.allIdle()) counts.add(keys(c));
      return arriving && sys.allIdle();
    }, 300);
    expect(counts.size).toBeGreaterThan(0);
    for (const n of counts) expect([39, 40]).toContain(n);
    expect(keys(c)).toBe(39);
    const erased = sys.log('c1').events.filter((e) => (e as unknown[])[0] === 'erase');
    expect(erased.map((e) => (e as unknown[]).slice(0, 3))).toEqual([['erase', STORE, 'k0000']]);
  });
  test('a large snapshot is installed in slices: reads show the old state or the whole new one, the channel follows the snapshot events', () => {
    const sys = new StoreSystem(17);
    const m = sys.startMaster(undefined, {}, { snapshotChunkBytes: 64 * 1024 });
    const n = 3 * INSTALL_SLICE;
    for (let i = 0; i < n; i++) m.write(W.put(`k${String(i).padStart(6, '0')}`, BigInt(i)));
    const c = sys.addClone('c1');
    sys.runUntil(() => sys.allIdle(), 300);
    expect(keys(c)).toBe(n);
    const events = sys.log('c1').events;
    events.length = 0;
    // A resync that changes every key: the master drops the clone, whose channel misses the changes.
    let holding = true;
    const seen = tap(sys, (msg) => holding && msg.type === 'event');
    m.commitFailed();
    for (let i = 0; i < n; i++) m.write(W.put(`k${String(i).padStart(6, '0')}`, BigInt(-i - 1)));
    holding = false;
    sys.runUntil(() => c.installing, 300);
    // The replica is the whole new snapshot at once; its events go out a slice per step.
    expect(keys(c)).toBe(n);
    expect(c.query({ op: 'get', key: `k${String(n - 1).padStart(6, '0')}` })).toEqual({ ok: true, value: BigInt(-n) });
    expect(events.length).toBeLessThanOrEqual(INSTALL_SLICE);
    expect(c.idle).toBe(false);
    m.write(W.put('after', 1n)); // a change after the snapshot: its event comes after every snapshot event
    const steps = sys.runUntil(() => !c.installing && sys.allIdle(), 300);
    expect(steps).toBeGreaterThanOrEqual(2);
    expect(events).toHaveLength(n + 1);
    expect(events.slice(0, n).every((e) => (e as unknown[])[0] === 'update')).toBe(true);
    expect((events[n] as unknown[]).slice(0, 3)).toEqual(['insert', STORE, 'after']);
    expect(keys(c)).toBe(n + 1);
    // One handshake (epoch) for the whole resync: the install was never given up.
    expect(new Set(seen.flatMap((x) => (x.type === 'nack' && x.seqs[0] === 0 ? [x.epoch] : []))).size).toBe(1);
  });
});

/** A real from its 8 big-endian bytes: NaNs keep their bits through the codec. */
const real = (bits: string): number => decodeBinary(Buffer.from(`04${bits}`, 'hex')) as number;
const hex = (x: Data | Uint8Array): string => Buffer.from(x instanceof Uint8Array ? x : encodeBinary(x)).toString('hex');

/** Keys equal in Broker's order but encoded apart among others, in the order a backend keeps them. */
const EQUAL_KEYS: Data[] = [0.0, -0.0, real('7ff8000000000000'), real('7ff8000000000001'), real('fff8000000000000'), 'a', 'b', [1n, 0.0], [1n, -0.0]];

describe('keys equal in Broker order but encoded apart', () => {
  test('a piece holds each of them as an entry of its own, in order, and a replica stores every one', () => {
    const rows = encoded(EQUAL_KEYS.map((k, i) => [k, BigInt(i)]));
    const t = new SnapshotTransfer(0, 1, rows, 1024 * 1024, 100);
    t.prepare();
    const pieces = t.due();
    expect(pieces).toHaveLength(1);
    expect(pieces[0].last).toBe(true);
    // The table's header, then each stored row's bytes as they are.
    const expected = Buffer.concat([Buffer.of(13, EQUAL_KEYS.length), ...[...rows].flatMap((r) => [r.key, r.value])]);
    expect(hex(pieces[0].table)).toBe(expected.toString('hex'));
    const replica = new MemoryBackend();
    expect(putSnapshotTable(pieces[0].table, replica)).toBe(EQUAL_KEYS.length);
    expect(replica.size()).toBe(EQUAL_KEYS.length);
    expect([...replica.snapshotRows()].map((r) => `${hex(r.key)}=${hex(r.value)}`)).toEqual([...rows].map((r) => `${hex(r.key)}=${hex(r.value)}`));
  });

  const kinds: BackendKind[] = ['memory', 'sqlite', 'lmdb'];
  test.each(kinds)('a clone of a %s master holds each of them with its own value, and a clear erases each', (kind) => {
    const dir = mkdtempSync(join(tmpdir(), 'broker-ts-equal-keys-'));
    try {
      const sys = new StoreSystem(21);
      const m = sys.startMaster(makeBackend(kind, kind === 'memory' ? {} : { path: join(dir, 'store') }));
      EQUAL_KEYS.forEach((k, i) => m.write(W.put(k, BigInt(i))));
      const c = sys.addClone('c1');
      sys.runUntil(() => sys.allIdle(), 200);
      expect(c.master).toEqual(m.id);
      EQUAL_KEYS.forEach((k, i) => expect(c.query({ op: 'get', key: k })).toEqual({ ok: true, value: BigInt(i) }));
      expect(c.query({ op: 'exists', key: -0.0 })).toEqual({ ok: true, value: true });
      const inserted = sys.log('c1').events.map((e) => e as unknown[]).filter((e) => e[0] === 'insert');
      expect(inserted.map((e) => hex(e[2] as Data)).sort()).toEqual(EQUAL_KEYS.map((k) => hex(k)).sort());
      // An erase of one leaves the other, on the clone as on the master.
      m.write(W.erase(-0.0));
      sys.runUntil(() => sys.allIdle(), 200);
      expect(c.query({ op: 'get', key: 0.0 })).toEqual({ ok: true, value: 0n });
      expect(c.query({ op: 'exists', key: -0.0 })).toEqual({ ok: true, value: false });
      sys.log('c1').events.length = 0;
      sys.masterLog.events.length = 0;
      m.write(W.clear());
      sys.runUntil(() => sys.allIdle(), 200);
      const left = EQUAL_KEYS.filter((k) => hex(k) !== hex(-0.0)).map((k) => hex(k));
      const erasedKeys = (events: unknown[]): string[] => events.map((e) => e as unknown[]).filter((e) => e[0] === 'erase').map((e) => hex(e[2] as Data)).sort();
      expect(erasedKeys(sys.log('c1').events)).toEqual(left.slice().sort());
      expect(erasedKeys(sys.masterLog.events)).toEqual(left.slice().sort());
      m.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
