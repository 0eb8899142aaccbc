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

/*
 * adopt: a protocol that starts on its own socket hands the connection to the runtime.
 * Each side first exchanges a line of its own protocol; the bytes that follow it in the
 * same chunk (the runtime's handshake, sent at once by the initiator) are put back into
 * the socket, and the runtime continues on the same TCP connection.
 */
describe('adopt', () => {
  /** Reads the first line from a socket, then pauses it and puts the rest back. */
  function readLine(socket: import('node:net').Socket): Promise<string> {
    return new Promise((resolve) => {
      let seen = Buffer.alloc(0);
      const onData = (chunk: Buffer): void => {
        seen = Buffer.concat([seen, chunk]);
        const end = seen.indexOf(0x0a);
        if (end < 0) return;
        socket.pause();
        socket.off('data', onData);
        const rest = seen.subarray(end + 1);
        if (rest.length > 0) socket.unshift(rest);
        resolve(seen.subarray(0, end).toString());
      };
      socket.on('data', onData);
    });
  }

  test('both sides continue a connection opened by another protocol, with the bytes that followed it', async () => {
    const { createServer } = await import('node:net');
    server.spawn(() => ({ add: (m) => (m.x as number) + (m.y as number) }), { name: 'adder', remote: ['add'] });
    const listener = createServer();
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    const accepted = new Promise<string>((resolve, reject) => {
      listener.once('connection', (socket) => {
        listener.close();
        void readLine(socket).then((line) => {
          expect(line).toBe('hello from the client');
          socket.write('hello from the server\n');
          TcpNetwork.of(server).adopt(socket, 'acceptor').then(resolve, reject);
        });
      });
    });
    const socket = createConnection({ host: '127.0.0.1', port: (listener.address() as { port: number }).port });
    socket.write('hello from the client\n');
    expect(await readLine(socket)).toBe('hello from the server');
    const node = await TcpNetwork.of(client).adopt(socket, 'initiator');
    expect(node).toBe(server.nodeId);
    await expect(accepted).resolves.toBe(client.nodeId);
    const adder = await client.lookup(node, 'adder');
    await expect(client.request(adder!, { type: 'add', x: 2, y: 40 }, { timeout: 10_000 })).resolves.toBe(42);
    expect(TcpNetwork.of(client).nodes).toEqual([server.nodeId]);
    expect(refusals).toEqual([]);
  });

  test('a failed handshake on an adopted socket rejects the adopter and is no refused inbound connection', async () => {
    const { createServer } = await import('node:net');
    const failed = new Promise<unknown>((resolve) => {
      const listener = createServer((socket) => {
        listener.close();
        TcpNetwork.of(server).adopt(socket, 'acceptor').then(resolve, resolve);
      });
      listener.listen(0, '127.0.0.1', () => {
        const socket = createConnection({ host: '127.0.0.1', port: (listener.address() as { port: number }).port }, () => socket.write('GET / HTTP/1.1\r\n\r\n'));
        socket.on('error', () => {});
        socket.on('data', () => {});
      });
    });
    const error = await failed;
    expect(error).toMatchObject({ reason: 'bad_magic' });
    expect(refusals).toEqual([]);
  });
});
