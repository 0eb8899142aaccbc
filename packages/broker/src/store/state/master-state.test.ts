import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BrokerError, BrokerTable, count, decodeBinary, set, table, Timespan, Timestamp, type Data } from '@broker-ts/data';
import { exact } from '../backend/__fixtures__/exact';
import { makeBackend, type Backend, type BackendKind } from '../backend';
import type { EntityId } from './entity-id';
import { MasterState } from './master-state';
import type { StoreEvent } from './store-event';
import type { CloneCommand, MasterMessage } from './store-message';
import { writeCommands as W, type WriteCommand } from './write-command';

/** How many entries a snapshot piece (a table's encoding) holds. */
function tableSize(bytes: Uint8Array): number {
  return (decodeBinary(bytes) as BrokerTable).size;
}

const T0 = 1_000_000_000_000n;
const MS = 1_000_000n;
const M: EntityId = { endpoint: 'ep-master', object: 7 };
const P: EntityId = { endpoint: 'ep-writer', object: 3 };
const C1: EntityId = { endpoint: 'ep-c1', object: 1 };

function master(backend: Backend = makeBackend('memory'), now = T0) {
  const events: StoreEvent[] = [];
  const sent: MasterMessage[] = [];
  const errors: BrokerError[] = [];
  const m = new MasterState({
    name: 's',
    id: M,
    backend,
    now: new Timestamp(now),
    callbacks: { event: (e) => events.push(e()), send: (msg) => sent.push(msg), error: (e) => errors.push(e) },
  });
  const commands = (): CloneCommand[] => sent.filter((s): s is Extract<MasterMessage, { type: 'event' }> => s.type === 'event').map((s) => s.command);
  return { m, events, sent, errors, commands };
}

const pub = ['ep-writer', count(3)];
const get = (m: MasterState, key: Data): Data => {
  const r = m.query({ op: 'get', key });
  if (!r.ok) throw r.error;
  return r.value;
};

