import { BrokerError } from '@broker-ts/data';
import { decodeHandshakeBody, encodeHandshakeFrame } from './native-codec';
import { type HandshakeAction, NativeHandshake } from './native-handshake';
import { type HandshakeMessage, NATIVE_MAGIC } from './native-message';

const SMALL = '00000000-0000-4000-8000-000000000000';
const LARGE = 'ffffffff-ffff-4fff-bfff-ffffffffffff';

const sent = (actions: HandshakeAction[]): HandshakeMessage[] => actions.flatMap((a) => (a.type === 'send' ? [a.message] : []));
const wire = (m: HandshakeMessage): HandshakeMessage => decodeHandshakeBody(encodeHandshakeFrame(m).subarray(4));

/** Runs two machines against each other through the codec until both are quiet. */
function run(connector: NativeHandshake, acceptor: NativeHandshake): { a: HandshakeAction[]; b: HandshakeAction[]; order: string[] } {
  const log = { a: [] as HandshakeAction[], b: [] as HandshakeAction[], order: [] as string[] };
  const queues: [HandshakeMessage[], HandshakeMessage[]] = [[], []]; // to connector, to acceptor
  const apply = (from: 0 | 1, actions: HandshakeAction[]): void => {
    (from === 0 ? log.a : log.b).push(...actions);
    for (const m of sent(actions)) {
      log.order.push(`${from === 0 ? 'C' : 'A'}:${m.type}`);
      queues[from === 0 ? 1 : 0].push(wire(m));
    }
  };
  apply(1, acceptor.start());
  apply(0, connector.start());
  for (let guard = 0; guard < 100 && (queues[0].length || queues[1].length); guard++) {
    const toA = queues[1].shift();
    if (toA) apply(1, acceptor.receive(toA));
    const toC = queues[0].shift();
    if (toC) apply(0, connector.receive(toC));
  }
  return log;
}

