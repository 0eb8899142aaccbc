/**
 * An established peering as the core keeps it: how it reaches the peer (its link), the
 * data both ways, the inbound messages waiting for room in local subscriptions, and how
 * the peering ends. Broker keeps the same per peer in `libbroker/broker/internal/peering.hh`.
 *
 * A peer is reached in one of two ways, behind the same {@link PeerOutput} and
 * {@link PeerInput}: another broker-ts endpoint's core actor, with credit-based streams
 * over the actor runtime ({@link ActorPeerLink}), or a Broker speaking its native
 * protocol on a socket (`NativePeer`).
 */
import { type ActorContext, type ActorRef, type FlowError, TcpNetwork } from '@broker-ts/actor';
import type { NetworkInfo } from './endpoint-info';
import type { PeerBye, PeerFilterUpdate, WireItem } from './peer-protocol';
import type { InboundDecision } from './router';

/** Our bounded output to a peer (`peerBufferSize`, `peerOverflowPolicy`). */
export interface PeerOutput {
  /** Messages waiting to be sent. */
  readonly buffered: number;
  /** The bound of {@link PeerOutput.buffered}. */
  readonly capacity: number;
  /** Messages handed to the peer's transport so far. */
  readonly sent: number;
  /** Messages dropped by the overflow policy so far. */
  readonly dropped: number;
  /** Offers a message; false when it was dropped or the output is closing or cut. */
  push(item: WireItem): boolean;
  /** Ends the output once every buffered message was sent. */
  close(): void;
  /** Ends the output at once, discarding what is buffered. */
  abort(error: FlowError): void;
  /** Resolves when the output has ended: undefined once flushed, else why it was cut (`overflow`...). */
  done(): Promise<FlowError | undefined>;
}

/** The peer's input to us: inbound messages are taken as local subscribers make room. */
export interface PeerInput {
  /** `n` inbound messages left the backlog: the peer may send that many more. */
  consumed(n: number): void;
  /** Stops taking the peer's messages. */
  cancel(error?: FlowError): void;
}

/** How the core reaches a peer beyond its data: filter updates and the end of the peering. */
export interface PeerLink {
  /** `actor` for a broker-ts core over the actor runtime, `native` for Broker's wire protocol. */
  readonly kind: 'actor' | 'native';
  /** Tells the peer our new filter. */
  advertise(filter: string[]): void;
  /** Ends the peering from our side, after our output was flushed or cut. */
  bye(bye: PeerBye): void;
  /** Closes the connection to a peer that went away. */
  disconnect(): void;
}

/** The link to another broker-ts endpoint's core actor, over the actor runtime. */
export class ActorPeerLink implements PeerLink {
  readonly kind = 'actor';

  constructor(
    private readonly ctx: ActorContext,
    /** The peer's core actor. */
    readonly core: ActorRef,
  ) {}

  advertise(filter: string[]): void {
    this.ctx.send(this.core, { type: 'broker.filter', filter } satisfies PeerFilterUpdate);
  }

  bye(bye: PeerBye): void {
    this.ctx.send(this.core, bye);
  }

  disconnect(): void {
    TcpNetwork.of(this.ctx.system).disconnect(this.core.node);
  }
}

/** An established peering, as the core keeps it. */
export interface PeerState {
  /** The peer's endpoint id. */
  id: string;
  /** How the peer is reached. */
  link: PeerLink;
  /** Where the peer was reached (the address we dialed, or its socket address). */
  network: NetworkInfo | undefined;
  /** The key of our outbound peering, when we opened it. */
  peeringKey: string | undefined;
  /** Our output to the peer (bounded: `peerBufferSize`, `peerOverflowPolicy`). */
  out: PeerOutput | undefined;
  /** The peer's input to us, once it flows. */
  in: PeerInput | undefined;
  /** Inbound messages waiting for room in local subscriptions; bounded by the input's credit. */
  backlog: WireItem[];
  /** The routing decision of each backlog item, at the same index. */
  decisions: InboundDecision[];
  /** Set once we started ending this peering, so its end is reported once. */
  ending: boolean;
  /**
   * Set when the peer left (bye or lost connection) while messages it sent still wait in
   * `backlog`: the loss is reported once they are delivered, so `peer_lost` comes after
   * the peer's last message.
   */
  lost: { reconnect: boolean; disconnect: boolean } | undefined;
  /** `out.sent` when the core armed its stall check (while local publications wait for this peer): unchanged at the check means stalled. */
  stallSent: number;
  /** Set once a drop by this peer's overflow policy was logged as a warning. */
  dropWarned: boolean;
}

/** A new peering with `id`: no data flowing yet, nothing waiting. */
export function newPeerState(id: string, link: PeerLink, network: NetworkInfo | undefined, peeringKey: string | undefined): PeerState {
  return { id, link, network, peeringKey, out: undefined, in: undefined, backlog: [], decisions: [], ending: false, lost: undefined, stallSent: 0, dropWarned: false };
}
