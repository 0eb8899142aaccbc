import { count, Timestamp } from '@broker-ts/data';
import { capturedStoreSession } from '../../../test/native/captured-store-session';
import { encodeInternalCommand, type InternalCommand } from '../../native/internal-command';
import { makeBackend } from '../backend';
import { MasterState, writeCommands as W, type EntityId, type MasterMessage } from '../state';
import { NativeMasterBridge } from './native-master-bridge';
import { fromNativeEntity } from './native-entity';

const T0 = 1_700_000_000_000_000_000n;
const SEC = 1_000_000_000n;
const session = capturedStoreSession();
const MASTER = fromNativeEntity(session.master) as EntityId;
const hex = (cmd: InternalCommand): string => encodeInternalCommand(cmd).toString('hex');
const capturedHex = (list: { bytes: Buffer }[]): string[] => list.map((c) => c.bytes.toString('hex'));
const isChange = (cmd: InternalCommand): boolean => ['ack_clone', 'put', 'erase', 'expire', 'clear', 'put_unique_result'].includes(cmd.content.type);

/** Our master, under the captured master's entity, with the bridge in front of it as the store actor wires them. */
function master() {
  const native: InternalCommand[] = [];
  const ours: MasterMessage[] = [];
  let bridge: NativeMasterBridge | undefined;
  const m = new MasterState({
    name: 's',
    id: MASTER,
    backend: makeBackend('memory'),
    now: new Timestamp(T0),
    callbacks: {
      event: () => undefined,
      error: (e) => {
        throw e;
      },
      send: (msg) => {
        const out = bridge!.outbound(msg);
        if (out.ours) ours.push(msg);
        native.push(...out.native);
      },
    },
  });
  bridge = new NativeMasterBridge('s', MASTER, { toMaster: (msg) => m.handle(msg), sendNative: (cmd) => native.push(cmd) });
  return { m, bridge, native, ours };
}

