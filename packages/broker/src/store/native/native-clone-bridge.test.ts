import { BrokerTable, count, encodeBinary, timespan, Timestamp, type Data } from '@broker-ts/data';
import { capturedStoreSession } from '../../../test/native/captured-store-session';
import { encodeInternalCommand, type InternalCommand } from '../../native/internal-command';
import { CloneState, writeCommands as W, type CloneMessage, type EntityId, eventOf, type StoreEvent, type WriteOutcome } from '../state';
import { NativeCloneBridge } from './native-clone-bridge';
import { epochEntity, fromNativeEntity } from './native-entity';

const T0 = 1_700_000_000_000_000_000n;
const session = capturedStoreSession();
const CLONE = fromNativeEntity(session.clone) as EntityId;
const MASTER = fromNativeEntity(session.master) as EntityId;
const hex = (cmd: InternalCommand): string => encodeInternalCommand(cmd).toString('hex');
const dataHex = (x: Data): string => Buffer.from(encodeBinary(x)).toString('hex');

/** Our clone, under the captured clone's entity, with the bridge in front of it as the store actor wires them. */
function clone() {
  const native: InternalCommand[] = [];
  const ours: CloneMessage[] = [];
  const events: StoreEvent[] = [];
  const answers = new Map<number, WriteOutcome>();
  const bridge = new NativeCloneBridge('s', CLONE);
  const c = new CloneState({
    name: 's',
    id: CLONE,
    now: new Timestamp(T0),
    callbacks: {
      event: (e) => events.push(eventOf(e)),
      error: () => undefined,
      writeResult: (id, outcome) => answers.set(id, outcome),
      send: (msg) => {
        const out = bridge.outbound(msg);
        if (out.ours) ours.push(msg);
        native.push(...out.native);
      },
    },
  });
  const feed = (cmd: InternalCommand): void => {
    for (const m of bridge.inbound(cmd)) c.handle(m);
  };
  return { c, bridge, native, ours, events, answers, feed };
}

const fromMaster = session.masterToClone.map((x) => x.cmd);
const fromClone = session.cloneToMaster;

