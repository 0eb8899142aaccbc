/**
 * The sockets of an endpoint's peerings: its listeners (plain TCP or TLS by the endpoint
 * options) and its outbound connections, each running Broker's native handshake
 * ({@link NativeConnection}). It reports each connection once: established, or failed
 * before the handshake completed. The connections in their handshake are closed with
 * the server; established ones belong to whoever took them.
 */
import { once } from 'node:events';
import * as net from 'node:net';
import { BrokerError } from '@broker-ts/data';
import { NativeConnection, type NativeConnectionOptions, type NativePeerInfo } from './native-connection';

/** What happened to a connection in its handshake. */
export interface NativeHandshakeOutcome {
  /** Established (`info` set) or failed (`error`, undefined when closed by us). */
  info?: NativePeerInfo;
  /** The filter we sent in the handshake (empty when it did not get that far). */
  sentFilter: string[];
  error?: BrokerError;
}

/**
 * Incoming connections in their handshake at most, per endpoint: beyond, the oldest is
 * closed, so that connections that never finish theirs (a slowloris flood) keep no peer
 * out and hold at most this many input buffers.
 */
export const MAX_PENDING_INBOUND = 64;

/**
 * Bytes all incoming connections may hold in partial handshake frames together (a
 * handshake frame may reach 16 MiB, room for a huge filter): beyond, the connection
 * holding the most is closed, so that slow giant frames cannot fill the memory.
 */
export const HANDSHAKE_INPUT_BUDGET = 64 << 20;

/** Listeners and connections in their handshake, of one endpoint. */
export class NativeServer {
  private readonly servers = new Set<net.Server>();
  /** Connections whose handshake has not completed. */
  private readonly handshaking = new Set<NativeConnection>();
  /** The accepted ones among them, oldest first (bounded by {@link MAX_PENDING_INBOUND}). */
  private readonly inbound = new Set<NativeConnection>();
  private closed = false;

  /** @param options - identity, filter, transport and admission of every connection */
  constructor(private readonly connectionOptions: () => NativeConnectionOptions) {}

  /**
   * Listens on `host:port` and runs the handshake on every connection.
   * @param onOutcome - called once per accepted connection with its remote `ip:port`
   * @returns the bound port
   * @throws BrokerError `cannot_open_resource` when the address cannot be bound
   */
  async listen(host: string, port: number, onOutcome: (conn: NativeConnection, address: string, outcome: NativeHandshakeOutcome) => void): Promise<number> {
    if (this.closed) throw new BrokerError('shutting_down', 'the endpoint is shutting down');
    const server = net.createServer({ noDelay: true }, (socket) => {
      const address = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? 0}`;
      if (this.closed) {
        socket.destroy();
        return;
      }
      const options = this.options();
      if (this.inbound.size >= MAX_PENDING_INBOUND) {
        const oldest = this.inbound.values().next().value as NativeConnection;
        this.inbound.delete(oldest);
        oldest.close(new BrokerError('peer_timeout', `closed in its handshake: ${MAX_PENDING_INBOUND} incoming connections were in theirs, and the oldest goes first`));
      }
      const conn = NativeConnection.accept(socket, { ...options.connection, onHandshakeInput: () => this.keepWithinBudget() });
      this.inbound.add(conn);
      this.track(conn, options.sent, (c, outcome) => onOutcome(c, address, outcome));
    });
    server.on('error', () => {}); // listen errors are reported below; later ones close the server
    this.servers.add(server);
    server.listen(port, host);
    try {
      await Promise.race([once(server, 'listening'), once(server, 'error').then(([e]) => Promise.reject(e as Error))]);
    } catch (e) {
      this.servers.delete(server);
      server.close();
      throw new BrokerError('cannot_open_resource', `cannot listen on ${host}:${port}: ${(e as Error).message}`);
    }
    return (server.address() as net.AddressInfo).port;
  }

  /**
   * Connects to `host:port` and runs the handshake.
   * @param onOutcome - called once with the outcome
   */
  connect(host: string, port: number, onOutcome: (conn: NativeConnection, outcome: NativeHandshakeOutcome) => void): NativeConnection {
    const options = this.options();
    const conn = NativeConnection.connect(host, port, options.connection);
    this.track(conn, options.sent, onOutcome);
    return conn;
  }

  /** Stops listening and closes the connections in their handshake. */
  async close(): Promise<void> {
    this.closed = true;
    for (const conn of this.handshaking) conn.close();
    const servers = [...this.servers];
    this.servers.clear();
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }

  /** The options of one connection, recording the filter its handshake sends. */
  private options(): { connection: NativeConnectionOptions; sent: () => string[] } {
    const connection = this.connectionOptions();
    let sent: string[] = [];
    const filter = connection.filter;
    return {
      connection: {
        ...connection,
        filter: () => {
          sent = [...filter()];
          return sent;
        },
      },
      sent: () => sent,
    };
  }

  /** Closes the incoming connections holding the most handshake bytes until all of them hold at most the budget. */
  private keepWithinBudget(): void {
    let total = 0;
    for (const c of this.inbound) total += c.bufferedInput;
    while (total > HANDSHAKE_INPUT_BUDGET) {
      let largest: NativeConnection | undefined;
      for (const c of this.inbound) if (largest === undefined || c.bufferedInput > largest.bufferedInput) largest = c;
      if (largest === undefined) return;
      total -= largest.bufferedInput;
      this.inbound.delete(largest);
      largest.close(new BrokerError('invalid_message', `closed in its handshake: incoming connections held more than ${HANDSHAKE_INPUT_BUDGET >> 20} MiB of partial handshake frames, this one the most`));
    }
  }

  private track(conn: NativeConnection, sent: () => string[], onOutcome: (conn: NativeConnection, outcome: NativeHandshakeOutcome) => void): void {
    this.handshaking.add(conn);
    const onEstablished = (info: NativePeerInfo): void => {
      conn.off('close', onClose);
      this.handshaking.delete(conn);
      this.inbound.delete(conn);
      onOutcome(conn, { info, sentFilter: sent() });
    };
    const onClose = (error: BrokerError | undefined): void => {
      conn.off('established', onEstablished);
      this.handshaking.delete(conn);
      this.inbound.delete(conn);
      onOutcome(conn, { error, sentFilter: sent() });
    };
    conn.once('established', onEstablished);
    conn.once('close', onClose);
  }
}
