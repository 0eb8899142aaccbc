/**
 * The pacing of an endpoint's local publications: the core takes each burst of
 * `Endpoint.publish` calls and each publisher's messages from their bounded buffers
 * (`publish-buffer.ts`) and routes them while the peers they go to have room; a publisher
 * that must wait is parked (`parked-publishers.ts`) until credit comes, and a peer that
 * publications wait for and that takes nothing for `peerStallTimeout` is disconnected, so
 * that it cannot hold the others back for long. The publish buffer's overflow episodes
 * are reported here too. Broker's publishers likewise wait for the demand that flows back
 * from its core (`libbroker/broker/publisher.cc`, `libbroker/broker/internal/core_actor.cc`).
 *
 * The core owns the peers and their endings, and is called back through
 * {@link PacingHost}; this part keeps the parked publishers and the stall timers.
 */
import type { ErrorCodeName } from '@broker-ts/data';
import type { Logger } from 'pino';
import type { CoreMessage } from './core-messages';
import { KeyedTimers, type TimerClock } from './core-timers';
import type { Delivery } from './delivery';
import type { EndpointInfo } from './endpoint-info';
import type { ResolvedEndpointOptions } from './endpoint-options';
import type { PublisherPort } from './local-subscription';
import { ParkedPublishers } from './parked-publishers';
import type { PeerState } from './peer-state';
import type { DrainMark, PublishBuffer } from './publish-buffer';
import type { Router } from './router';

/** The publisher port of the endpoint's own publish buffer (nobody waits on it). */
const INPUT_PORT: PublisherPort = { id: 0, processed: () => {} };

/** What {@link PublicationPacing} needs from the core that owns it. */
export interface PacingHost {
  /** The facade's buffer of `Endpoint.publish` calls (bounded by `publishBufferSize`). */
  readonly input: PublishBuffer;
  /** Established peerings by peer id. */
  readonly peers: ReadonlyMap<string, PeerState>;
  /** The routing: which peers a publication goes to. */
  readonly router: Pick<Router, 'peersFor'>;
  /** Routes a publication to its subscriptions and peers. */
  readonly delivery: Pick<Delivery, 'route'>;
  /** The bound and overflow policy of each peer's output, its stall timeout, the publish buffer's policy. */
  readonly options: Pick<ResolvedEndpointOptions, 'peerOverflowPolicy' | 'peerBufferSize' | 'peerStallTimeout' | 'publishOverflowPolicy'>;
  /** The endpoint's clock (the stall timers). */
  readonly clock: TimerClock;
  /** The core's logger. */
  readonly log: Logger;
  /** Reports an error event. */
  emitError(code: ErrorCodeName, info: EndpointInfo | undefined, message: string): void;
  /** Ends a peering from our side (`peer_removed`); see the core's `disconnectPeer`. */
  disconnectPeer(peer: PeerState, message: string, graceful: boolean, reconnect: boolean): void;
  /** Queues a message to the core itself (a peer's stall check). */
  tell(message: CoreMessage): void;
}

/**
 * The pacing of local publications; see the file comment.
 *
 * Who may call what: only the core, in its own turns. Its handlers call
 * {@link PublicationPacing.drain} (`publish-drain`), {@link PublicationPacing.overflow}
 * (`publish-overflow`) and {@link PublicationPacing.checkStall} (`peer-stall-check`); its
 * flow handlers and the parts that see peer buffers empty call
 * {@link PublicationPacing.resume}; `Delivery` calls {@link PublicationPacing.watchStall}
 * through its host; the core's peer bookkeeping calls {@link PublicationPacing.forgetPeer},
 * unpeer and shutdown wait on {@link PublicationPacing.allTaken}, and `onStop` calls
 * {@link PublicationPacing.stop}. The facade never calls it: it reaches the core through
 * the publish buffers and the core's mailbox only.
 */
export class PublicationPacing {
  /** Publishers waiting for room in peer buffers, oldest first, each once. */
  private readonly parked = new ParkedPublishers();
  /** The stall check of each peer that local publications wait for, by peer id. */
  private readonly stallTimers: KeyedTimers;