describe('NativeHandshake', () => {
  it.each([
    ['the connector has the smaller id', SMALL, LARGE],
    ['the connector has the larger id', LARGE, SMALL],
  ])('completes when %s, the smaller id becoming the originator', (_, cId, aId) => {
    const c = new NativeHandshake({ localId: cId, role: 'connector', filter: () => ['/c'] });
    const a = new NativeHandshake({ localId: aId, role: 'acceptor', filter: () => ['/a'] });
    const log = run(c, a);
    const cDone = log.a.find((x) => x.type === 'established');
    const aDone = log.b.find((x) => x.type === 'established');
    expect(cDone).toEqual({ type: 'established', remoteId: aId, remoteFilter: ['/a'], originator: cId === SMALL });
    expect(aDone).toEqual({ type: 'established', remoteId: cId, remoteFilter: ['/c'], originator: aId === SMALL });
    expect(c.state).toBe('established');
    expect(a.state).toBe('established');
  });

  it('as originator after a HELLO from a larger id, answers VERSION_SELECT and ORIGINATOR_SYN (Broker\'s acceptor side)', () => {
    const a = new NativeHandshake({ localId: SMALL, role: 'acceptor', filter: () => ['/test'] });
    expect(sent(a.start())).toEqual([{ type: 'probe', magic: NATIVE_MAGIC }]);
    const out = sent(a.receive({ type: 'hello', magic: NATIVE_MAGIC, senderId: LARGE, minVersion: 1, maxVersion: 99 }));
    expect(out).toEqual([
      { type: 'version_select', magic: NATIVE_MAGIC, senderId: SMALL, selectedVersion: 1 },
      { type: 'originator_syn', filter: ['/test'] },
    ]);
    const end = a.receive({ type: 'responder_syn_ack', filter: ['/foo/bar'] });
    expect(end).toEqual([
      { type: 'send', message: { type: 'originator_ack' } },
      { type: 'established', remoteId: LARGE, remoteFilter: ['/foo/bar'], originator: true },
    ]);
  });

  it('as responder after a HELLO from a smaller id, answers with its own HELLO and waits for VERSION_SELECT', () => {
    const a = new NativeHandshake({ localId: LARGE, role: 'acceptor', filter: () => ['/test'] });
    a.start();
    expect(sent(a.receive({ type: 'hello', magic: NATIVE_MAGIC, senderId: SMALL, minVersion: 1, maxVersion: 99 }))).toEqual([
      { type: 'hello', magic: NATIVE_MAGIC, senderId: LARGE, minVersion: 1, maxVersion: 1 },
    ]);
    expect(a.receive({ type: 'version_select', magic: NATIVE_MAGIC, senderId: SMALL, selectedVersion: 1 })).toEqual([]);
    expect(sent(a.receive({ type: 'originator_syn', filter: ['/foo/bar'] }))).toEqual([{ type: 'responder_syn_ack', filter: ['/test'] }]);
    expect(a.receive({ type: 'originator_ack' })).toEqual([{ type: 'established', remoteId: SMALL, remoteFilter: ['/foo/bar'], originator: false }]);
  });

  it('ignores PROBE while waiting for HELLO or VERSION_SELECT', () => {
    const c = new NativeHandshake({ localId: LARGE, role: 'connector', filter: () => [] });
    c.start();
    expect(c.receive({ type: 'probe', magic: NATIVE_MAGIC })).toEqual([]);
    expect(c.state).toBe('await_hello_or_version_select');
  });

  it('answers an undecodable frame with DROP_CONN carrying the decoder\'s code, then closes', () => {
    const a = new NativeHandshake({ localId: SMALL, role: 'acceptor', filter: () => [] });
    a.start();
    const error = new BrokerError('peer_incompatible', 'unsupported versions offered');
    const out = a.reject(error);
    expect(out).toEqual([
      { type: 'send', message: { type: 'drop_conn', magic: NATIVE_MAGIC, senderId: SMALL, code: 2, description: 'unsupported versions offered' } },
      { type: 'close', error },
    ]);
    expect(a.state).toBe('failed');
    expect(a.reject(error)).toEqual([]);
  });

  it('closes without DROP_CONN on a message out of order', () => {
    const a = new NativeHandshake({ localId: SMALL, role: 'acceptor', filter: () => [] });
    a.start();
    const out = a.receive({ type: 'originator_ack' });
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ type: 'close', error: { code: 'unexpected_handshake_message' } });
  });

  it('fails with the peer\'s code when it receives DROP_CONN', () => {
    const c = new NativeHandshake({ localId: SMALL, role: 'connector', filter: () => [] });
    c.start();
    const out = c.receive({ type: 'drop_conn', magic: NATIVE_MAGIC, senderId: LARGE, code: 39, description: 'redundant connection' });
    expect(out[0]).toMatchObject({ type: 'close', error: { code: 'redundant_connection', message: 'redundant connection' } });
  });

  it('refuses with DROP_CONN when admission fails', () => {
    const a = new NativeHandshake({
      localId: SMALL,
      role: 'acceptor',
      filter: () => [],
      admit: (id) => new BrokerError('redundant_connection', `already peered with ${id}`),
    });
    a.start();
    const out = a.receive({ type: 'hello', magic: NATIVE_MAGIC, senderId: LARGE, minVersion: 1, maxVersion: 1 });
    expect(sent(out)[0]).toMatchObject({ type: 'drop_conn', code: 39 });
    expect(out[1]).toMatchObject({ type: 'close', error: { code: 'redundant_connection' } });
  });

  it('refuses a peer that claims this endpoint\'s own id', () => {
    const a = new NativeHandshake({ localId: SMALL, role: 'acceptor', filter: () => [] });
    a.start();
    const out = a.receive({ type: 'hello', magic: NATIVE_MAGIC, senderId: SMALL, minVersion: 1, maxVersion: 1 });
    expect(sent(out)[0]).toMatchObject({ type: 'drop_conn', code: 3 });
  });

  it('takes timeouts and the end of the stream as inputs', () => {
    const a = new NativeHandshake({ localId: SMALL, role: 'acceptor', filter: () => [] });
    a.start();
    expect(a.timeout()[0]).toMatchObject({ type: 'close', error: { code: 'peer_timeout' } });
    const b = new NativeHandshake({ localId: SMALL, role: 'acceptor', filter: () => [] });
    b.start();
    expect(b.closed()[0]).toMatchObject({ type: 'close', error: { code: 'peer_disconnect_during_handshake' } });
    expect(b.timeout()).toEqual([]);
  });
});
