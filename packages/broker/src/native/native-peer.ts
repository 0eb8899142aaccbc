/**
 * A peer that speaks Broker's native protocol (a real Broker or Zeek), as the core sees
 * it: the output, input and link of its peering over one established
 * {@link NativeConnection}. Flow control is Broker's: messages wait in a bounded buffer
 * (`peerBufferSize`, with `peerOverflowPolicy`) while the socket is above its high-water
 * mark, and inbound messages stop while the core holds a buffer's worth of the peer's
 * (the connection keeps reading into its bounded input, then TCP back-pressure reaches
 * the peer, see `NativeConnectionOptions.maxInputBytes`). Unpeering ends as Broker's
 * `peering::remove` does (`libbroker/broker/internal/peering.cc`): after what was
 * buffered, a PING carrying "BYE" and a token; the connection closes on its PONG or
 * after the unpeer timeout.
 */
import { FlowError } from '@broker-ts/actor';
import { BoundedBuffer } from '@broker-ts/actor/internal';
import type { BrokerError } from '@broker-ts/data';
import type { PeerOverflowPolicy } from '../endpoint-options';
import { NO_SEQUENCE, type PeerBye, type WireItem } from '../peer-protocol';
import type { PeerInput, PeerLink, PeerOutput } from '../peer-state';
import { NIL_ENDPOINT_ID } from './endpoint-id';
import { NATIVE_FRAME_HEADER_SIZE, OPERATION_HEADER_SIZE } from './native-codec';
import type { NativeConnection } from './native-connection';
import { NATIVE_RESERVED_TOPIC, type OperationMessage } from './native-message';
import { encodeRoutingUpdate } from './routing-update';

/**
 * Bytes of frames (about) written to the socket at once: its default high-water mark, so
 * that a batch goes out in one write and the next waits for `drain`.
 */
const NATIVE_WRITE_BATCH_BYTES = 16 * 1024;

/** Bytes of a frame besides its topic and payload: length prefix, ids, type, TTL, topic size. */
const NATIVE_FRAME_OVERHEAD = NATIVE_FRAME_HEADER_SIZE + OPERATION_HEADER_SIZE;

/** How long an unpeer waits for the PONG of its BYE (Broker's `defaults::unpeer_timeout`). */
export const NATIVE_UNPEER_TIMEOUT_MS = 3_000;

/** What a {@link NativePeer} tells its owner (called outside any actor turn). */
export interface NativePeerHooks {
  /** Messages arrived: take them with {@link NativePeer.take}. Called once until they are taken. */
  input(): void;
  /** The socket took messages that waited: the output has room again. */
  drained(): void;
  /** A malformed message was dropped; the connection stays up (as in Broker). */
  dropped(error: BrokerError): void;
  /** The connection closed; `remote` when the peer closed it or it failed. */
  closed(error: BrokerError | undefined, remote: boolean): void;
  /**
   * Translates a data store message for the peer (a COMMAND frame), or returns undefined
   * to leave it out.
   */
  storeCommand(item: WireItem): OperationMessage | undefined;
  /** Tells whether a wire item carries a data store message rather than a value. */
  isStoreItem(item: WireItem): boolean;
}

/** One native peer: {@link PeerOutput}, {@link PeerInput} and {@link PeerLink} over a connection. */
export class NativePeer implements PeerOutput, PeerInput, PeerLink {
  readonly kind = 'native';
  /** Messages for the peer, waiting for room in the socket. */
  private readonly buffer: BoundedBuffer<WireItem>;
  /** Messages received and not taken by the core yet. */
  private inbox: OperationMessage[] = [];
  /** Messages the core took and did not consume yet. */
  private held = 0;
  /** Set while reading is paused for inbound back-pressure. */
  private paused = false;
  /** Set while the socket is above its high-water mark. */
  private blocked = false;
  /** Set while a write of the buffer is scheduled. */
  private pumpScheduled = false;
  private sentCount = 0;
  /** `open`, `closing` (sending the rest, then done), or `ended`. */
  private state: 'open' | 'closing' | 'ended' = 'open';
  private endError: FlowError | undefined;
  private readonly doneWaiters: Array<(e: FlowError | undefined) => void> = [];
  /** The token of our BYE, once sent. */
  private byeToken: Buffer | undefined;
  private byeTimer: NodeJS.Timeout | undefined;