describe('NativeMasterBridge: a broker-ts master serving the captured Broker clone', () => {
  test('answers the join, the writer attach and every change with the bytes Broker\'s master sent', () => {
    const { m, bridge, native } = master();
    const fromClone = session.cloneToMaster.map((c) => c.cmd);
    const pub = MASTER;
    // The join (nack 0) and its ACK, then the clone's writer attach.
    bridge.inbound(fromClone[0]);
    bridge.inbound(fromClone[1]);
    expect(m.clones).toBe(1);
    bridge.inbound(fromClone[2]);
    // The master's own writes, as tests/python-peers.py ran them.
    m.write(W.put('k1', count(1n), { publisher: pub }));
    m.write(W.put('k2', 'short-lived', { expiry: 1000, publisher: pub }));
    m.write({ ...W.putUnique('k3', 3n, 1, { publisher: pub }), who: { endpoint: MASTER.endpoint, object: 7 } });
    m.write(W.increment('n', 5n, { publisher: pub }));
    m.write(W.decrement('n', 2n, { publisher: pub }));
    m.write(W.append('str', 'abc', { publisher: pub }));
    m.write(W.insertInto('set', 'a', undefined, { publisher: pub }));
    m.write(W.insertInto('tbl', 'key', 'value', { publisher: pub }));
    m.write(W.push('vec', 1n, { publisher: pub }));
    m.write(W.removeFrom('set', 'a', { publisher: pub }));
    m.write(W.pop('vec', { publisher: pub }));
    m.write(W.erase('k1', { publisher: pub }));
    m.advance(new Timestamp(T0 + SEC + 1n));
    m.write(W.clear({ publisher: pub }));
    // The clone's writes on its writer channel.
    for (const cmd of fromClone.slice(3)) bridge.inbound(cmd);
    const changes = native.filter(isChange);
    const captured = session.masterToClone.filter((c) => isChange(c.cmd));
    expect(changes.map(hex)).toEqual(capturedHex(captured));
  });

  test('ACKs the writer attach and the clone\'s writes as Broker\'s master does, and keeps ACKing every heartbeat', () => {
    const { m, bridge, native } = master();
    for (const c of session.cloneToMaster.slice(0, 3)) bridge.inbound(c.cmd);
    const acks = (): InternalCommand[] => native.filter((c) => c.content.type === 'cumulative_ack');
    const capturedAcks = session.masterToClone.filter((c) => c.cmd.content.type === 'cumulative_ack');
    expect(acks().map(hex)).toEqual(capturedHex(capturedAcks.slice(0, 1)));
    for (const c of session.cloneToMaster.slice(3)) bridge.inbound(c.cmd);
    for (let i = 0; i < 5; i++) {
      m.tick(new Timestamp(T0));
      bridge.tick();
    }
    expect(acks().at(-1)).toEqual(capturedAcks.at(-1)!.cmd);
    // The master's own write ACKs are broker-ts's: none in Broker's form.
    expect(native.filter((c) => !['cumulative_ack', 'keepalive'].includes(c.content.type) && !isChange(c))).toEqual([]);
    expect(m.query({ op: 'get', key: 'counter' })).toEqual({ ok: true, value: 2n });
    expect(bridge.idle).toBe(true);
  });

  test('answers a Broker clone\'s put_unique with put_unique_result for the frontend that asked', () => {
    const { bridge, native } = master();
    for (const c of session.cloneToMaster.slice(0, 3)) bridge.inbound(c.cmd);
    bridge.inbound(session.cloneToMaster.find((c) => c.cmd.content.type === 'put_unique')!.cmd);
    const result = native.find((c) => c.content.type === 'put_unique_result');
    expect(result?.content).toMatchObject({ inserted: true, reqId: 1n, who: { endpoint: session.clone.endpoint, object: 8n } });
  });

  test('sends heartbeats as keepalives with Broker\'s numbers, and nothing in Broker\'s form while no Broker clone is known', () => {
    const { m, bridge, native, ours } = master();
    m.write(W.put('a', 1n));
    for (let i = 0; i < 5; i++) m.tick(new Timestamp(T0));
    expect(native).toEqual([]);
    expect(ours.map((x) => x.type)).toEqual(['event', 'heartbeat']);
    bridge.inbound(session.cloneToMaster[0].cmd);
    for (let i = 0; i < 5; i++) m.tick(new Timestamp(T0));
    expect(native.at(-1)).toMatchObject({ seq: 0n, content: { type: 'keepalive', seq: 2n } });
  });

  test('a unicast to a Broker clone is not sent to broker-ts peers, and a broker-ts clone\'s messages stay broker-ts', () => {
    const { m, bridge, native, ours } = master();
    bridge.inbound(session.cloneToMaster[0].cmd);
    expect(ours.filter((x) => x.type === 'ackClone')).toEqual([]);
    const tsClone = { endpoint: 'ts-clone', object: 3 };
    m.handle({ type: 'nack', store: 's', clone: tsClone, master: null, seqs: [0], epoch: 0 });
    expect(ours.filter((x) => x.type === 'ackClone')).toHaveLength(1);
    expect(native.filter((c) => c.content.type === 'ack_clone')).toHaveLength(1);
  });

  test('ignores writes of a clone that did not attach, and commands for another receiver', () => {
    const { m, bridge } = master();
    const write = session.cloneToMaster.find((c) => c.cmd.content.type === 'put')!.cmd;
    bridge.inbound(write);
    expect(m.query({ op: 'exists', key: 'from-clone' })).toEqual({ ok: true, value: false });
    bridge.inbound({ ...session.cloneToMaster[0].cmd, receiver: { endpoint: session.clone.endpoint, object: 1n } });
    expect(m.clones).toBe(0);
  });

  test('runs Broker\'s consumer side of a writer channel: out-of-order writes wait, a gap is NACKed, a silent writer is forgotten', () => {
    const { m, bridge, native } = master();
    const clone = session.clone;
    const toMaster = (seq: bigint, content: InternalCommand['content']): void => bridge.inbound({ seq, sender: clone, receiver: session.master, content });
    toMaster(0n, { type: 'nack', seqs: [0n] });
    toMaster(0n, { type: 'attach_writer', offset: 1n, heartbeatInterval: 5 });
    toMaster(3n, { type: 'put', key: 'b', value: 2n, expiry: null, publisher: clone });
    expect(m.query({ op: 'exists', key: 'b' })).toEqual({ ok: true, value: false });
    for (let i = 0; i < 2; i++) bridge.tick();
    expect(native.at(-1)).toMatchObject({ receiver: clone, content: { type: 'nack', seqs: [2n] } });
    toMaster(2n, { type: 'put', key: 'a', value: 1n, expiry: null, publisher: clone });
    expect(m.query({ op: 'get', key: 'b' })).toEqual({ ok: true, value: 2n });
    // A duplicate is applied once.
    toMaster(2n, { type: 'put', key: 'a', value: 9n, expiry: null, publisher: clone });
    expect(m.query({ op: 'get', key: 'a' })).toEqual({ ok: true, value: 1n });
    expect(bridge.idle).toBe(true);
    // The writer's keepalive names a write we never got: not idle, NACKed.
    toMaster(0n, { type: 'keepalive', seq: 4n });
    expect(bridge.idle).toBe(false);
    for (let i = 0; i < 5; i++) bridge.tick();
    expect(native.filter((c) => c.content.type === 'nack').at(-1)).toMatchObject({ content: { seqs: [4n] } });
    // Silent for a connection timeout: forgotten; its writes are ignored until it attaches again.
    for (let i = 0; i < 100; i++) bridge.tick();
    expect(bridge.idle).toBe(true);
    toMaster(4n, { type: 'put', key: 'c', value: 3n, expiry: null, publisher: clone });
    expect(m.query({ op: 'exists', key: 'c' })).toEqual({ ok: true, value: false });
    expect(bridge.brokerClones).toBe(0);
  });

  test('refuses nothing silently: numbers broker-ts cannot name are dropped, not misread', () => {
    const { m, bridge } = master();
    bridge.inbound({ ...session.cloneToMaster[0].cmd, content: { type: 'nack', seqs: [0n, 2n] } });
    bridge.inbound({ ...session.cloneToMaster[0].cmd, content: { type: 'cumulative_ack', seq: 0n } });
    expect(m.clones).toBe(0);
    expect(() => bridge.inbound({ ...session.cloneToMaster[0].cmd, sender: { endpoint: session.clone.endpoint, object: 1n << 60n } })).toThrow(/beyond what broker-ts can name/);
  });
});

