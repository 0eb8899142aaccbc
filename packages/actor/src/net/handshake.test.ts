import { FrameDecoder } from './frame-decoder';
import { FrameEncoder } from './frame-encoder';
import { Handshake, type AdmitFn, type HandshakeRole, type HandshakeStep } from './handshake';
import { NetError } from './net-error';
import { decodeMessage, encodeMessage, encodePreamble, HANDSHAKE_MAX_FRAME_SIZE, MAGIC, PREAMBLE_SIZE, type VersionRange } from './protocol';

/** One end of a connection: a handshake behind a real frame decoder and encoder. */
class End {
  readonly handshake: Handshake;
  readonly decoder: FrameDecoder;
  readonly encoder = new FrameEncoder({ maxFrameSize: HANDSHAKE_MAX_FRAME_SIZE });
  established?: { node: string; version: number };
  failed?: NetError;

  constructor(role: HandshakeRole, node: string, versions: VersionRange = { min: 1, max: 1 }, admit: AdmitFn = () => undefined, secret?: string) {
    this.handshake = new Handshake({ role, localNode: node, versions, admit, maxFrameSize: 1 << 20, secret: secret === undefined ? undefined : Buffer.from(secret) });
    this.decoder = new FrameDecoder(
      {
        onPreamble: (p) => this.apply(this.handshake.onPreamble(p)),
        onFrame: (f) => this.apply(this.handshake.onMessage(decodeMessage(f))),
      },
      { maxFrameSize: HANDSHAKE_MAX_FRAME_SIZE, preamble: { magic: MAGIC, size: PREAMBLE_SIZE } },
    );
  }

  apply(step: HandshakeStep): void {
    for (const out of step.send) {
      if ('preamble' in out) this.encoder.writeRaw(encodePreamble(out.preamble));
      else this.encoder.writeKindFrame(...encodeMessage(out));
    }
    if (step.established) this.established = step.established;
    if (step.failed) {
      this.failed = step.failed;
      this.decoder.stop();
    }
  }
}

/** Starts both ends and shuttles bytes until neither has anything to say. */
function run(initiator: End, acceptor: End): void {
  initiator.apply(initiator.handshake.start());
  acceptor.apply(acceptor.handshake.start());
  for (let i = 0; i < 10; i++) {
    acceptor.decoder.push(initiator.encoder.take());
    initiator.decoder.push(acceptor.encoder.take());
  }
}

