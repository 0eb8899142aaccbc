import type { Socket } from 'node:net';
import { ActorError } from '../actor-error';
import { ActorSystem } from '../actor-system';
import type { ActorSystemView } from '../actor-system-view';
import { decodeEnvelopes } from '../envelope-codec';
import { NetError } from './net-error';
import { DEFAULT_MAX_FRAME_SIZE } from './protocol';
import { TcpNodeLink } from './tcp-node-link';
import { TcpTransport, type BoundAddress, type TcpTransportLimits } from './tcp-transport';

/** Options of a system's TCP network; see {@link TcpTransportLimits} for every limit. */
export interface TcpNetworkOptions extends TcpTransportLimits {
  /**
   * Treat connected nodes like nodes of this process (default false). Untrusted nodes
   * reach only actors spawned with `remote` and only with the message types they accept;
   * they cannot stop actors, route through this node, forge senders or answer requests
   * they were not sent (see `ActorSystem.receiveUntrusted`). Set it only on a network
   * where every node is yours (for example with a `secret`).
   */
  trusted?: boolean;
}

/** An inbound connection refused before its handshake completed (see {@link TcpNetwork.onInboundRefused}). */
export interface InboundRefusal {
  /** The remote `ip:port`. */
  address: string;
  /** Why it was closed (`bad_magic`, `unsupported_version`, `handshake_timeout`, ...). */
  error: NetError;
}

/** One network per system. */
const networks = new WeakMap<ActorSystem, TcpNetwork>();

/**
 * The TCP side of one actor system: listens, dials, and registers every established
 * connection with the system's router as a `NodeLink`, so that refs, requests, links,
 * monitors and `lookup` work across processes exactly as they do locally. A lost
 * connection (closed, killed process, heartbeat timeout) is reported to the router with
 * `linkDown`: monitors of that node's actors get DOWN, links EXIT, pending requests
 * `unreachable`. The system's shutdown closes every socket and listener.
 *
 * Obtain it with {@link TcpNetwork.of} (or use {@link listenTcp} / {@link connectTcp}).
 */
export class TcpNetwork {
  /** The transport (connections per node). */
  private readonly transport: TcpTransport;
  /** Removes the shutdown hook when closed explicitly. */
  private readonly removeHook: () => void;
  private closed: Promise<void> | undefined;
  /** Listeners of refused inbound connections; few (one per interested component). */
  private readonly refusalListeners = new Set<(refusal: InboundRefusal) => void>();

  private constructor(
    private readonly system: ActorSystem,
    options: TcpNetworkOptions,
  ) {
    const log = system.loggerFor('network');
    const maxFrameSize = options.maxFrameSize ?? DEFAULT_MAX_FRAME_SIZE;
    const trusted = options.trusted === true;
    this.transport = new TcpTransport(
      { ...options, maxFrameSize, localNode: system.nodeId, clock: system.clock, logger: system.logger },
      {
        nodeUp: (node, conn) => {
          if (system.router.hasLink(node)) throw new NetError('unexpected_node', `node ${node} is already reachable through another link`);
          system.router.linkUp(new TcpNodeLink(system, conn, log));
        },
        nodeDown: (node, error) => system.router.linkDown(node, error),
        deliver: (node, body) => {
          system.scheduler.ioCallback?.();
          let envelopes;
          try {
            envelopes = decodeEnvelopes(body, system);
          } catch (e) {
            throw TcpNodeLink.decodeError(e);
          }
          if (trusted) {
            const router = system.router;
            for (let i = 0; i < envelopes.length; i++) router.receive(envelopes[i]);
          } else {
            for (let i = 0; i < envelopes.length; i++) system.receiveUntrusted(node, envelopes[i]);
          }
        },
        inboundRefused: (address, error) => {
          for (const listener of this.refusalListeners) {
            try {
              listener({ address, error });
            } catch (e) {
              log.error({ event: 'listener-failed', detail: (e as Error).message }, 'an inbound-refusal listener threw');
            }
          }
        },
      },
    );
    this.removeHook = system.addShutdownHook('tcp', () => this.close());
  }

