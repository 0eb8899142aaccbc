import { createConnection, createServer, type Server, type Socket } from 'node:net';
import type { Logger } from 'pino';
import { DEFAULT_LIVENESS, type LivenessOptions } from './liveness';
import { NetError } from './net-error';
import { PeerTable } from './peer-table';
import { DEFAULT_MAX_FRAME_SIZE, PROTOCOL_VERSION, type VersionRange } from './protocol';
import { TcpConnection, type NetClock, type TcpConnectionHandler } from './tcp-connection';

/** Tunables of a {@link TcpTransport}; every field has a default. */
export interface TcpTransportLimits {
  /** Largest frame payload in bytes, both directions (default 16 MiB). */
  maxFrameSize?: number;
  /**
   * Bound of each connection's outbound queue in bytes (default 64 MiB); a peer that lets
   * it fill is disconnected with `outbound_overflow`.
   */
  maxOutboundBytes?: number;
  /**
   * Inbound connections allowed to be in their handshake at once (default 64). A new
   * connection beyond it evicts the oldest pending one (`resource_exhausted`): connections
   * that never finish their handshake cannot lock legitimate peers out, each is bounded by
   * the handshake timeout, and a real handshake takes milliseconds.
   */
  maxPendingHandshakes?: number;
  /**
   * Bound of the bytes held in partial frames over every connection (default 64 MiB, at
   * least `maxFrameSize`). Beyond it, the connection whose partial frame started first is
   * closed with `resource_exhausted`: peers that trickle huge frames cannot pin memory
   * without bound.
   */
  maxPartialFrameBytes?: number;
  /** Handshake timeout and heartbeat timing (defaults: {@link DEFAULT_LIVENESS}). */
  liveness?: Partial<LivenessOptions>;
  /**
   * A secret shared by the nodes allowed to connect (default none). With one, both ends
   * of every connection prove they know it in the handshake (challenge and response,
   * HMAC-SHA256; it never crosses the wire) and a peer without it is refused with
   * `authentication_failed`. Connections are not encrypted: use it on networks where
   * eavesdropping is not the threat, or inside a tunnel.
   */
  secret?: string | Uint8Array;
  /** Protocol versions spoken (default {@link PROTOCOL_VERSION}); tests use it to simulate other versions. */
  versions?: VersionRange;
}

/** Construction options of a {@link TcpTransport}. */
export interface TcpTransportOptions extends TcpTransportLimits {
  /** This node's id. */
  localNode: string;
  /** Time source for handshake timeouts and heartbeats. */
  clock: NetClock;
  /** Logger; the transport logs with `component: 'network'`. */
  logger: Logger;
}

/** What the transport reports to the runtime. Called outside any actor turn. */
export interface TcpTransportEvents {
  /**
   * A node is now reachable through `conn` (its one established connection).
   * @throws NetError to refuse the node after all (e.g. already reachable another way): the connection is closed with it
   */
  nodeUp(node: string, conn: TcpConnection): void;
  /** A node is no longer reachable (connection closed, peer dead, shutdown). */
  nodeDown(node: string, error: NetError): void;
  /**
   * One encoded envelope arrived from `node`.
   * @throws NetError `malformed_message` when the body cannot be decoded: the peer is disconnected
   */
  deliver(node: string, body: Buffer): void;
  /**
   * An inbound connection was closed before its handshake completed, for a reason other
   * than this node's shutdown or a duplicate-connection race: it spoke another protocol
   * (`bad_magic`), an unsupported version, malformed or oversized frames, timed out, or
   * hung up. Lets the layer above report refused peers (the transport only logs them).
   * @param address - the remote `ip:port`
   * @param error - why it was closed
   */
  inboundRefused?(address: string, error: NetError): void;
}

/** Address a listener is bound to. */
export interface BoundAddress {
  /** Host or IP bound. */
  host: string;
  /** Port bound (the one picked when 0 was asked). */
  port: number;
}