describe('MasterState writes', () => {
  test('put emits insert then update with the relative expiry and the publisher, and broadcasts a put', () => {
    const { m, events, commands } = master();
    expect(m.write(W.put('k', 1n, { publisher: P }))).toEqual({ ok: true });
    m.write(W.put('k', 2n, { expiry: 500, publisher: P }));
    expect(events).toEqual([
      ['insert', 's', 'k', 1n, null, ...pub],
      ['update', 's', 'k', 1n, 2n, Timespan.fromMilliseconds(500), ...pub],
    ]);
    expect(commands()).toEqual([
      { op: 'put', key: 'k', value: 1n, expiry: null, publisher: P },
      { op: 'put', key: 'k', value: 2n, expiry: Timespan.fromMilliseconds(500), publisher: P },
    ]);
    expect(m.seq).toBe(2);
  });

  test('a key expires at now + expiry, with an expire event published by the master and broadcast', () => {
    const { m, events, commands } = master();
    m.write(W.put('k', 1n, { expiry: 600 }));
    m.advance(new Timestamp(T0 + 599n * MS));
    expect(get(m, 'k')).toBe(1n);
    m.advance(new Timestamp(T0 + 600n * MS));
    expect(m.query({ op: 'get', key: 'k' })).toMatchObject({ ok: false, error: { code: 'no_such_key' } });
    expect(events.at(-1)).toEqual(['expire', 's', 'k', 'ep-master', count(7)]);
    expect(commands().at(-1)).toEqual({ op: 'expire', key: 'k', publisher: M });
    expect(m.expiringKeys).toBe(0);
  });

  test('a later write without expiry cancels the expiry; a later expiry replaces it', () => {
    const { m } = master();
    m.write(W.put('a', 1n, { expiry: 100 }));
    m.write(W.put('a', 2n));
    m.write(W.put('b', 1n, { expiry: 100 }));
    m.write(W.put('b', 2n, { expiry: 1000 }));
    m.advance(new Timestamp(T0 + 500n * MS));
    expect(get(m, 'a')).toBe(2n);
    expect(get(m, 'b')).toBe(2n);
    m.advance(new Timestamp(T0 + 1000n * MS));
    expect(m.query({ op: 'exists', key: 'b' })).toEqual({ ok: true, value: false });
  });

  test('putUnique inserts only an absent key and answers whether it did; a refused one changes nothing', () => {
    const { m, events, commands } = master();
    expect(m.write(W.putUnique('k', 'first', 1))).toEqual({ ok: true, inserted: true });
    expect(m.write(W.putUnique('k', 'second', 2))).toEqual({ ok: true, inserted: false });
    expect(get(m, 'k')).toBe('first');
    expect(events).toHaveLength(1);
    // As Broker's master: the put, then each answer in channel order (for the one who asked).
    const self = { endpoint: 'ep-master', object: 7 };
    expect(commands()).toEqual([
      { op: 'put', key: 'k', value: 'first', expiry: null, publisher: null },
      { op: 'putUniqueResult', inserted: true, who: self, requestId: 1, publisher: self },
      { op: 'putUniqueResult', inserted: false, who: self, requestId: 2, publisher: self },
    ]);
  });

  test('a putUnique answer names who asked: the command\'s who, else the clone that wrote', () => {
    const { m, commands } = master();
    const who = { endpoint: 'ep-c1', object: 99 };
    m.handle({ type: 'write', store: 's', clone: C1, master: M, writeId: 1, base: 1, command: { ...W.putUnique('a', 1n, 5), who } });
    m.handle({ type: 'write', store: 's', clone: C1, master: M, writeId: 2, base: 1, command: W.putUnique('b', 1n, 6) });
    expect(commands().filter((c) => c.op === 'putUniqueResult')).toMatchObject([
      { inserted: true, who, requestId: 5 },
      { inserted: true, who: C1, requestId: 6 },
    ]);
  });

  test('erase emits an event and a broadcast only when the key existed (newer Broker)', () => {
    const { m, events, commands } = master();
    m.write(W.erase('missing'));
    expect(events).toEqual([]);
    expect(m.seq).toBe(0);
    m.write(W.put('k', 1n));
    m.write(W.erase('k', { publisher: P }));
    expect(events.at(-1)).toEqual(['erase', 's', 'k', ...pub]);
    expect(commands().at(-1)).toEqual({ op: 'erase', key: 'k', publisher: P });
  });

  test('clear emits an erase event per key, broadcasts one clear, and disarms every expiry', () => {
    const { m, events, commands } = master();
    m.write(W.put('b', 1n, { expiry: 100 }));
    m.write(W.put('a', 2n));
    events.length = 0;
    m.write(W.clear({ publisher: P }));
    expect(events).toEqual([
      ['erase', 's', 'a', ...pub],
      ['erase', 's', 'b', ...pub],
    ]);
    expect(commands().at(-1)).toEqual({ op: 'clear', publisher: P });
    expect(m.expiringKeys).toBe(0);
    expect(m.query({ op: 'keys' })).toEqual({ ok: true, value: set([]) });
  });

  test('increment, decrement, append, insertInto, removeFrom, push and pop broadcast the new value as a put, keeping their expiry', () => {
    const { m, events, commands } = master();
    m.write(W.increment('n', count(3)));
    m.write(W.decrement('n', count(1), { expiry: 1000 }));
    m.write(W.append('s', 'ab'));
    m.write(W.insertInto('set', 1n));
    m.write(W.insertInto('t', 'x', 1n));
    m.write(W.removeFrom('set', 1n));
    m.write(W.push('v', 1n));
    m.write(W.push('v', 2n));
    m.write(W.pop('v'));
    m.write(W.increment('ts', Timespan.fromMilliseconds(1000)));
    expect(exact(get(m, 'n'))).toBe(exact(count(2)));
    expect(get(m, 's')).toBe('ab');
    expect(exact(get(m, 'set'))).toBe(exact(set([])));
    expect(exact(get(m, 't'))).toBe(exact(table([['x', 1n]])));
    expect(get(m, 'v')).toEqual([1n]);
    expect(exact(get(m, 'ts'))).toBe(exact(new Timestamp(1_000_000_000n)));
    expect(events[1]).toEqual(['update', 's', 'n', count(3), count(2), Timespan.fromMilliseconds(1000), null, null]);
    expect(commands()[1]).toEqual({ op: 'put', key: 'n', value: count(2), expiry: Timespan.fromMilliseconds(1000), publisher: null });
    expect(m.expiringKeys).toBe(1);
  });

  test('a rejected write leaves the store unchanged and is reported with its code, store, operation and key', () => {
    const { m, events, errors, commands } = master();
    m.write(W.put('c', count(5), { expiry: 1000 }));
    events.length = 0;
    const before = m.seq;
    const r1 = m.write(W.append('c', 'x', { publisher: P }));
    const r2 = m.write(W.decrement('missing', 1n));
    const r3 = m.write(W.insertInto('t', 'k', 1n));
    m.write(W.put('t', table([])));
    const r4 = m.write({ op: 'add', key: 't', value: [1n, 2n, 3n], initType: 'table', expiry: null, publisher: null });
    expect([r1, r2, r3, r4].map((r) => (r.ok ? 'ok' : r.error.code))).toEqual(['type_clash', 'no_such_key', 'ok', 'invalid_data']);
    expect(errors.map((e) => e.code)).toEqual(['type_clash', 'no_such_key', 'invalid_data']);
    expect(errors[0]).toBeInstanceOf(BrokerError);
    expect(errors[0].message).toMatch(/store 's': add on key c failed/);
    expect(errors[0].context).toMatchObject({ store: 's', op: 'add', key: 'c', publisher: P });
    expect(exact(get(m, 'c'))).toBe(exact(count(5)));
    expect(m.expiringKeys).toBe(1);
    expect(events.map((e) => e[0])).toEqual(['insert', 'update']);
    expect(m.seq).toBe(before + 2);
    expect(commands()).toHaveLength(before + 2);
  });

  test('a value the caller mutates after writing does not change what was stored or broadcast', () => {
    const { m, commands } = master();
    const v: Data = [1n, 2n];
    m.write(W.put('k', v));
    v.push(3n);
    expect(get(m, 'k')).toEqual([1n, 2n]);
    expect((commands()[0] as { value: Data }).value).toEqual([1n, 2n]);
  });
});