  /**
   * @param conn - an established connection
   * @param localId - this endpoint's id
   * @param remoteId - the peer's id
   * @param capacity - `peerBufferSize`
   * @param policy - `peerOverflowPolicy`
   * @param hooks - what the peer reports to its owner
   */
  constructor(
    private readonly conn: NativeConnection,
    private readonly localId: string,
    readonly remoteId: string,
    capacity: number,
    policy: PeerOverflowPolicy,
    private readonly hooks: NativePeerHooks,
  ) {
    this.buffer = new BoundedBuffer<WireItem>(capacity, policy);
    conn.on('message', (m) => this.onMessage(m));
    conn.on('dropped', (e) => hooks.dropped(e));
    conn.on('drain', () => {
      this.blocked = false;
      this.pump();
    });
    conn.on('close', (error, remote) => {
      this.clearByeTimer();
      this.end(new FlowError('consumer_down', `connection closed${error === undefined ? '' : `: ${error.message}`}`));
      hooks.closed(error, remote);
    });
  }

  // ---------------------------------------------------------------------------------
  // PeerOutput

  get buffered(): number {
    return this.buffer.buffered;
  }

  get capacity(): number {
    return this.buffer.capacity;
  }

  get sent(): number {
    return this.sentCount;
  }

  get dropped(): number {
    return this.buffer.dropped;
  }

  push(item: WireItem): boolean {
    if (this.state !== 'open') return false;
    const outcome = this.buffer.push(item);
    if (outcome === 'overflow') {
      this.abort(new FlowError('overflow', `peer buffer overflowed its capacity of ${this.buffer.capacity} messages`));
      return false;
    }
    if (outcome === 'droppedNewest') return false;
    if (!this.blocked && !this.pumpScheduled) {
      this.pumpScheduled = true;
      // Once the event loop's pass has run, not at the next microtask: a publisher that
      // awaits each publish hands the core a few messages per microtask, and a write per
      // microtask was a system call (and a TCP segment for the peer to read) per 31
      // messages; after the pass it is one per 53 (benchmarks/RESULTS.md).
      setImmediate(this.scheduledPump);
    }
    return true;
  }

  private readonly scheduledPump = (): void => {
    this.pumpScheduled = false;
    this.pump();
  };

  close(): void {
    if (this.state !== 'open') return;
    this.state = 'closing';
    this.pump();
  }

  abort(error: FlowError): void {
    if (this.state === 'ended') return;
    this.buffer.discard();
    this.end(error);
  }

  done(): Promise<FlowError | undefined> {
    if (this.state === 'ended') return Promise.resolve(this.endError);
    return new Promise((resolve) => this.doneWaiters.push(resolve));
  }

  /**
   * Writes buffered messages while the socket takes them; tells the owner when it wrote
   * some, so that publications waiting for room go on.
   */
  private pump(): void {
    const before = this.sentCount;
    while (!this.blocked && this.buffer.buffered > 0 && this.state !== 'ended' && this.conn.state === 'established') {
      // The socket takes up to its high-water mark: what fits leaves in one write.
      const batch: OperationMessage[] = [];
      let bytes = 0;
      while (this.buffer.buffered > 0 && bytes < NATIVE_WRITE_BATCH_BYTES) {
        const msg = this.toMessage(this.buffer.shift() as WireItem);
        if (msg === undefined) continue;
        batch.push(msg);
        bytes += msg.payload.length + msg.topic.length + NATIVE_FRAME_OVERHEAD;
      }
      if (batch.length === 0) continue;
      this.sentCount += batch.length;
      if (!this.conn.sendAll(batch)) this.blocked = true;
    }
    if (this.state === 'closing' && this.buffer.buffered === 0) this.end(undefined);
    if (this.sentCount !== before && this.state === 'open') this.hooks.drained();
  }

  /** The frame of a wire item: DATA, or the COMMAND of a store message. */
  private toMessage(item: WireItem): OperationMessage | undefined {
    if (this.hooks.isStoreItem(item)) return this.hooks.storeCommand(item);
    // As Broker: the sender is the last hop (this endpoint); the receiver is all zeros
    // unless the message is for one endpoint.
    return { type: 'data', sender: this.localId, receiver: item[5] ?? NIL_ENDPOINT_ID, ttl: item[4], topic: item[0], payload: item[1] };
  }