  /**
   * The TCP network of a system, created on first use with `options` (later calls ignore
   * them).
   * @param system - the actor system (an actor passes its `ctx.system`)
   * @param options - limits and timing
   * @throws ActorError `invalid_argument` when `system` is not an {@link ActorSystem}
   */
  static of(system: ActorSystemView, options: TcpNetworkOptions = {}): TcpNetwork {
    if (!(system instanceof ActorSystem)) throw new ActorError('invalid_argument', 'TcpNetwork.of expects an ActorSystem');
    let network = networks.get(system);
    if (network === undefined || network.closed !== undefined) {
      network = new TcpNetwork(system, options);
      networks.set(system, network);
    }
    return network;
  }

  /** Remote nodes connected over TCP. */
  get nodes(): string[] {
    return this.transport.nodes();
  }

  /**
   * The remote `ip:port` of the connection to a node (the peer's ephemeral port when it
   * connected to us).
   * @param node - the node id
   * @returns the address, or undefined when the node is not connected over TCP
   */
  remoteAddress(node: string): string | undefined {
    return this.transport.remoteAddress(node);
  }

  /**
   * Accepts connections from other nodes.
   * @param address - host (default `127.0.0.1`) and port (default 0: a free port)
   * @returns the bound address
   * @throws NetError `socket_error` (address in use...), `shutdown`
   */
  listen(address: { host?: string; port?: number } = {}): Promise<BoundAddress> {
    if (this.system.state !== 'running') return Promise.reject(shutDown());
    return this.transport.listen(address);
  }

  /**
   * Connects to the node listening at `host:port`. Connecting to an already connected
   * node returns its id without opening a second connection.
   * @returns the remote node id, usable with `system.lookup(node, name)` and `system.refFor`
   * @throws NetError `socket_error`, `unsupported_version`, `self_connection`,
   *   `handshake_timeout`, `shutdown`, ...
   */
  connect(host: string, port: number): Promise<string> {
    if (this.system.state !== 'running') return Promise.reject(shutDown());
    return this.transport.connect(host, port);
  }

  /**
   * Runs the runtime's handshake on an already connected socket (plain or TLS) and, once
   * it completes, registers the node as {@link connect} does. For protocols that start on
   * their own and hand the connection over (see `TcpTransport.adopt`).
   * @param socket - the connected socket, paused, possibly with unread bytes put back
   * @param role - `initiator` on the side that opened the TCP connection, else `acceptor`
   * @returns the remote node id
   * @throws NetError `unsupported_version`, `self_connection`, `handshake_timeout`,
   *   `socket_error`, `shutdown`, ...
   */
  adopt(socket: Socket, role: 'initiator' | 'acceptor'): Promise<string> {
    return this.transport.adopt(socket, role);
  }

  /**
   * Closes the connection to a node; that node's actors turn DOWN/EXIT `unreachable`
   * for their local monitors and links.
   * @param node - the node id
   */
  disconnect(node: string): void {
    this.transport.disconnect(node);
  }

  /**
   * Calls `listener` for each inbound connection closed before its handshake completed
   * (a peer speaking garbage, HTTP or another protocol version, or saying nothing).
   * @returns a function that removes the listener
   */
  onInboundRefused(listener: (refusal: InboundRefusal) => void): () => void {
    this.refusalListeners.add(listener);
    return () => this.refusalListeners.delete(listener);
  }

  /** Closes every connection and listener (also done by `system.shutdown()`). */
  close(): Promise<void> {
    this.removeHook();
    return (this.closed ??= this.transport.close());
  }
}

/**
 * Makes a system accept TCP connections from other nodes.
 * @param system - the actor system
 * @param address - host (default `127.0.0.1`) and port (default 0: a free port)
 * @param options - limits, used when this creates the system's network
 * @returns the bound port
 */
export async function listenTcp(system: ActorSystem, address: { host?: string; port?: number } = {}, options?: TcpNetworkOptions): Promise<number> {
  return (await TcpNetwork.of(system, options).listen(address)).port;
}

/**
 * Connects a system to the node listening at `host:port`.
 * @param system - the actor system
 * @returns the remote node id
 */
export function connectTcp(system: ActorSystem, host: string, port: number, options?: TcpNetworkOptions): Promise<string> {
  return TcpNetwork.of(system, options).connect(host, port);
}

/** A network of a system that is shut down (or shutting down) opens nothing: its shutdown hook would not run. */
function shutDown(): NetError {
  return new NetError('shutdown', 'the actor system is shut down');
}
