import { createConnection } from 'node:net';
import pino from 'pino';
import { ActorSystem } from '../actor-system';
import { type InboundRefusal, TcpNetwork } from './tcp-network';

/*
 * What TcpNetwork tells the layer above about connections (the rest of TcpNetwork is
 * tested in test/net/tcp-network.test.ts): onInboundRefused reports each inbound
 * connection closed before its handshake completed, with the reason, and nothing for good
 * connections, races or the node's own shutdown; remoteAddress names a connected peer.
 */

let server: ActorSystem;
let client: ActorSystem;
let port: number;
let refusals: InboundRefusal[];
let waiters: Array<() => void>;

beforeEach(async () => {
  const logger = pino({ level: 'silent' });
  server = new ActorSystem({ name: 'server', logger });
  client = new ActorSystem({ name: 'client', logger });
  refusals = [];
  waiters = [];
  TcpNetwork.of(server, { liveness: { handshakeTimeout: 200 } }).onInboundRefused((r) => {
    refusals.push(r);
    for (const w of waiters.splice(0)) w();
  });
  port = (await TcpNetwork.of(server).listen()).port;
});

afterEach(() => Promise.all([server.shutdown(), client.shutdown()]));

function nextRefusal(): Promise<InboundRefusal> {
  const seen = refusals.length;
  return new Promise((resolve) => {
    const check = (): void => {
      if (refusals.length > seen) resolve(refusals[seen]);
      else waiters.push(check);
    };
    check();
  });
}

/** Writes bytes from a raw socket and resolves once the server closed it. */
function rawPeer(bytes: Buffer | undefined): Promise<void> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port }, () => {
      if (bytes !== undefined) socket.write(bytes);
    });
    socket.on('data', () => {});
    socket.on('error', () => {});
    socket.on('close', () => resolve());
  });
}

test.each([
  ['an HTTP request', Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'), 'bad_magic'],
  ['garbage', Buffer.from([0x13, 0x37, 0xde, 0xad, 0xbe, 0xef, 0, 1]), 'bad_magic'],
  ['silence', undefined, 'handshake_timeout'],
])('%s on the listening port is reported as %s with the remote address', async (_what, bytes, reason) => {
  const refusal = nextRefusal();
  await rawPeer(bytes);
  const r = await refusal;
  expect(r.error.reason).toBe(reason);
  expect(r.address).toMatch(/^127\.0\.0\.1:\d+$/);
});

test('an unsupported version from a real node is reported as unsupported_version', async () => {
  const old = new ActorSystem({ name: 'old', logger: pino({ level: 'silent' }) });
  try {
    const refusal = nextRefusal();
    await expect(TcpNetwork.of(old, { versions: { min: 90, max: 91 } }).connect('127.0.0.1', port)).rejects.toMatchObject({ name: 'NetError' });
    expect((await refusal).error.reason).toBe('unsupported_version');
  } finally {
    await old.shutdown();
  }
});

test('a good connection and the node shutdown report nothing; a removed listener hears nothing', async () => {
  const other: InboundRefusal[] = [];
  const remove = TcpNetwork.of(server).onInboundRefused((r) => other.push(r));
  remove();
  await TcpNetwork.of(client).connect('127.0.0.1', port);
  const refusal = nextRefusal();
  await rawPeer(Buffer.from('GET /'));
  await refusal;
  expect(refusals).toHaveLength(1);
  expect(other).toEqual([]);
  await server.shutdown();
  expect(refusals).toHaveLength(1);
});

test('remoteAddress names the connected peer: its ephemeral port on the accepting side', async () => {
  await TcpNetwork.of(client).connect('127.0.0.1', port);
  // The dialer is up first; the acceptor completes its side of the handshake just after.
  while (!TcpNetwork.of(server).nodes.includes(client.nodeId)) await new Promise((r) => setImmediate(r));
  const atServer = TcpNetwork.of(server).remoteAddress(client.nodeId);
  expect(atServer).toMatch(/^127\.0\.0\.1:\d+$/);
  expect(atServer).not.toBe(`127.0.0.1:${port}`);
  expect(TcpNetwork.of(client).remoteAddress(server.nodeId)).toBe(`127.0.0.1:${port}`);
  expect(TcpNetwork.of(server).remoteAddress('no-such-node')).toBeUndefined();
});
