/**
 * Replays real Broker's bytes, captured by capture/capture-fixtures.ts (see
 * ../fixtures/native/README.md), against the codec, the frame decoder and the handshake
 * state machine. Runs everywhere: no Broker needed.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { address, count, decodeBinary, encodeBinary, enumValue, port, set, subnet, table, timespan, timestamp, zeekEvent } from '@broker-ts/broker';
import { decodeInternalCommand, encodeInternalCommand, type InternalCommand } from '../../src/native/internal-command';
import { encodeHandshakeFrame, encodeOperationFrame } from '../../src/native/native-codec';
import { type NativeDecodeResult, NativeFrameDecoder } from '../../src/native/native-frame-decoder';
import { type HandshakeAction, NativeHandshake } from '../../src/native/native-handshake';
import type { HandshakeMessage, OperationMessage } from '../../src/native/native-message';
import { decodeRoutingUpdate } from '../../src/native/routing-update';
import type { CapturedFixture as Fixture, CapturedSide as Side } from './capture/fixture-format';

const DIR = path.join(__dirname, '..', 'fixtures', 'native');
const fixtures: Fixture[] = fs
  .readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => JSON.parse(fs.readFileSync(path.join(DIR, f), 'utf8')) as Fixture);
for (const [name, why] of [
  ['data-from-broker', 'all-types event published by Broker'],
  ['store-commands', 'store commands'],
] as const) {
  if (!fixtures.some((f) => f.scenario === name)) console.warn(`SKIPPED: replay of ${why}: no ${name}.json (captured only where Broker's Python bindings are built)`);
}
const byName = (name: string): Fixture => {
  const f = fixtures.find((x) => x.scenario === name);
  if (!f) throw new Error(`fixture ${name} missing from ${DIR}`);
  return f;
};

type Decoded = { handshake: HandshakeMessage[]; operations: OperationMessage[]; invalid: NativeDecodeResult[] };

/**
 * Decodes one direction of a capture, fed in chunks of `chunk` bytes. The stream turns
 * to operation messages after the sender's last handshake message: ORIGINATOR_ACK from
 * the originator, RESPONDER_SYN_ACK from the responder.
 */
function decodeStream(frames: string[], chunk: number): Decoded {
  const bytes = Buffer.concat(frames.map((h) => Buffer.from(h, 'hex')));
  const dec = new NativeFrameDecoder();
  const out: Decoded = { handshake: [], operations: [], invalid: [] };
  for (let i = 0; i < bytes.length; i += chunk) {
    dec.push(bytes.subarray(i, i + chunk));
    for (let r = dec.next(); r !== undefined; r = dec.next()) {
      if (r.kind === 'handshake') {
        out.handshake.push(r.message);
        if (r.message.type === 'originator_ack' || r.message.type === 'responder_syn_ack') dec.mode = 'operation';
      } else if (r.kind === 'operation') out.operations.push(r.message);
      else out.invalid.push(r);
    }
  }
  if (out.invalid.length === 0) expect(dec.end()).toBeUndefined();
  return out;
}

/**
 * Runs our handshake machine as one side of a capture: feeds it the other side's frames
 * (through the frame decoder) and returns the frames it sends, as hex.
 */
function replaySide(side: Side, incoming: string[]): { sent: string[]; actions: HandshakeAction[] } {
  const hs = new NativeHandshake({ localId: side.id!, role: side.role, filter: () => side.filter ?? [] });
  const actions: HandshakeAction[] = [...hs.start()];
  const dec = new NativeFrameDecoder();
  for (const frame of incoming) {
    if (!hs.pending) break;
    dec.push(Buffer.from(frame, 'hex'));
    for (let r = dec.next(); r !== undefined && hs.pending; r = dec.next()) {
      if (r.kind === 'handshake') actions.push(...hs.receive(r.message));
      else if (r.kind === 'invalid') actions.push(...hs.reject(r.error));
    }
  }
  const sent = actions.flatMap((a) => (a.type === 'send' ? [encodeHandshakeFrame(a.message).toString('hex')] : []));
  return { sent, actions };
}

/** The handshake frames at the start of a captured direction. */
function handshakeFrames(frames: string[]): string[] {
  const out: string[] = [];
  for (const f of frames) {
    const tag = Buffer.from(f, 'hex')[4];
    out.push(f);
    if (tag === 9 || tag === 11 || tag === 12) break;
  }
  return out;
}