  /** @param host - the core's state and callbacks */
  constructor(private readonly host: PacingHost) {
    this.stallTimers = new KeyedTimers(host.clock);
  }

  /** Publishers waiting for room in peer buffers. */
  get waiting(): number {
    return this.parked.length;
  }

  /** Messages waiting in the parked publishers' buffers. */
  get buffered(): number {
    return this.parked.buffered;
  }

  /** Resolves once no publisher waits for peers (at once when none does). */
  allTaken(): Promise<void> {
    return this.parked.allTaken();
  }

  /**
   * A `publish-drain` message: routes the burst of `buffer` that `mark` ends, from the
   * endpoint's publish buffer (no `publisher`) or from a publisher's.
   */
  drain(buffer: PublishBuffer, mark: DrainMark, publisher: PublisherPort | undefined): void {
    if (publisher === undefined) this.drainInput(buffer, mark);
    else this.drainPublisher(buffer, publisher);
  }

  /**
   * Routes the burst of `Endpoint.publish` calls (and hub publications) that `mark` ends.
   * Under the drop policies they are fire-and-forget, in one turn, as in Broker: a peer
   * that cannot keep up drops by its policy. Under `disconnect` they wait in the bounded
   * publish buffer, as a publisher's messages do, until the peers they go to have room.
   */
  private drainInput(buffer: PublishBuffer, mark: DrainMark): void {
    // Later publications need a drain message of their own.
    buffer.seal();
    if (this.host.options.peerOverflowPolicy === 'disconnect') {
      // Lossless: the burst goes on as the peers take it (see mustWait); what waits stays
      // in the bounded publish buffer.
      buffer.limitTakeTo(mark);
      this.drainPublisher(buffer, INPUT_PORT);
      return;
    }
    const delivery = this.host.delivery;
    while (buffer.hasItemFor(mark)) {
      const topic = buffer.headTopic;
      const value = buffer.headValue;
      const payload = buffer.headPayload;
      const receiver = buffer.headReceiver;
      const from = buffer.headFrom;
      buffer.shift();
      delivery.route(topic, value, receiver, from, false, payload);
    }
    this.inputEmptied();
  }

  /**
   * The facade dropped a publication for lack of room in the publish buffer: reported
   * once per overflow episode (an error event and one warning); {@link inputEmptied} ends
   * the episode.
   */
  overflow(): void {
    const input = this.host.input;
    const message = `the publish buffer of ${input.capacity} messages is full: publications are dropped (publishOverflowPolicy ${this.host.options.publishOverflowPolicy}); peers take them slower than they are published`;
    this.host.log.warn({ event: 'publish-overflow', capacity: input.capacity, dropped: input.dropped }, message);
    this.host.emitError('unspecified', undefined, message);
  }

  /** Ends an overflow episode of the publish buffer once it ran empty. */
  private inputEmptied(): void {
    const input = this.host.input;
    if (input.endOverflowEpisode()) this.host.log.info({ event: 'publish-overflow-ended', dropped: input.dropped }, 'the publish buffer has room again');
  }

  /**
   * Routes a publisher's messages while a peer they go to has room; the rest wait in the
   * publisher's buffer (its promise stays pending once that is full) until credit comes.
   */
  private drainPublisher(buffer: PublishBuffer, publisher: PublisherPort): void {
    // Later publications need a drain message of their own.
    buffer.seal();
    if (buffer.parked) return;
    // Publishers go on in order: one that comes while others wait, waits behind them.
    if (this.parked.length > 0 || !this.takeFrom(buffer, publisher)) this.parked.park(buffer, publisher);
  }