/** A dial waiting for its handshake. */
interface PendingDial {
  resolve(node: string): void;
  reject(error: NetError): void;
}

/**
 * All TCP connections of one node: listeners, dials, one established connection per
 * remote node (see `PeerTable`), and the routing of encoded envelopes to them.
 * Knows nothing of actors: it moves opaque envelope bytes between node ids.
 */
export class TcpTransport {
  private readonly log: Logger;
  private readonly table: PeerTable<TcpConnection>;
  /** Established connection per node: the send path. */
  private readonly links = new Map<string, TcpConnection>();
  /** Every live connection, established or not. */
  private readonly connections = new Set<TcpConnection>();
  /** Sockets dialled but not yet connected. */
  private readonly dialling = new Set<Socket>();
  /** Listening servers. */
  private readonly servers = new Set<Server>();
  /** Dials per connection, resolved with the node id. */
  private readonly dials = new Map<TcpConnection, PendingDial>();
  /** Dials that lost a duplicate race, waiting for the winning connection to that node. */
  private readonly waiting = new Map<string, PendingDial[]>();
  /** Inbound connections still in their handshake, oldest first. */
  private readonly pendingInbound = new Set<TcpConnection>();
  /** Connections holding a partial frame, in the order their partial frames started. */
  private readonly partial = new Map<TcpConnection, number>();
  /** Sum of the bytes in {@link partial}. */
  private partialBytes = 0;
  private readonly maxPartialBytes: number;
  private readonly secret: Uint8Array | undefined;
  private closing = false;
  private readonly liveness: LivenessOptions;
  private readonly handler: TcpConnectionHandler;

  /**
   * @param options - identity, clock, logger and limits
   * @param events - receives node up/down and envelope bytes
   */
  constructor(
    private readonly options: TcpTransportOptions,
    private readonly events: TcpTransportEvents,
  ) {
    this.log = options.logger.child({ component: 'network' });
    this.table = new PeerTable(options.localNode);
    this.liveness = { ...DEFAULT_LIVENESS, ...options.liveness };
    this.handler = {
      admit: (conn, node) => this.admit(conn, node),
      established: (conn) => this.onEstablished(conn),
      deliver: (conn, body) => this.events.deliver(conn.remoteNode!, body),
      closed: (conn, error) => this.onClosed(conn, error),
      pinned: (conn, delta) => this.onPinned(conn, delta),
    };
    const secret = options.secret;
    if (secret !== undefined && (typeof secret === 'string' ? secret.length === 0 : !(secret instanceof Uint8Array) || secret.length === 0)) {
      throw new NetError('authentication_failed', 'a shared secret must be a non-empty string or Uint8Array');
    }
    this.secret = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : secret;
    this.maxPartialBytes = Math.max(options.maxPartialFrameBytes ?? 64 * 1024 * 1024, options.maxFrameSize ?? DEFAULT_MAX_FRAME_SIZE);
  }

  /** Bytes held in partial frames over every connection (bounded by `maxPartialFrameBytes`). */
  get partialFrameBytes(): number {
    return this.partialBytes;
  }

  /** Inbound connections in their handshake (bounded by `maxPendingHandshakes`). */
  get pendingHandshakes(): number {
    return this.pendingInbound.size;
  }

  /** Remote nodes with an established connection. */
  nodes(): string[] {
    return [...this.links.keys()];
  }

  /**
   * The remote `ip:port` of a node's established connection (for an accepted connection,
   * the peer's ephemeral port).
   * @param node - the node id
   * @returns the address, or undefined when the node is not connected
   */
  remoteAddress(node: string): string | undefined {
    return this.links.get(node)?.remoteAddress;
  }

  /**
   * Whether a node is connected.
   * @param node - the node id
   */
  isConnected(node: string): boolean {
    return this.links.has(node);
  }