describe('captured Broker traffic', () => {
  it('holds the scenarios the capture script records', () => {
    expect(fixtures.map((f) => f.scenario)).toEqual(
      expect.arrayContaining(['broker-broker-acceptor-originates', 'broker-broker-connector-originates', 'ping-pong-ts-originates', 'ping-pong-broker-originates', 'version-mismatch']),
    );
  });

  describe.each(fixtures.map((f) => [f.scenario, f] as const))('%s', (_, fx) => {
    // A raw side sends what Broker must refuse (it is replayed in its own test below).
    const streams = [fx.connector.kind === 'raw' ? undefined : fx.connectorToAcceptor, fx.acceptor.kind === 'raw' ? undefined : fx.acceptorToConnector].filter(
      (x): x is string[] => x !== undefined,
    );
    it.each([1, 7, 4096])('decodes what Broker and broker-ts sent, fed in chunks of %i bytes, and re-encodes every frame byte for byte', (chunk) => {
      for (const frames of streams) {
        const d = decodeStream(frames, chunk);
        expect(d.invalid).toEqual([]);
        const reencoded = [...d.handshake.map((m) => encodeHandshakeFrame(m)), ...d.operations.map((m) => encodeOperationFrame(m))].map((b) => b.toString('hex'));
        expect(reencoded).toEqual(frames);
      }
    });

    const replayable = (['connector', 'acceptor'] as const).filter((s) => fx[s].id !== undefined && (fx[s].kind === 'broker-node' || fx[s].kind === 'broker-ts'));
    if (replayable.length > 0) {
      it.each(replayable)('our handshake machine, as the %s, sends what was captured from it', (sideName) => {
        const side = fx[sideName];
        const incoming = sideName === 'connector' ? fx.acceptorToConnector : fx.connectorToAcceptor;
        const captured = handshakeFrames(sideName === 'connector' ? fx.connectorToAcceptor : fx.acceptorToConnector);
        const { sent } = replaySide(side, incoming);
        expect(sent).toEqual(captured);
      });
    }
  });

  it('agrees with Broker on who originates: the smaller id, whoever connected', () => {
    for (const name of ['broker-broker-acceptor-originates', 'broker-broker-connector-originates']) {
      const fx = byName(name);
      const orig = fx.connector.id! < fx.acceptor.id! ? 'connector' : 'acceptor';
      const { actions } = replaySide(fx[orig], orig === 'connector' ? fx.acceptorToConnector : fx.connectorToAcceptor);
      expect(actions.find((a) => a.type === 'established')).toMatchObject({ originator: true });
      const toOther = orig === 'connector' ? fx.connectorToAcceptor : fx.acceptorToConnector;
      expect(decodeStream(toOther, 4096).handshake.map((m) => m.type)).toContain('originator_syn');
    }
  });

  it('has Broker answer PING with a PONG echoing the payload, in both roles', () => {
    for (const name of ['ping-pong-ts-originates', 'ping-pong-broker-originates']) {
      const fx = byName(name);
      const fromBroker = decodeStream(fx.acceptorToConnector, 4096);
      const pong = fromBroker.operations.find((m) => m.type === 'pong');
      expect(pong).toMatchObject({ sender: fx.acceptor.id, receiver: fx.connector.id, topic: '<$>', ttl: 16 });
      expect(Buffer.from(pong!.payload).toString()).toBe('foo');
    }
  });

  it('has Broker refuse versions 200..201 with PROBE then DROP_CONN peer_incompatible', () => {
    const fx = byName('version-mismatch');
    const fromBroker = decodeStream(fx.acceptorToConnector, 4096).handshake;
    expect(fromBroker.map((m) => m.type)).toEqual(['probe', 'drop_conn']);
    expect(fromBroker[1]).toMatchObject({ code: 2, description: 'unsupported versions offered', senderId: fx.acceptor.id });
    // Our decoder refuses the raw peer's HELLO with the same code and description.
    const ours = decodeStream(fx.connectorToAcceptor, 4096).invalid;
    expect(ours).toHaveLength(1);
    expect(ours[0]).toMatchObject({ kind: 'invalid', fatal: true, error: { code: 'peer_incompatible', message: 'unsupported versions offered' } });
  });

  const dataFixture = fixtures.find((f) => f.scenario === 'data-from-broker');
  it('decodes the Zeek event with all 15 types that Broker published, and re-encodes it byte for byte', () => {
    expect(dataFixture).toBeDefined();
    const ops = decodeStream(dataFixture!.connectorToAcceptor, 4096).operations;
    const data = ops.filter((m) => m.type === 'data');
    expect(data).toHaveLength(1);
    const value = decodeBinary(data[0].payload);
    expect(value).toEqual(
      zeekEvent('all_types', [
        null, true, count(42n), -7n, 2.5, 'text', address('192.168.1.1'), subnet('2001:db8::/32'), port(443, 'tcp'),
        timestamp(1_704_164_645_500_000_000n), timespan(1_000_500_000n), enumValue('Foo::BAR'), set([count(1n), count(2n)]),
        table([['j', count(2n)], ['k', count(1n)]]), [1n, 'x', [2, null]],
      ]),
    );
    expect(Buffer.from(encodeBinary(value))).toEqual(Buffer.from(data[0].payload));
    const update = ops.find((m) => m.type === 'routing_update');
    expect(update?.topic).toBe('<$>');
    expect(decodeRoutingUpdate(update!.payload)).toContain('/late');
  });

  const storeFixture = fixtures.find((f) => f.scenario === 'store-commands');
  it('decodes every store command Broker sent on the channel and re-encodes it byte for byte', () => {
    expect(storeFixture).toBeDefined();
    const commands: InternalCommand[] = [];
    for (const frames of [storeFixture!.connectorToAcceptor, storeFixture!.acceptorToConnector]) {
      for (const m of decodeStream(frames, 4096).operations.filter((x) => x.type === 'command')) {
        const cmd = decodeInternalCommand(m.payload);
        expect(encodeInternalCommand(cmd)).toEqual(Buffer.from(m.payload));
        expect(m.topic).toMatch(/^s\/<\$>\/data\/(master|clone)$/);
        commands.push(cmd);
      }
    }
    const types = new Set(commands.map((c) => c.content.type));
    for (const t of ['put', 'put_unique', 'put_unique_result', 'erase', 'expire', 'add', 'subtract', 'clear', 'attach_writer', 'ack_clone', 'cumulative_ack'] as const) {
      expect([t, types.has(t)]).toEqual([t, true]);
    }
  });
});