describe('NativeMasterBridge: a snapshot in pieces for a Broker clone', () => {
  test('goes out as one ack_clone holding every entry, the pieces acknowledged in the clone\'s place', () => {
    const { m, bridge, native, ours } = master();
    const value = 'v'.repeat(1024);
    // About 3 MiB of entries: the master cuts its snapshot into pieces of at most 1 MiB.
    for (let i = 0; i < 3000; i++) m.write(W.put(`key-${String(i).padStart(5, '0')}`, value, { publisher: MASTER }));
    const fromClone = session.cloneToMaster.map((c) => c.cmd);
    bridge.inbound(fromClone[0]);
    for (let t = 0; t < 20 && !native.some((c) => c.content.type === 'ack_clone'); t++) {
      m.tick(new Timestamp(T0));
      bridge.tick();
    }
    const acks = native.filter((c) => c.content.type === 'ack_clone');
    expect(acks).toHaveLength(1);
    const content = acks[0].content as Extract<InternalCommand['content'], { type: 'ack_clone' }>;
    expect(content.state).toHaveLength(3000);
    expect(new Set(content.state.map(([k]) => k)).size).toBe(3000);
    // No piece went to broker-ts peers: the clone is Broker's.
    expect(ours.filter((msg) => msg.type === 'snapshotChunk')).toEqual([]);
  });
});