  /**
   * Starts accepting connections.
   * @param address - where to listen; port 0 picks a free port
   * @returns the bound address
   * @throws NetError `socket_error` when the address cannot be bound
   */
  listen(address: { host?: string; port?: number } = {}): Promise<BoundAddress> {
    const host = address.host ?? '127.0.0.1';
    const port = address.port ?? 0;
    if (this.closing) return Promise.reject(new NetError('shutdown', 'transport is closed'));
    // Checked before Node sees them: a string port would be a Unix socket path, a number
    // host Node's backlog.
    if (typeof host !== 'string' || host === '') return Promise.reject(new NetError('socket_error', `cannot listen: the host must be a non-empty string, got ${typeof host === 'string' ? '""' : typeof host}`));
    if (!Number.isInteger(port) || port < 0 || port > 65535) return Promise.reject(new NetError('socket_error', `cannot listen on ${host}: the port must be an integer 0..65535, got ${String(port)}`));
    return new Promise((resolve, reject) => {
      const server = createServer({ noDelay: true }, (socket) => this.accept(socket));
      server.once('error', (e) => {
        this.servers.delete(server);
        reject(new NetError('socket_error', `cannot listen on ${host}:${port}: ${e.message}`, { cause: e }));
      });
      server.listen(port, host, () => {
        if (this.closing) {
          // close() ran while the socket was being bound: it must not outlive the transport.
          server.close();
          reject(new NetError('shutdown', 'transport is closed'));
          return;
        }
        this.servers.add(server);
        const port = (server.address() as { port: number }).port;
        server.on('error', (e) => this.log.error({ event: 'listener-error', host, port, detail: e.message }, 'listener error'));
        this.log.info({ event: 'listening', host, port }, 'listening');
        resolve({ host, port });
      });
    });
  }

  /**
   * Connects to a node (or returns the existing connection's node when one exists).
   * @param host - host or IP
   * @param port - TCP port
   * @returns the remote node id once the handshake completed
   * @throws NetError with the reason the connection failed (`socket_error`,
   *   `unsupported_version`, `self_connection`, `handshake_timeout`, ...)
   */
  connect(host: string, port: number): Promise<string> {
    if (this.closing) return Promise.reject(new NetError('shutdown', 'transport is closed'));
    return new Promise((resolve, reject) => {
      const socket = createConnection({ host, port, noDelay: true });
      this.dialling.add(socket);
      const fail = (error: NetError) => {
        timer.cancel();
        socket.destroy();
        this.dialling.delete(socket);
        // The caller reports the failure (a retrying peering, once): debug here.
        this.log.debug({ event: 'connect-failed', address: `${host}:${port}`, reason: error.reason, detail: error.message }, 'connect failed');
        reject(error);
      };
      const onError = (e: Error) => fail(new NetError('socket_error', `cannot connect to ${host}:${port}: ${e.message}`, { cause: e }));
      // A host that drops SYNs would otherwise keep the dial pending for minutes.
      const timer = this.options.clock.setTimer(this.liveness.handshakeTimeout, () => {
        socket.off('error', onError);
        fail(new NetError('handshake_timeout', `no TCP connection to ${host}:${port} within ${this.liveness.handshakeTimeout} ms`));
      });
      socket.once('error', onError);
      socket.once('connect', () => {
        timer.cancel();
        socket.off('error', onError);
        this.dialling.delete(socket);
        if (this.closing) {
          socket.destroy();
          reject(new NetError('shutdown', 'transport is closed'));
          return;
        }
        const conn = this.open(socket, 'initiator');
        this.dials.set(conn, { resolve, reject });
        conn.start();
      });
    });
  }

  /**
   * Runs this transport's handshake on a socket that is already connected, for a protocol
   * that hands its connection over to the runtime (a Broker peering that both sides
   * continue with broker-ts's own peering). The socket may be a TLS socket and may hold
   * unread bytes put back with `unshift`; it is resumed here. Failures are reported
   * through the returned promise only (never as refused inbound connections).
   * @param socket - the connected socket, paused
   * @param role - `initiator` on the side that opened the TCP connection, else `acceptor`
   * @returns the remote node id once the handshake completed
   * @throws NetError as {@link connect} does once the socket is connected
   */
  adopt(socket: Socket, role: 'initiator' | 'acceptor'): Promise<string> {
    if (this.closing) {
      socket.destroy();
      return Promise.reject(new NetError('shutdown', 'transport is closed'));
    }
    return new Promise((resolve, reject) => {
      const conn = this.open(socket, role);
      this.dials.set(conn, { resolve, reject });
      conn.start();
      socket.resume();
    });
  }