  private end(error: FlowError | undefined): void {
    if (this.state === 'ended') return;
    this.state = 'ended';
    this.endError = error;
    for (const w of this.doneWaiters.splice(0)) w(error);
  }

  // ---------------------------------------------------------------------------------
  // PeerInput

  consumed(n: number): void {
    this.held = Math.max(0, this.held - n);
    this.resumeIfRoom();
  }

  cancel(): void {
    this.inbox = [];
    this.held = 0;
  }

  /**
   * Takes the messages received since the last call. The core reports the data messages
   * it keeps with {@link NativePeer.hold} and their delivery with {@link NativePeer.consumed}.
   */
  take(): OperationMessage[] {
    const out = this.inbox;
    this.inbox = [];
    return out;
  }

  /** The core keeps `n` of the taken messages in its backlog until it consumes them. */
  hold(n: number): void {
    this.held += n;
    this.resumeIfRoom();
  }

  private onMessage(m: OperationMessage): void {
    if (m.type === 'pong') {
      if (this.byeToken !== undefined && Buffer.from(m.payload).equals(this.byeToken)) {
        this.clearByeTimer();
        this.conn.close();
      }
      return;
    }
    const wake = this.inbox.length === 0;
    this.inbox.push(m);
    if (!this.paused && this.inbox.length + this.held >= this.buffer.capacity) {
      this.paused = true;
      this.conn.pause();
    }
    if (wake) this.hooks.input();
  }

  private resumeIfRoom(): void {
    if (this.paused && this.inbox.length + this.held < this.buffer.capacity / 2) {
      this.paused = false;
      this.conn.resume();
    }
  }

  // ---------------------------------------------------------------------------------
  // PeerLink

  advertise(filter: string[]): void {
    if (this.conn.state !== 'established') return;
    this.conn.send({ type: 'routing_update', sender: this.localId, receiver: NIL_ENDPOINT_ID, ttl: 1, topic: NATIVE_RESERVED_TOPIC, payload: encodeRoutingUpdate(filter) });
  }

  /**
   * Ends the peering from our side. A graceful end (an unpeer) sends Broker's BYE PING and
   * closes on its PONG or after {@link NATIVE_UNPEER_TIMEOUT_MS}; otherwise the connection
   * closes at once (after what the socket holds).
   */
  bye(bye: PeerBye): void {
    this.abort(new FlowError('aborted', bye.reason));
    if (this.conn.state !== 'established' || this.byeToken !== undefined) return;
    if (bye.shutdown === true || bye.reconnect === true) {
      this.conn.close();
      return;
    }
    const token = Buffer.alloc(11);
    token.write('BYE', 0, 'latin1');
    token.writeBigUInt64LE(BigInt(Date.now()) * 1000n + BigInt(Math.floor(Math.random() * 1000)), 3);
    this.byeToken = token;
    this.conn.send({ type: 'ping', sender: this.localId, receiver: this.remoteId, ttl: 1, topic: NATIVE_RESERVED_TOPIC, payload: token });
    this.byeTimer = setTimeout(() => this.conn.close(), NATIVE_UNPEER_TIMEOUT_MS);
  }

  disconnect(): void {
    this.clearByeTimer();
    this.conn.close();
  }

  private clearByeTimer(): void {
    if (this.byeTimer !== undefined) clearTimeout(this.byeTimer);
    this.byeTimer = undefined;
  }
}

/**
 * The wire item of a DATA message from a native peer: its origin is the peer (Broker's
 * envelope names the last hop only) and it has no sequence number, so it is never taken
 * for a duplicate (Broker has no duplicate suppression); a receiver of all zeros means
 * every subscriber. The value decoded at receipt goes along, so that delivery does not
 * decode the payload again.
 */
export function nativeDataItem(m: OperationMessage): WireItem {
  return [m.topic, m.payload, null, NO_SEQUENCE, m.ttl, m.receiver === NIL_ENDPOINT_ID ? null : m.receiver, m.value];
}
