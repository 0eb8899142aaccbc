/**
 * The I/O side of an endpoint's peerings over TCP: its listeners and outbound
 * connections ({@link NativeServer}), and the {@link NativePeer} of each connection that
 * completed Broker's handshake with a peer speaking the native protocol. Everything that
 * happens on a socket becomes one {@link NativeEvent} for the core actor (socket events
 * run outside any actor turn), which decides.
 */
import type { BrokerError } from '@broker-ts/data';
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
    // Made at once: the messages that follow the handshake in the same read go to its inbox.
    const info = outcome.info;
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
