/**
 * The I/O side of an endpoint's peerings over TCP: its listeners and outbound
 * connections ({@link NativeServer}), and what follows Broker's handshake on each. With a
 * peer speaking only the native protocol (a Broker, Zeek) the connection becomes a
 * {@link NativePeer}. With another broker-ts endpoint (both filters carried the
 * extensions marker) the socket is handed to the actor runtime's TCP transport, and the
 * peering goes on as broker-ts's own (credit, batching, duplicate suppression).
 * Everything that happens on a socket becomes one {@link NativeEvent} for the core actor
 * (socket events run outside any actor turn), which decides.
 */
import type * as net from 'node:net';
import { type NetError } from '@broker-ts/actor';
import { BrokerError } from '@broker-ts/data';
import { handshakeFailureCode } from '../refusal-code';
import type { PeerOverflowPolicy } from '../endpoint-options';
import type { WireItem } from '../peer-protocol';
import type { NativeConnection, NativeConnectionOptions, NativePeerInfo } from './native-connection';
import type { OperationMessage } from './native-message';
import { NativePeer } from './native-peer';
import { type NativeHandshakeOutcome, NativeServer } from './native-server';

/** Which outbound peering attempt a connection belongs to. */
export interface NativeAttempt {
  key: string;
  attempt: number;
}

/** What the sockets tell the core. */
export type NativeEvent =
  /** A handshake completed; `peer` is the native peer (the connection is its). */
  | { type: 'native-established'; peer: NativePeer; info: NativePeerInfo; address: string; outbound: NativeAttempt | undefined; sentFilter: string[] }
  /**
   * A broker-ts peer: the actor runtime took the socket over and reached its node `node`
   * (the peer's endpoint id); the peering goes on with broker-ts's own handshake.
   */
  | { type: 'native-adopted'; node: string; address: string; outbound: NativeAttempt | undefined }
  /** A connection failed before its handshake completed (`error` undefined: closed by us). */
  | { type: 'native-failed'; address: string; error: BrokerError | undefined; outbound: NativeAttempt | undefined }
  /** A native peer's messages wait in its inbox. */
  | { type: 'native-input'; peer: NativePeer }
  /** A native peer's socket took what waited. */
  | { type: 'native-drained'; peer: NativePeer }
  /** A native peer sent a malformed message (dropped, the connection stays). */
  | { type: 'native-dropped'; peer: NativePeer; error: BrokerError }
  /** A native peer's connection closed. */
  | { type: 'native-closed'; peer: NativePeer; error: BrokerError | undefined; remote: boolean };

/** Settings of {@link NativeEndpointPeers}. */
export interface NativeEndpointPeersOptions {
  /** Identity, filter, transport and admission of every connection. */
  connection: () => NativeConnectionOptions;
  /** `peerBufferSize`. */
  capacity: number;
  /** `peerOverflowPolicy`. */
  policy: PeerOverflowPolicy;
  /** Tells the core (queues an event in its mailbox). */
  tell: (event: NativeEvent) => void;
  /**
   * Hands a socket to the actor runtime's TCP transport (`TcpNetwork.adopt`): resolves
   * with the remote node id, rejects with a `NetError`.
   */
  adopt: (socket: net.Socket, role: 'initiator' | 'acceptor') => Promise<string>;
  /** Whether a wire item carries a data store message. */
  isStoreItem: (item: WireItem) => boolean;
  /** The COMMAND frame of a data store message for a native peer, or undefined to leave it out. */
  storeCommand: (peer: NativePeer, item: WireItem) => OperationMessage | undefined;
}

/** The listeners and native connections of one endpoint. */
export class NativeEndpointPeers {
  private readonly server: NativeServer;

  constructor(private readonly options: NativeEndpointPeersOptions) {
    this.server = new NativeServer(options.connection);
  }

  /**
   * Listens on `host:port`.
   * @returns the bound port
   * @throws BrokerError `cannot_open_resource`
   */
  listen(host: string, port: number): Promise<number> {
    return this.server.listen(host, port, (conn, address, outcome) => this.settle(conn, address, outcome, undefined));
  }

  /** Connects to `host:port` for an outbound peering attempt. */
  connect(host: string, port: number, attempt: NativeAttempt): void {
    this.server.connect(host, port, (conn, outcome) => this.settle(conn, `${host}:${port}`, outcome, attempt));
  }

  /** Stops listening and closes the connections in their handshake. */
  close(): Promise<void> {
    return this.server.close();
  }

  private settle(conn: NativeConnection, address: string, outcome: NativeHandshakeOutcome, outbound: NativeAttempt | undefined): void {
    const tell = this.options.tell;
    if (outcome.info === undefined) {
      tell({ type: 'native-failed', address, error: outcome.error, outbound });
      return;
    }
    const info = outcome.info;
    if (info.extensions) {
      // The TCP connector is the runtime's initiator, whoever originated Broker's handshake.
      this.options.adopt(conn.takeSocket(), outbound === undefined ? 'acceptor' : 'initiator').then(
        (node) => tell({ type: 'native-adopted', node, address, outbound }),
        (e: unknown) => tell({ type: 'native-failed', address, error: adoptionError(e, outbound === undefined ? 'listener' : 'dialer'), outbound }),
      );
      return;
    }
    // Made at once: the messages that follow the handshake in the same read go to its inbox.
    const { capacity, policy, isStoreItem, storeCommand } = this.options;
    const localId = this.options.connection().localId;
    const peer: NativePeer = new NativePeer(conn, localId, info.remoteId, capacity, policy, {
      input: () => tell({ type: 'native-input', peer }),
      drained: () => tell({ type: 'native-drained', peer }),
      dropped: (error) => tell({ type: 'native-dropped', peer, error }),
      closed: (error, remote) => tell({ type: 'native-closed', peer, error, remote }),
      isStoreItem,
      storeCommand: (item) => storeCommand(peer, item),
    });
    tell({ type: 'native-established', peer, info, address, outbound, sentFilter: outcome.sentFilter });
  }
}

/** The error of a runtime handshake that failed on an adopted socket, with Broker's code. */
function adoptionError(e: unknown, side: 'dialer' | 'listener'): BrokerError {
  const reason = (e as Partial<NetError> | null)?.reason;
  const code = typeof reason === 'string' ? handshakeFailureCode(reason, side) : 'peer_unavailable';
  return new BrokerError(code, `broker-ts peering failed after the handshake: ${(e as Error | null)?.message ?? String(e)}`, {}, { cause: e });
}