  /**
   * Routes a publisher's buffered messages while peers have room.
   * @returns true when the buffer is empty, false when the rest must wait
   */
  private takeFrom(buffer: PublishBuffer, publisher: PublisherPort): boolean {
    const delivery = this.host.delivery;
    let n = 0;
    let waiting = false;
    while (buffer.takeable) {
      const topic = buffer.headTopic;
      const receiver = buffer.headReceiver;
      if (this.mustWait(topic, receiver)) {
        waiting = true;
        break;
      }
      const value = buffer.headValue;
      const payload = buffer.headPayload;
      const from = buffer.headFrom;
      buffer.shift();
      delivery.route(topic, value, receiver, from, false, payload);
      n++;
    }
    if (n > 0) publisher.processed(n);
    if (buffer === this.host.input) this.inputEmptied();
    return !waiting;
  }

  /**
   * Tells whether a local publication must wait for room in peer buffers. Under
   * `disconnect`: when any peer it goes to has half its buffer or more waiting, so that
   * nothing is lost to a burst; a peer that stops taking messages is cut off by
   * {@link PublicationPacing.checkStall}, so it cannot stall the others for long. Under
   * the drop policies (publishers only): when every peer it goes to has half its buffer
   * waiting, so that the fastest peer paces it and a slower one drops by its policy.
   */
  private mustWait(topic: string, receiver: string | undefined): boolean {
    const { options, peers } = this.host;
    const to = this.host.router.peersFor(topic, receiver);
    if (to.length === 0) return false;
    const soft = Math.ceil(options.peerBufferSize / 2);
    if (options.peerOverflowPolicy === 'disconnect') {
      // Wait for every peer, up to half its buffer (the other half is headroom for relayed
      // and store messages, which do not wait here); a peer that stops taking messages
      // altogether is cut off by checkStall.
      for (let i = 0; i < to.length; i++) {
        const peer = peers.get(to[i]);
        if (peer === undefined || peer.ending || peer.out === undefined || peer.out.buffered < soft) continue;
        this.watchStall(peer);
        return true;
      }
      return false;
    }
    for (const id of to) {
      const out = peers.get(id)?.out;
      if (out === undefined || out.buffered < soft) return false;
    }
    return true;
  }

  /** Peer buffers may have room: parked publishers' messages go on while they do. */
  resume(): void {
    // None parked: nobody waits on allTaken either (it resolves at once then).
    if (this.parked.length > 0) this.parked.resume(this.takeFromParked);
  }

  private readonly takeFromParked = (buffer: PublishBuffer, publisher: PublisherPort): boolean => this.takeFrom(buffer, publisher);

  /** Arms the stall check of a peer that local publications (or relayed messages) wait for. */
  watchStall(peer: PeerState): void {
    if (this.stallTimers.has(peer.id) || peer.out === undefined) return;
    peer.stallSent = peer.out.sent;
    const host = this.host;
    const id = peer.id;
    this.stallTimers.set(id, host.options.peerStallTimeout, () => host.tell({ type: 'peer-stall-check', peer: id }));
  }

  /**
   * A `peer-stall-check` message. A peer that publications waited for took nothing
   * during `peerStallTimeout`: it stays slow, and is disconnected (the originator of a
   * peering with a retry reconnects). One that took something but still holds messages
   * back is checked again later.
   */
  checkStall(id: string): void {
    const host = this.host;
    const peer = host.peers.get(id);
    if (peer === undefined || peer.ending || peer.out === undefined) return;
    this.stallTimers.cancel(id);
    const out = peer.out;
    if (out.buffered < Math.ceil(host.options.peerBufferSize / 2)) return;
    if (out.sent !== peer.stallSent) {
      this.watchStall(peer);
      return;
    }
    const message = `disconnected a slow peer: it took no message for ${host.options.peerStallTimeout} ms with ${out.buffered} waiting in its buffer`;
    host.log.warn({ event: 'slow-peer-disconnected', peer: peer.id, buffered: out.buffered }, message);
    host.disconnectPeer(peer, message, false, true);
  }

  /** A peer is gone: its stall check is cancelled. */
  forgetPeer(id: string): void {
    this.stallTimers.cancel(id);
  }

  /** The core stops: every stall check is cancelled. */
  stop(): void {
    this.stallTimers.cancelAll();
  }
}