describe('NativeCloneBridge: a broker-ts clone of the captured Broker master', () => {
  test('joins with the bytes Broker\'s clone sent (nack 0 to everyone, then the ACK of the ack_clone)', () => {
    const { c, native, ours, feed } = clone();
    expect(native.map(hex)).toEqual([fromClone[0].bytes.toString('hex')]);
    expect(ours).toMatchObject([{ type: 'nack', master: null, seqs: [0] }]);
    feed(fromMaster[0]);
    expect(c.master).toEqual(MASTER);
    expect(native.map(hex)).toEqual([fromClone[0], fromClone[1]].map((x) => x.bytes.toString('hex')));
    // From now on the ACKs go to the Broker master only, in its form.
    expect(ours).toHaveLength(1);
  });

  test('writes go out as Broker\'s writer channel: attach_writer, then each write numbered as Broker\'s clone numbered it', () => {
    const { c, native, feed } = clone();
    feed(fromMaster[0]);
    native.length = 0;
    const pub = CLONE;
    c.write(W.putUnique('u', 1n, 1, { publisher: pub }));
    feed(fromMaster.find((x) => x.content.type === 'cumulative_ack')!); // the master ACKs the attach
    c.write(W.put('from-clone', 2n, { publisher: pub }));
    c.write(W.increment('counter', 3n, { publisher: pub }));
    c.write(W.decrement('counter', 1n, { publisher: pub }));
    c.write(W.erase('from-clone', { publisher: pub }));
    const captured = fromClone.filter((x) => ['attach_writer', 'put_unique', 'put', 'add', 'subtract', 'erase'].includes(x.cmd.content.type));
    expect(native.map((x) => x.content.type)).toEqual(captured.map((x) => x.cmd.content.type));
    // Broker's clone names its frontend as `who`; ours names its own entity of this attempt.
    const ourPutUnique = native[1];
    expect(ourPutUnique.content).toMatchObject({ type: 'put_unique', who: epochEntity(CLONE, 0), reqId: 1n });
    const theirs = captured[1].cmd;
    expect(hex({ ...ourPutUnique, content: { ...ourPutUnique.content, who: (theirs.content as { who: InternalCommand['sender'] }).who } as InternalCommand['content'] })).toEqual(captured[1].bytes.toString('hex'));
    expect([native[0], ...native.slice(2)].map(hex)).toEqual([captured[0], ...captured.slice(2)].map((x) => x.bytes.toString('hex')));
    // The master's cumulative ACK of the last write settles them all.
    feed(fromMaster.at(-1)!);
    expect(c.pendingWrites).toBe(0);
  });

  test('replays every change of the captured master into the replica, with Broker\'s store events', () => {
    const { c, events, feed } = clone();
    for (const cmd of fromMaster) feed(cmd);
    expect(c.seq).toBe(21);
    const keys = c.query({ op: 'keys' });
    expect(keys.ok && [...(keys.value as Iterable<Data>)].map(dataHex).sort()).toEqual(['counter', 'u'].map(dataHex).sort());
    expect(c.query({ op: 'get', key: 'counter' })).toEqual({ ok: true, value: 2n });
    const master = [MASTER.endpoint, count(BigInt(MASTER.object))];
    expect(events.slice(0, 2)).toEqual([
      ['insert', 's', 'k1', count(1n), null, ...master],
      ['insert', 's', 'k2', 'short-lived', timespan(1_000_000_000n), ...master],
    ]);
    expect(events.filter((e) => e[0] === 'expire')).toEqual([['expire', 's', 'k2', ...master]]);
    // Erased one by one (k1, from-clone) and by the clear (the rest, in the replica's order).
    expect(events.filter((e) => e[0] === 'erase').map((e) => e[2] as string).sort()).toEqual(['from-clone', 'k1', 'k3', 'n', 'set', 'str', 'tbl', 'vec']);
  });

  test('answers a putUnique from the put_unique_result for its own entity, in channel order', () => {
    const { c, answers, feed } = clone();
    feed(fromMaster[0]);
    c.write(W.putUnique('u', 1n, 7));
    const result = (inserted: boolean, seq: bigint): InternalCommand => ({
      seq,
      sender: session.master,
      receiver: fromMaster[1].receiver,
      content: { type: 'put_unique_result', inserted, who: epochEntity(CLONE, 0), reqId: 7n, publisher: session.master },
    });
    // The ACK of the write comes first and carries no answer: the clone waits for the result.
    feed({ seq: 0n, sender: session.master, receiver: epochEntity(CLONE, 0), content: { type: 'cumulative_ack', seq: 2n } });
    expect(c.pendingWrites).toBe(0);
    expect(answers.has(7)).toBe(false);
    feed(result(false, 2n));
    expect(answers.get(7)).toEqual({ ok: true, inserted: false });
    // An answer for someone else answers nothing here.
    c.write(W.putUnique('v', 1n, 8));
    feed({ ...result(true, 3n), content: { type: 'put_unique_result', inserted: true, who: { endpoint: CLONE.endpoint, object: 99n }, reqId: 8n, publisher: session.master } });
    expect(answers.has(8)).toBe(false);
  });

  test('each attempt to join is a fresh entity; an answer for an old attempt is stale', () => {
    const { c, native, feed } = clone();
    feed(fromMaster[0]);
    c.masterLost();
    const rejoin = native.at(-1)!;
    expect(rejoin.content).toEqual({ type: 'nack', seqs: [0n] });
    expect(rejoin.sender).toEqual(epochEntity(CLONE, 1));
    // The old ack_clone (epoch 0) again: ignored.
    feed(fromMaster[0]);
    expect(c.master).toBeNull();
    feed({ ...fromMaster[0], receiver: epochEntity(CLONE, 1) });
    expect(c.master).toEqual(MASTER);
    expect(native.at(-1)).toMatchObject({ sender: epochEntity(CLONE, 1), content: { type: 'cumulative_ack', seq: 1n } });
  });

  test('a snapshot holding 0.0 and -0.0 (two keys of a Broker store) gives the replica both, each with its value', () => {
    const { c, events, feed } = clone();
    const ack = fromMaster[0];
    const state: Array<[Data, Data]> = [[-0.0, 'minus'], ['x', 1n], [[1n, 0.0], 'v0'], [0.0, 'plus'], [[1n, -0.0], 'v1']];
    feed({ ...ack, content: { ...(ack.content as Extract<InternalCommand['content'], { type: 'ack_clone' }>), state } });
    expect(c.master).toEqual(MASTER);
    for (const [k, v] of state) expect(c.query({ op: 'get', key: k })).toEqual({ ok: true, value: v });
    expect(c.query({ op: 'exists', key: -0.0 })).toEqual({ ok: true, value: true });
    expect(events.filter((e) => e[0] === 'insert').map((e) => dataHex(e[2] as Data)).sort()).toEqual(state.map(([k]) => dataHex(k)).sort());
  });

  test('a broker-ts master gets broker-ts messages only, once it answered', () => {
    const { c, native, ours } = clone();
    const tsMaster = { endpoint: 'ts-master', object: 1 };
    c.handle({ type: 'ackClone', store: 's', master: tsMaster, clone: CLONE, offset: 0, epoch: 0, heartbeatInterval: 5, connectionTimeout: 100, snapshot: encodeBinary(new BrokerTable()) });
    c.write(W.put('a', 1n));
    expect(native).toHaveLength(1); // only the first join request
    expect(ours.map((m) => m.type)).toEqual(['nack', 'ack', 'write']);
  });
});
