/**
 * An established peering as the core keeps it: the peer's core actor, the data streams
 * both ways, the inbound messages waiting for room in local subscriptions, and how the
 * peering ends. Broker keeps the same per peer in `libbroker/broker/internal/peering.hh`.
 */
import type { ActorRef, Cancellable, Stream, StreamSink } from '@broker-ts/actor';
import type { NetworkInfo } from './endpoint-info';
import type { WireItem } from './peer-protocol';
import type { InboundDecision } from './router';

/** An established peering, as the core keeps it. */
export interface PeerState {
  /** The peer's endpoint id. */
  id: string;
  /** The peer's core actor. */
  core: ActorRef;
  /** Where the peer was reached (the address we dialed, or its socket address). */
  network: NetworkInfo | undefined;
  /** The key of our outbound peering, when we opened it. */
  peeringKey: string | undefined;
  /** Our data stream to the peer (bounded: `peerBufferSize`, `peerOverflowPolicy`). */
  out: Stream<WireItem> | undefined;
  /** The peer's data stream to us, once it opened it. */
  in: StreamSink<WireItem> | undefined;
  /** Inbound messages waiting for room in local subscriptions; bounded by the stream's credit. */
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
  /** Checks, while local publications wait for this peer, whether it stopped taking messages. */
  stallTimer: Cancellable | undefined;
  /** `out.sent` when the stall check was armed: unchanged at the check means stalled. */
  stallSent: number;
  /** Set once a drop by this peer's overflow policy was logged as a warning. */
  dropWarned: boolean;
}

/** A new peering with `id`: no stream yet, nothing waiting. */
export function newPeerState(id: string, core: ActorRef, network: NetworkInfo | undefined, peeringKey: string | undefined): PeerState {
  return { id, core, network, peeringKey, out: undefined, in: undefined, backlog: [], decisions: [], ending: false, lost: undefined, stallTimer: undefined, stallSent: 0, dropWarned: false };
}