describe('Handshake', () => {
  test('two nodes complete the handshake and learn each other’s id and the version', () => {
    const a = new End('initiator', 'node-a');
    const b = new End('acceptor', 'node-b');
    run(a, b);
    expect(a.established).toEqual({ node: 'node-b', version: 1, peerMaxFrameSize: 1 << 20 });
    expect(b.established).toEqual({ node: 'node-a', version: 1, peerMaxFrameSize: 1 << 20 });
    expect(a.handshake.isEstablished && b.handshake.isEstablished).toBe(true);
  });

  test('the newest version both sides speak is chosen', () => {
    const a = new End('initiator', 'a', { min: 1, max: 4 });
    const b = new End('acceptor', 'b', { min: 2, max: 3 });
    run(a, b);
    expect(a.established?.version).toBe(3);
    expect(b.established?.version).toBe(3);
  });

  test('disjoint version ranges are refused as unsupported_version on both ends', () => {
    const a = new End('initiator', 'a', { min: 1, max: 1 });
    const b = new End('acceptor', 'b', { min: 2, max: 2 });
    run(a, b);
    expect(b.failed?.reason).toBe('unsupported_version');
    expect(a.failed?.reason).toBe('unsupported_version');
    expect(a.established ?? b.established).toBeUndefined();
  });

  test('a node connecting to itself is refused as self_connection', () => {
    const a = new End('initiator', 'same');
    const b = new End('acceptor', 'same');
    run(a, b);
    expect(b.failed?.reason).toBe('self_connection');
    expect(a.failed?.reason).toBe('self_connection');
  });

  test('an acceptor refusal reaches the initiator with the reason and the acceptor’s id', () => {
    const a = new End('initiator', 'a');
    const b = new End('acceptor', 'b', undefined, () => new NetError('duplicate_connection', 'already connected'));
    run(a, b);
    expect(a.failed?.reason).toBe('duplicate_connection');
    expect(a.handshake.remoteNode).toBe('b');
  });

  test('an initiator refusal on WELCOME reaches the acceptor, which never counts as established', () => {
    const seen: string[] = [];
    const a = new End('initiator', 'a', undefined, (node) => (seen.push(node), new NetError('duplicate_connection', 'mine wins')));
    const b = new End('acceptor', 'b');
    run(a, b);
    expect(seen).toEqual(['b']);
    expect(a.failed?.reason).toBe('duplicate_connection');
    expect(b.failed?.reason).toBe('duplicate_connection');
    expect(b.established).toBeUndefined();
  });

  test('the acceptor asks for admission with the id from HELLO', () => {
    const seen: string[] = [];
    const a = new End('initiator', 'a');
    const b = new End('acceptor', 'b', undefined, (node) => (seen.push(node), undefined));
    run(a, b);
    expect(seen).toEqual(['a']);
  });

  test('a message out of order is malformed_message', () => {
    const b = new Handshake({ role: 'acceptor', localNode: 'b', versions: { min: 1, max: 1 }, admit: () => undefined, maxFrameSize: 1 << 20 });
    b.start();
    b.onPreamble(encodePreamble({ min: 1, max: 1 }));
    const step = b.onMessage({ kind: 'ready' });
    expect(step.failed?.reason).toBe('malformed_message');
    expect(step.send.map((m) => ('kind' in m ? m.kind : 'preamble'))).toEqual(['preamble', 'reject']);
  });

  test('a second preamble is malformed_message', () => {
    const b = new Handshake({ role: 'acceptor', localNode: 'b', versions: { min: 1, max: 1 }, admit: () => undefined, maxFrameSize: 1 << 20 });
    b.start();
    b.onPreamble(encodePreamble({ min: 1, max: 1 }));
    expect(b.onPreamble(encodePreamble({ min: 1, max: 1 })).failed?.reason).toBe('malformed_message');
  });

  test('abort sends a reject after the preamble the acceptor owes, and only once', () => {
    const b = new Handshake({ role: 'acceptor', localNode: 'b', versions: { min: 1, max: 1 }, admit: () => undefined, maxFrameSize: 1 << 20 });
    b.start();
    const step = b.abort(new NetError('handshake_timeout', 'silent'));
    expect(step.failed?.reason).toBe('handshake_timeout');
    expect(step.send).toHaveLength(2);
    expect(b.abort(new NetError('shutdown', 'x')).send).toEqual([]);
  });

  test('a message after the handshake ended is not the handshake’s business', () => {
    const a = new End('initiator', 'a');
    const b = new End('acceptor', 'b');
    run(a, b);
    expect(a.handshake.onMessage({ kind: 'heartbeat' }).failed?.reason).toBe('malformed_message');
  });
});

describe('Handshake with a shared secret', () => {
  const withSecret = (role: HandshakeRole, node: string, secret?: string): End => new End(role, node, undefined, undefined, secret);

  test('two nodes with the same secret prove it to each other and connect', () => {
    const a = withSecret('initiator', 'a', 'cookie');
    const b = withSecret('acceptor', 'b', 'cookie');
    run(a, b);
    expect(a.established?.node).toBe('b');
    expect(b.established?.node).toBe('a');
  });

  test.each([
    ['different secrets', 'cookie', 'biscuit'],
    ['an initiator without a secret', undefined, 'cookie'],
    ['an acceptor without a secret', 'cookie', undefined],
  ])('%s are refused with authentication_failed on both ends', (_what, initiatorSecret, acceptorSecret) => {
    const a = withSecret('initiator', 'a', initiatorSecret);
    const b = withSecret('acceptor', 'b', acceptorSecret);
    run(a, b);
    expect(a.established).toBeUndefined();
    expect(b.established).toBeUndefined();
    expect(a.failed?.reason).toBe('authentication_failed');
    expect(b.failed?.reason).toBe('authentication_failed');
  });

  test('the secret never appears in the bytes exchanged', () => {
    const a = withSecret('initiator', 'a', 'super-secret-cookie');
    const b = withSecret('acceptor', 'b', 'super-secret-cookie');
    const seen: Buffer[] = [];
    a.apply(a.handshake.start());
    b.apply(b.handshake.start());
    for (let i = 0; i < 10; i++) {
      const ab = a.encoder.take();
      const ba = b.encoder.take();
      seen.push(Buffer.from(ab), Buffer.from(ba));
      b.decoder.push(ab);
      a.decoder.push(ba);
    }
    expect(a.established && b.established).toBeTruthy();
    expect(Buffer.concat(seen).includes('super-secret-cookie')).toBe(false);
  });
});
