/**
 * The messages of an endpoint's core actor and what it answers: the commands the facade
 * sends it, the continuations it sends itself, and the records it reports (peers,
 * counters, attached stores). Kept apart from the actor, as Broker keeps its core's
 * message types apart from `internal/core_actor.cc`, so that the facade, the store actors
 * and the core's parts depend on these types and not on each other.
 */
import type { ActorRef, FlowError } from '@broker-ts/actor';
import type { Data, ErrorCodeName } from '@broker-ts/data';
import type { EndpointInfo } from './endpoint-info';
import type { LocalSubscription, PublisherPort } from './local-subscription';
import type { NativeEvent } from './native/native-endpoint-peers';
import type { PeerLink } from './peer-state';
import type { PeerBye, PeerFilterUpdate, PeerHello, PeerReject, PeerWelcome } from './peer-protocol';
import type { DrainMark, PublishBuffer } from './publish-buffer';
import type { BackendKind, BackendOptions } from './store/backend';
import type { LocalPublication, StoreCommand, StorePublication } from './store/store-actor';

/** A peer as `peers()` reports it. */
export interface PeerInfo {
  /** The peer's endpoint id and network address (null id while still connecting). */
  peer: EndpointInfo;
  /** `peered`, or `connecting`/`reconnecting` for outbound peerings not (yet) up. */
  status: 'connecting' | 'peered' | 'reconnecting';
  /** True when this endpoint opened the peering. */
  outbound: boolean;
}

/** Counters of an endpoint, as `Endpoint.stats()` reports them (for tests and monitoring). */
export interface EndpointStats {
  /** Messages dropped by peers' overflow policies (dropOldest/dropNewest). */
  peerDrops: number;
  /** Local publications a full hub or status subscriber could not take. */
  localDrops: number;
  /** Messages that arrived twice through a cycle and were suppressed. */
  duplicates: number;
  /** Messages whose hop limit ran out at this endpoint. */
  ttlExpired: number;
  /** Malformed items received from peers. */
  malformed: number;
  /** `Endpoint.publish` calls refused by a full publish buffer (`publishOverflowPolicy` dropNewest/dropOldest). */
  publishDrops: number;
  /**
   * Messages the core processed, by Broker's message types (Broker's
   * `broker_processed_messages_total`): `data` published here or received from peers,
   * `command` the store protocol's messages, `routingUpdate` peers' filter updates.
   */
  processed: ProcessedMessages;
  /** Messages waiting in the endpoint now: publish buffers, peers' output buffers and inbound backlogs. */
  buffered: number;
  /** Local subscriptions now: subscribers, hubs, callbacks and status subscribers (stores' own not counted). */
  subscriptions: number;
  /** Publishers made by `makePublisher` and not closed yet (counted by the facade). */
  publishers: number;
  /** Messages `publish`/`publishTo`/`publishBatch` accepted (counted by the facade; Broker's `published-via-async-msg`). */
  published: number;
  /** Peerings that ended (lost, removed, or refused mid-stream) since the start. */
  peerDisconnects: number;
}

/** Messages processed by the core, per Broker message type. */
export interface ProcessedMessages {
  /** Data messages: published here (including status events) or received from peers. */
  data: number;
  /** Store protocol messages sent or received. */
  command: number;
  /** Filter updates received from peers. */
  routingUpdate: number;
}

/** Messages the facade sends to the core. */
export type CoreCommand =
  | { type: 'publish'; topic: string; value: Data; receiver?: string; from?: number; asRemote?: boolean }
  | { type: 'publish-drain'; buffer: PublishBuffer; mark: DrainMark; publisher?: PublisherPort }
  | { type: 'publish-overflow' }
  | { type: 'add-subscription'; sub: LocalSubscription; topics: string[] }
  | { type: 'set-topics'; id: number; topics: string[] }
  | { type: 'remove-subscription'; id: number }
  | { type: 'subscriber-drained'; id: number }
  | { type: 'forward'; topics: string[] }
  | { type: 'listen'; host: string; port: number }
  | { type: 'peer'; host: string; port: number; retryMs: number; wait: boolean; via?: string }
  | { type: 'unpeer'; host: string; port: number }
  | { type: 'peers' }
  | { type: 'peer-subscriptions' }
  | { type: 'stats' }
  | StorePublication
  | LocalPublication
  | { type: 'attach-master'; name: string; backend: BackendKind; options: BackendOptions }
  | { type: 'attach-clone'; name: string; resyncInterval: number; staleInterval: number; mutationBufferInterval: number }
  | { type: 'detach-store'; name: string; actor: ActorRef }
  /** The facade is about to end the thread of this worker endpoint (its peer) on request. */
  | { type: 'peer-terminating'; id: string }
  | { type: 'shutdown' };

/** A store attached to this endpoint, as `attach-master`/`attach-clone` answer it. */
export interface AttachedStore {
  kind: 'master' | 'clone';
  actor: ActorRef<StoreCommand>;
}

/** Messages the core sends itself (continuations of asynchronous work). */
export type CoreInternal =
  | { type: 'peering-connected'; key: string; attempt: number; node: string }
  | { type: 'peering-failed'; key: string; attempt: number; code: ErrorCodeName; message: string }
  | { type: 'peering-retry'; key: string }
  | { type: 'peer-core-found'; key: string; attempt: number; core: ActorRef | undefined; node: string }
  | { type: 'peer-output-ended'; peer: string; error: FlowError | undefined }
  | { type: 'peer-flushed'; link: PeerLink; reason: string }
  | { type: 'peer-stall-check'; peer: string }
  | NativeEvent;

/** Everything the core actor handles: facade commands, its own continuations, the peering protocol. */
export type CoreMessage = CoreCommand | CoreInternal | PeerHello | PeerWelcome | PeerReject | PeerFilterUpdate | PeerBye;