  /**
   * Queues one encoded envelope for a node; it leaves with the connection's next batch.
   * @param node - the destination node
   * @param body - the encoded envelope
   * @returns false when the node is not connected (the caller turns it into a dead letter)
   */
  send(node: string, body: Uint8Array): boolean {
    const conn = this.links.get(node);
    return conn !== undefined && conn.send(body);
  }

  /**
   * Closes the connection to a node; its actors' monitors get DOWN.
   * @param node - the node
   * @param error - reason given to the peer (default `connection_closed`)
   */
  disconnect(node: string, error = new NetError('connection_closed', 'disconnected by this node')): void {
    this.links.get(node)?.close(error);
  }

  /**
   * Stops listening and closes every connection (peers get GOODBYE `shutdown`).
   * Resolves once every socket and server is closed.
   */
  async close(): Promise<void> {
    this.closing = true;
    const done: Promise<void>[] = [];
    for (const server of this.servers) done.push(new Promise((r) => server.close(() => r())));
    this.servers.clear();
    for (const socket of this.dialling) socket.destroy();
    this.dialling.clear();
    for (const conn of [...this.connections]) {
      done.push(new Promise((r) => conn.onceClosed(r)));
      conn.close(new NetError('shutdown', 'node shutting down'));
    }
    for (const [, list] of this.waiting) for (const w of list) w.reject(new NetError('shutdown', 'node shutting down'));
    this.waiting.clear();
    await Promise.all(done);
  }

  private accept(socket: Socket): void {
    if (this.closing) return void socket.destroy();
    if (this.pendingInbound.size >= (this.options.maxPendingHandshakes ?? 64)) {
      const oldest = this.pendingInbound.values().next().value as TcpConnection;
      this.pendingInbound.delete(oldest);
      this.log.debug({ event: 'connection-evicted', address: oldest.remoteAddress, reason: 'too_many_handshakes' }, 'evicted the oldest pending handshake');
      oldest.close(new NetError('resource_exhausted', 'evicted: too many connections in their handshake'));
    }
    this.log.debug({ event: 'connection-accepted', address: `${socket.remoteAddress}:${socket.remotePort}` }, 'connection accepted');
    const conn = this.open(socket, 'acceptor');
    this.pendingInbound.add(conn);
    conn.start();
  }

  private onPinned(conn: TcpConnection, delta: number): void {
    const held = (this.partial.get(conn) ?? 0) + delta;
    this.partialBytes += delta;
    if (held > 0) this.partial.set(conn, held);
    else this.partial.delete(conn);
    // Evict the oldest partial frames first: a fast legitimate sender completes its
    // frames quickly, a peer trickling a huge frame holds its bytes longest.
    while (this.partialBytes > this.maxPartialBytes) {
      const oldest = this.partial.keys().next().value as TcpConnection;
      this.log.warn({ event: 'connection-evicted', peer: oldest.remoteNode, address: oldest.remoteAddress, reason: 'partial_frames', bytes: this.partial.get(oldest) }, 'closed a connection holding a partial frame: memory budget of partial frames exceeded');
      oldest.close(new NetError('resource_exhausted', `partial frames of all connections exceed ${this.maxPartialBytes} bytes`));
      if (this.partial.has(oldest)) {
        // Already closing: its bytes go with its socket.
        this.partialBytes -= this.partial.get(oldest)!;
        this.partial.delete(oldest);
      }
    }
  }