describe('MasterState queries', () => {
  test('get, exists, getIndexFromValue and keys answer from the backend, errors as data', () => {
    const { m } = master();
    m.write(W.put('v', [10n, 20n, 30n]));
    expect(m.query({ op: 'get', key: 'v' })).toEqual({ ok: true, value: [10n, 20n, 30n] });
    expect(m.query({ op: 'exists', key: 'x' })).toEqual({ ok: true, value: false });
    expect(m.query({ op: 'getIndexFromValue', key: 'v', index: count(1) })).toEqual({ ok: true, value: 20n });
    expect(m.query({ op: 'getIndexFromValue', key: 'v', index: count(5) })).toMatchObject({ ok: false, error: { code: 'no_such_key' } });
    expect(m.query({ op: 'keys' })).toEqual({ ok: true, value: set(['v']) });
    expect(m.query({ op: 'get', key: 'x' })).toMatchObject({ ok: false, error: { code: 'no_such_key' } });
  });
});

describe('MasterState and clones', () => {
  const nack0 = (epoch = 0) => ({ type: 'nack', store: 's', clone: C1, master: null, seqs: [0], epoch });

  test('a handshake request gets the snapshot at the current sequence number; a repeat gets the same one; the ACK completes it', () => {
    const { m, sent } = master();
    m.write(W.put('a', 1n));
    m.handle(nack0());
    const ack = sent.at(-1) as Extract<MasterMessage, { type: 'ackClone' }>;
    expect(ack).toMatchObject({ type: 'ackClone', store: 's', master: M, clone: C1, offset: 1, epoch: 0, heartbeatInterval: 5, connectionTimeout: 100 });
    expect(decodeBinary(ack.snapshot)).toEqual(table([['a', 1n]]));
    expect(m.idle).toBe(false);
    m.write(W.put('b', 2n));
    m.handle(nack0());
    expect(sent.at(-1)).toEqual(ack);
    m.handle({ type: 'ack', store: 's', clone: C1, master: M, seq: 1, epoch: 0 });
    expect(m.idle).toBe(false); // seq 2 not acknowledged yet
    m.handle({ type: 'ack', store: 's', clone: C1, master: M, seq: 2, epoch: 0 });
    expect(m.idle).toBe(true);
    expect(m.clones).toBe(1);
  });

  test('clone writes are applied once each and in order, and acknowledged with their outcomes', () => {
    const { m, sent } = master();
    const write = (writeId: number, base: number, command: WriteCommand = W.put(`k${writeId}`, BigInt(writeId))) => m.handle({ type: 'write', store: 's', clone: C1, master: M, writeId, base, command });
    write(2, 1);
    expect(m.query({ op: 'exists', key: 'k2' })).toEqual({ ok: true, value: false });
    expect(m.idle).toBe(false);
    write(1, 1);
    write(1, 1);
    write(3, 1, W.putUnique('k1', 'again', 9));
    expect(get(m, 'k1')).toBe(1n);
    expect(get(m, 'k2')).toBe(2n);
    const ack = sent.filter((s) => s.type === 'writeAck').at(-1);
    // seq 3: the two puts and the putUnique's answer
    expect(ack).toMatchObject({ type: 'writeAck', clone: C1, applied: 3, seq: 3, outcomes: [{ writeId: 3, inserted: false }] });
    write(4, 4, W.append('k1', 'x'));
    m.tick(new Timestamp(T0));
    expect(sent.filter((s) => s.type === 'writeAck').at(-1)).toMatchObject({ applied: 4, outcomes: [{ writeId: 4, error: { code: 'type_clash' } }] });
    expect(m.idle).toBe(true);
  });

  test('a clone write flagged ack is acknowledged at once, also as a duplicate; an unflagged one waits for the tick', () => {
    const { m, sent } = master();
    const acks = () => sent.filter((s) => s.type === 'writeAck');
    m.handle({ type: 'write', store: 's', clone: C1, master: M, writeId: 1, base: 1, command: W.put('a', 1n) });
    expect(acks()).toHaveLength(0);
    m.handle({ type: 'write', store: 's', clone: C1, master: M, writeId: 2, base: 1, command: W.put('b', 2n), ack: true });
    expect(acks().at(-1)).toMatchObject({ applied: 2, outcomes: [] });
    m.handle({ type: 'write', store: 's', clone: C1, master: M, writeId: 2, base: 1, command: W.put('b', 2n), ack: true });
    expect(acks()).toHaveLength(2);
    // A write held early is acknowledged when its turn comes (at the latest at the tick).
    m.handle({ type: 'write', store: 's', clone: C1, master: M, writeId: 4, base: 3, command: W.put('d', 4n), ack: true });
    expect(acks()).toHaveLength(2);
    m.handle({ type: 'write', store: 's', clone: C1, master: M, writeId: 3, base: 3, command: W.put('c', 3n), ack: true });
    expect(acks().at(-1)).toMatchObject({ applied: 4 });
  });

  test('a malformed ack flag is invalid_message', () => {
    const { m, errors } = master();
    m.handle({ type: 'write', store: 's', clone: C1, master: M, writeId: 1, base: 1, command: W.put('a', 1n), ack: 'yes' });
    expect(errors.map((e) => e.code)).toEqual(['invalid_message']);
    expect(m.query({ op: 'exists', key: 'a' })).toEqual({ ok: true, value: false });
  });

  test('after a failed commit, clones are dropped (they resync) and their write state is forgotten', () => {
    const { m, sent } = master();
    m.handle({ type: 'nack', store: 's', clone: C1, master: null, seqs: [0], epoch: 1 });
    m.handle({ type: 'ack', store: 's', clone: C1, master: M, seq: 0, epoch: 1 });
    m.handle({ type: 'write', store: 's', clone: C1, master: M, writeId: 1, base: 1, command: W.put('a', 1n), ack: true });
    expect(m.clones).toBe(1);
    m.commitFailed();
    expect(m.clones).toBe(0);
    // The clone's next ACK is answered with retransmitFailed: it resyncs.
    m.handle({ type: 'ack', store: 's', clone: C1, master: M, seq: 1, epoch: 1 });
    expect(sent.at(-1)).toMatchObject({ type: 'retransmitFailed', clone: C1 });
    // Its write, resent, is applied again (its state was forgotten).
    m.handle({ type: 'write', store: 's', clone: C1, master: M, writeId: 1, base: 1, command: W.increment('n', count(1)), ack: true });
    expect(get(m, 'n')).toEqual(count(1));
  });

  test('a clone that gave writes up (its base moved on) is not waited for', () => {
    const { m } = master();
    m.handle({ type: 'write', store: 's', clone: C1, master: M, writeId: 1, base: 1, command: W.put('a', 1n) });
    m.handle({ type: 'write', store: 's', clone: C1, master: M, writeId: 5, base: 5, command: W.put('e', 5n) });
    expect(get(m, 'e')).toBe(5n);
  });

  test('messages for another master or store are ignored; malformed ones are reported as invalid_message', () => {
    const { m, sent, errors } = master();
    m.handle({ ...nack0(), store: 'other' });
    m.handle({ ...nack0(), master: { endpoint: 'x', object: 1 } });
    expect(sent).toEqual([]);
    m.handle({ type: 'nack', store: 's', clone: C1, master: null, seqs: 'zero', epoch: 0 });
    m.handle(null);
    m.handle({ type: 'write', store: 's', clone: C1, master: M, writeId: 1, base: 1, command: { op: 'explode' } });
    expect(errors.map((e) => e.code)).toEqual(['invalid_message', 'invalid_message', 'invalid_message']);
  });

  test('a clone silent for the connection timeout (100 ticks) is dropped and no longer keeps the master busy', () => {
    const { m } = master();
    m.handle(nack0());
    m.write(W.put('a', 1n));
    for (let i = 1; i < 100; i++) m.tick(new Timestamp(T0 + BigInt(i) * 100n * MS));
    expect(m.clones).toBe(1);
    expect(m.idle).toBe(false);
    m.tick(new Timestamp(T0 + 100n * 100n * MS));
    expect(m.clones).toBe(0);
    expect(m.idle).toBe(true);
  });

  test('a detached clone is dropped at once, and a late duplicate of one of its writes is not applied again', () => {
    const { m } = master();
    m.handle(nack0());
    const inc = { type: 'write', store: 's', clone: C1, master: M, writeId: 1, base: 1, command: W.increment('n', count(1)) };
    m.handle(inc);
    expect(m.clones).toBe(1);
    m.handle({ type: 'detach', store: 's', clone: C1, master: M });
    expect(m.clones).toBe(0);
    m.handle(inc);
    m.tick(new Timestamp(T0));
    expect(m.idle).toBe(true);
    expect(get(m, 'n')).toEqual(count(1));
  });

  test('a closed master refuses writes and queries and ignores messages', () => {
    const { m, sent } = master();
    m.close();
    m.close();
    expect(m.write(W.put('a', 1n))).toMatchObject({ ok: false, error: { code: 'backend_failure' } });
    expect(m.query({ op: 'keys' })).toMatchObject({ ok: false, error: { code: 'backend_failure' } });
    m.handle(nack0());
    expect(sent).toEqual([]);
  });

  test('bad options are refused', () => {
    expect(() => new MasterState({ name: 's', id: M, backend: makeBackend('memory'), now: new Timestamp(T0), callbacks: { event() {}, send() {}, error() {} }, writeWindow: 0 })).toThrow(/writeWindow/);
    expect(() => new MasterState({ name: 's', id: M, backend: makeBackend('memory'), now: new Timestamp(T0), callbacks: { event() {}, send() {}, error() {} }, snapshotChunkBytes: 0 })).toThrow(/snapshotChunkBytes/);
    expect(() => new MasterState({ name: 's', id: M, backend: makeBackend('memory'), now: new Timestamp(T0), callbacks: { event() {}, send() {}, error() {} }, snapshotWindow: 1.5 })).toThrow(/snapshotWindow/);
  });

  test('snapshot ACKs of another epoch, offset or clone are ignored; a retry resends the first unacknowledged piece only', () => {
    const big = 'x'.repeat(2 * 1024 * 1024);
    const { m, sent } = master();
    m.write(W.put('a', big));
    m.write(W.put('b', big));
    m.write(W.put('c', big));
    m.handle(nack0());
    // One piece per entry (each above the 1 MiB piece size), four in flight at most.
    expect(sent.filter((x) => x.type === 'ackClone' || x.type === 'snapshotChunk').map((x) => [x.type, tableSize(x.snapshot)])).toEqual([['ackClone', 1], ['snapshotChunk', 1], ['snapshotChunk', 1]]);
    expect(sent.at(-1)).toMatchObject({ type: 'snapshotChunk', index: 2, last: true, offset: 3, epoch: 0 });
    const n = sent.length;
    const ack = { type: 'snapshotAck', store: 's', clone: C1, master: M, offset: 3, epoch: 0, received: 1, retry: true };
    m.handle({ ...ack, epoch: 1 });
    m.handle({ ...ack, offset: 2 });
    m.handle({ ...ack, clone: { endpoint: 'other', object: 1 } });
    expect(sent.length).toBe(n);
    m.handle({ ...ack, received: 7 }); // beyond what was sent: a retry from what is acknowledged (nothing)
    expect(sent.slice(n).map((x) => x.type)).toEqual(['ackClone']);
    m.handle(ack);
    expect(sent.slice(n + 1).map((x) => x.type === 'snapshotChunk' && x.index)).toEqual([1]);
    m.handle({ ...ack, received: 2 });
    expect(sent.slice(n + 2).map((x) => x.type === 'snapshotChunk' && x.index)).toEqual([2]);
    m.handle({ ...ack, received: 3 }); // every piece acknowledged: nothing to send again
    expect(sent).toHaveLength(n + 3);
  });
});

describe.each<BackendKind>(['sqlite', 'lmdb'])('a persistent master (%s) restarted', (kind) => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), `broker-ts-master-${kind}-`));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const open = (): Backend => makeBackend(kind, { path: join(dir, kind === 'sqlite' ? 'store.sqlite' : 'store.lmdb') });

  test('drops the rows that expired while it was down with expire events, and re-arms the others', () => {
    const first = master(open());
    first.m.write(W.put('short', 1n, { expiry: 1000 }));
    first.m.write(W.put('long', 2n, { expiry: 5000 }));
    first.m.write(W.put('forever', 3n));
    first.m.close();
    const second = master(open(), T0 + 2000n * MS);
    expect(second.events).toEqual([['expire', 's', 'short', 'ep-master', count(7)]]);
    expect(second.m.expiringKeys).toBe(1);
    second.m.advance(new Timestamp(T0 + 4999n * MS));
    expect(get(second.m, 'long')).toBe(2n);
    second.m.advance(new Timestamp(T0 + 5000n * MS));
    expect(second.events.at(-1)).toEqual(['expire', 's', 'long', 'ep-master', count(7)]);
    expect(second.m.query({ op: 'keys' })).toEqual({ ok: true, value: set(['forever']) });
    second.m.close();
  });
});
