/**
 * Helpers of the native-protocol tests: a listening socket that accepts native
 * connections, and waiting for a connection's outcome. Every wait is for an event.
 */
import { once } from 'node:events';
import * as net from 'node:net';
import { BrokerError } from '@broker-ts/broker';
import { NativeConnection, type NativeConnectionOptions, type NativePeerInfo } from '../../src/native/native-connection';
import { nativeTransport, type NativeTransportSettings } from '../../src/native/tls-options';

/** A server accepting native connections on an ephemeral port of 127.0.0.1. */
export interface NativeListener {
  port: number;
  /** Accepted connections, in order. */
  accepted: NativeConnection[];
  /** Resolves with the next accepted connection. */
  next(): Promise<NativeConnection>;
  /** Stops listening and closes the accepted connections. */
  close(): Promise<void>;
}

/** Options of the connection helpers, with the transport given as endpoint settings. */
export type TestConnectionOptions = Omit<NativeConnectionOptions, 'transport' | 'filter'> & { filter?: string[]; settings?: NativeTransportSettings };

function resolve(options: TestConnectionOptions): NativeConnectionOptions {
  const { settings, filter, ...rest } = options;
  return { ...rest, filter: () => filter ?? [], transport: nativeTransport(settings ?? { disableSsl: true }) };
}

/** Listens and accepts native connections with `options`. */
export async function listenNative(options: TestConnectionOptions): Promise<NativeListener> {
  const opts = resolve(options);
  const accepted: NativeConnection[] = [];
  const waiters: Array<(c: NativeConnection) => void> = [];
  const server = net.createServer((socket) => {
    const conn = NativeConnection.accept(socket, opts);
    accepted.push(conn);
    waiters.shift()?.(conn);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as net.AddressInfo).port;
  let served = 0;
  return {
    port,
    accepted,
    next: () => {
      const i = served++;
      if (accepted[i]) return Promise.resolve(accepted[i]);
      return new Promise((r) => waiters.push(r));
    },
    close: async () => {
      for (const c of accepted) c.close();
      await Promise.all(accepted.filter((c) => c.state !== 'closed' && c.state !== 'handed-over').map((c) => once(c, 'close')));
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** Connects with `options`. */
export function connectNative(port: number, options: TestConnectionOptions, host = '127.0.0.1'): NativeConnection {
  return NativeConnection.connect(host, port, resolve(options));
}

/** The outcome of a connection: established (with the peer) or closed (with the reason). */
export type Outcome = { ok: true; peer: NativePeerInfo } | { ok: false; error: BrokerError | undefined };

/** Waits until `conn` is established or closed. */
export function outcome(conn: NativeConnection): Promise<Outcome> {
  if (conn.state === 'established') return Promise.resolve({ ok: true, peer: conn.peer! });
  if (conn.state === 'closed') return Promise.resolve({ ok: false, error: undefined });
  return new Promise((r) => {
    conn.once('established', (peer) => r({ ok: true, peer }));
    conn.once('close', (error) => r({ ok: false, error }));
  });
}

/** Closes `conn` and waits for its `close` event. */
export async function closeNative(conn: NativeConnection): Promise<void> {
  if (conn.state === 'closed') return;
  const closed = once(conn, 'close');
  conn.close();
  await closed;
}

/** Reads frames from a raw socket: resolves with the next `n` bytes. */
export class RawReader {
  private buf = Buffer.alloc(0);
  private wake: (() => void) | undefined;
  private ended = false;

  constructor(socket: net.Socket) {
    socket.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.wake?.();
    });
    socket.on('close', () => {
      this.ended = true;
      this.wake?.();
    });
  }

  /** Resolves with exactly `n` bytes, or rejects when the socket closed first. */
  async read(n: number): Promise<Buffer> {
    while (this.buf.length < n) {
      if (this.ended) throw new BrokerError('end_of_file', `socket closed with ${this.buf.length} of ${n} bytes`);
      await new Promise<void>((r) => (this.wake = r));
    }
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    return out;
  }

  /** Resolves with the next frame body. */
  async frame(): Promise<Buffer> {
    const len = (await this.read(4)).readUInt32BE(0);
    return this.read(len);
  }

  /** Resolves once the socket has closed. */
  async closed(): Promise<void> {
    while (!this.ended) await new Promise<void>((r) => (this.wake = r));
  }
}