  private open(socket: Socket, role: 'initiator' | 'acceptor'): TcpConnection {
    const conn = new TcpConnection(
      socket,
      {
        role,
        localNode: this.options.localNode,
        versions: this.options.versions ?? PROTOCOL_VERSION,
        maxFrameSize: this.options.maxFrameSize ?? DEFAULT_MAX_FRAME_SIZE,
        maxOutboundBytes: this.options.maxOutboundBytes ?? 64 * 1024 * 1024,
        liveness: this.liveness,
        secret: this.secret,
        clock: this.options.clock,
        logger: this.log,
      },
      this.handler,
    );
    this.connections.add(conn);
    return conn;
  }

  private admit(conn: TcpConnection, node: string): NetError | undefined {
    const admission = conn.role === 'acceptor' ? this.table.admitHello(conn, node) : this.table.admitWelcome(conn, node);
    for (const loser of admission.evict) {
      loser.close(new NetError('duplicate_connection', `simultaneous connect with node ${node}: the other connection is kept`));
    }
    return admission.refuse;
  }

  private onEstablished(conn: TcpConnection): void {
    const node = conn.remoteNode!;
    if (conn.role === 'acceptor') {
      this.pendingInbound.delete(conn);
      if (!this.table.markEstablished(conn)) {
        conn.close(new NetError('duplicate_connection', `connection to node ${node} lost a race`));
        return;
      }
    }
    try {
      this.events.nodeUp(node, conn);
    } catch (e) {
      conn.close(e instanceof NetError ? e : new NetError('duplicate_connection', String(e)));
      return;
    }
    this.links.set(node, conn);
    this.log.info({ event: 'node-up', peer: node, address: conn.remoteAddress }, 'node up');
    this.dials.get(conn)?.resolve(node);
    this.dials.delete(conn);
    const waiters = this.waiting.get(node);
    this.waiting.delete(node);
    for (const w of waiters ?? []) w.resolve(node);
  }

  private onClosed(conn: TcpConnection, error: NetError): void {
    this.connections.delete(conn);
    const removed = this.table.remove(conn);
    if (conn.role === 'acceptor' && !conn.wasEstablished) {
      this.pendingInbound.delete(conn);
      // An adopted connection (it has a dial) reports its failure to its caller instead.
      if (!this.dials.has(conn) && !this.closing && error.reason !== 'shutdown' && error.reason !== 'duplicate_connection') this.events.inboundRefused?.(conn.remoteAddress, error);
    }
    const dial = this.dials.get(conn);
    this.dials.delete(conn);
    if (dial) this.settleLostDial(dial, conn, error);
    if (removed?.wasEstablished && this.links.get(removed.node) === conn) {
      this.links.delete(removed.node);
      const level = error.reason === 'shutdown' || error.reason === 'connection_closed' || this.closing ? 'info' : 'warn';
      this.log[level]({ event: 'node-down', peer: removed.node, reason: error.reason, detail: error.message }, 'node down');
      this.events.nodeDown(removed.node, error);
    }
  }

  /** A dial whose connection closed before it was established. */
  private settleLostDial(dial: PendingDial, conn: TcpConnection, error: NetError): void {
    const node = conn.remoteNode;
    if (error.reason !== 'duplicate_connection' || node === undefined) return dial.reject(error);
    if (this.links.has(node)) return dial.resolve(node);
    // The winning connection to that node is still in its handshake: wait for it, bounded
    // by the handshake timeout.
    const list = this.waiting.get(node) ?? [];
    this.waiting.set(node, list);
    const timer = this.options.clock.setTimer(this.liveness.handshakeTimeout, () => {
      const i = list.indexOf(entry);
      if (i >= 0) list.splice(i, 1);
      dial.reject(new NetError('handshake_timeout', `duplicate connection to node ${node} never completed`));
    });
    const entry: PendingDial = {
      resolve: (n) => (timer.cancel(), dial.resolve(n)),
      reject: (e) => (timer.cancel(), dial.reject(e)),
    };
    list.push(entry);
  }
}
