/**
 * A node link over a worker_threads MessagePort (or a Worker), batching envelopes.
 */
import { performance } from 'node:perf_hooks';
import type { TransferListItem } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { ActorSystem } from '../actor-system';
import { decodeEnvelopes, encodeEnvelopes } from '../envelope-codec';
import type { Envelope } from '../envelope';
import type { ExitReason } from '../exit-reason';
import type { NodeLink } from '../node-link';

/** The part of `MessagePort` / `Worker` the link uses. */
export interface PortLike {
  postMessage(value: unknown, transferList?: readonly TransferListItem[]): void;
  on(event: 'message', listener: (value: unknown) => void): unknown;
  off(event: 'message', listener: (value: unknown) => void): unknown;
  /** Present on a `MessagePort`: called by `close()` when the link owns the port. */
  close?(): void;
}

/** Options for {@link MessagePortLink}. */
export interface MessagePortLinkOptions {
  /** Envelopes per postMessage before an early flush (default 1024). */
  maxBatch?: number;
  /**
   * Handles plain objects that arrive on the port and are neither batches nor forwarded
   * batches (control messages of the worker tree: sibling introductions). Without it they
   * are logged as `decode-failed` and dropped.
   */
  control?: (data: object) => void;
  /** Called after a batch for `node` (behind this node) was received and passed on. */
  relayed?: (node: string) => void;
  /**
   * Do not read the port until {@link MessagePortLink.resume} (incoming messages wait
   * in the port's own queue): a sibling channel waits until the relay path is drained.
   */
  paused?: boolean;
  /** `close()` also closes the port (a port this link owns, e.g. a sibling channel). */
  ownsPort?: boolean;
  /**
   * Checks that the other end's event loop runs, without traffic: once anything arrived
   * from it, a ping every `interval` real milliseconds (default `timeout / 4`), and
   * `onDead` once a ping stays unanswered (and nothing else arrived) for `timeout` ms.
   * Every link answers pings; a thread spinning in a loop cannot. Time this thread itself
   * was blocked is not counted.
   */
  liveness?: { timeout: number; interval?: number; onDead: (detail: string) => void };
}

/** A liveness probe on the port, answered by the other end's link with `{ pong }`. */
interface Ping {
  ping: number;
}

/** What a forwarded batch looks like on the port: bytes encoded for node `fwd`. */
interface ForwardedBatch {
  fwd: string;
  bytes: Uint8Array;
}

/**
 * A {@link NodeLink} over a MessagePort. Envelopes sent during one synchronous stretch
 * (typically one scheduler drain) are encoded together with cbor-x, one batch per
 * destination node, and posted on a microtask (or at once when `maxBatch` envelopes are
 * pending, which bounds the buffer). Each batch is copied once into a tight buffer and
 * transferred. A batch for a node behind the other end (a sibling worker reached through
 * the parent) is encoded for that node and posted as `{ fwd, bytes }`: the parent hands
 * the bytes on with {@link MessagePortLink.sendBatch} without decoding them.
 * Undecodable input is logged (`decode-failed`) and dropped.
 */
export class MessagePortLink implements NodeLink {
  /** Pending envelopes per destination node, in send order. */
  private batches = new Map<string, Envelope[]>();
  private pending = 0;
  private flushQueued = false;
  private closed = false;
  private listening = false;
  private readonly maxBatch: number;
  private readonly log: Logger;
  private readonly options: MessagePortLinkOptions;
  /** The liveness timer (see `MessagePortLinkOptions.liveness`). */
  private pingTimer: NodeJS.Timeout | undefined;
  /** When the unanswered ping was sent (undefined: none outstanding). */
  private pingSentAt: number | undefined;
  private pingSeq = 0;
  /** Whether anything arrived from the other end yet: pings are judged only after that. */
  private heard = false;

  /**
   * @param system - the local system (incoming envelopes go to its router)
   * @param port - the port or worker to talk through
   * @param remoteNode - node id at the other end
   */
  constructor(
    private readonly system: ActorSystem,
    private readonly port: PortLike,
    readonly remoteNode: string,
    options: MessagePortLinkOptions = {},
  ) {
    this.maxBatch = options.maxBatch ?? 1024;
    this.options = options;
    this.log = system.loggerFor('worker');
    if (options.paused !== true) this.resume();
    if (options.liveness !== undefined) this.startPings(options.liveness);
  }

  private startPings(liveness: NonNullable<MessagePortLinkOptions['liveness']>): void {
    const { timeout, onDead } = liveness;
    const interval = Math.max(1, liveness.interval ?? timeout / 4);
    let due = performance.now() + interval;
    this.pingTimer = setInterval(() => {
      const now = performance.now();
      // This thread was blocked: the answer may be waiting in the port; do not judge now.
      if (now - due > interval) this.pingSentAt = undefined;
      due = now + interval;
      // A thread still loading its modules cannot answer yet; its start has its own deadline.
      if (this.closed || !this.heard) return;
      if (this.pingSentAt === undefined) {
        this.pingSentAt = now;
        this.port.postMessage({ ping: ++this.pingSeq } satisfies Ping);
      } else if (now - this.pingSentAt >= timeout) {
        clearInterval(this.pingTimer);
        this.pingTimer = undefined;
        const detail = `no answer to a ping within ${timeout} ms: the thread is hung`;
        this.log.warn({ event: 'peer-hung', node: this.remoteNode, timeout }, detail);
        onDead(detail);
      }
    }, interval);
    this.pingTimer.unref();
  }

  /** Starts reading the port (a link created with `paused`); idempotent. */
  resume(): void {
    if (this.listening || this.closed) return;
    this.listening = true;
    this.port.on('message', this.onMessage);
  }

  /**
   * Posts a control message (see `MessagePortLinkOptions.control`) after everything
   * queued so far, transferring `transfer`.
   * @returns false when the link is closed (nothing posted)
   */
  postControl(value: object, transfer: readonly TransferListItem[] = []): boolean {
    if (this.closed) return false;
    this.flush();
    this.port.postMessage(value, transfer);
    return true;
  }

  /** Queues an envelope; flushed on a microtask or when `maxBatch` are pending. */
  send(envelope: Envelope): void {
    if (this.closed) {
      this.system.unroutable(envelope);
      return;
    }
    const node = envelope.to.node;
    let batch = this.batches.get(node);
    if (batch === undefined) {
      batch = [];
      this.batches.set(node, batch);
    }
    batch.push(envelope);
    if (++this.pending >= this.maxBatch) this.flush();
    else if (!this.flushQueued) {
      this.flushQueued = true;
      queueMicrotask(this.flush);
    }
  }

  /**
   * Posts a batch already encoded for {@link MessagePortLink.remoteNode} (by the node
   * that sent it), without decoding it.
   */
  sendBatch(bytes: Uint8Array): void {
    if (this.closed) {
      let envs: Envelope[] = [];
      try {
        envs = decodeEnvelopes(bytes, this.system);
      } catch {
        // Undecodable and undeliverable: nothing to answer.
      }
      for (const env of envs) this.system.unroutable(env);
      return;
    }
    this.transfer(bytes, null);
  }

  /** Flushes what is queued and stops listening. Idempotent. */
  close(_reason?: ExitReason): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    if (this.pingTimer !== undefined) clearInterval(this.pingTimer);
    this.pingTimer = undefined;
    if (this.listening) this.port.off('message', this.onMessage);
    this.listening = false;
    if (this.options.ownsPort === true) this.port.close?.();
  }

  /** Posts the queued envelopes, one batch per destination node. */
  readonly flush = (): void => {
    this.flushQueued = false;
    if (this.pending === 0 || this.closed) return;
    const batches = this.batches;
    this.batches = new Map();
    this.pending = 0;
    for (const [node, envs] of batches) this.postBatch(node, envs);
  };

  private postBatch(node: string, envs: Envelope[]): void {
    const fwd = node === this.remoteNode ? null : node;
    try {
      this.transfer(encodeEnvelopes(envs, this.system.nodeId, node), fwd);
    } catch {
      // One message could not be encoded: isolate it so that the others still go out.
      for (const env of envs) {
        let bytes: Uint8Array;
        try {
          bytes = encodeEnvelopes([env], this.system.nodeId, node);
        } catch (e) {
          this.log.error({ event: 'encode-failed', to: env.to.key, err: e }, 'message cannot cross the thread boundary');
          this.system.deadLetter(env, 'invalid_argument');
          continue;
        }
        this.transfer(bytes, fwd);
      }
    }
  }

  /**
   * Posts bytes, transferring a buffer that holds exactly them: bytes that span their
   * whole buffer are transferred as they are, others (a view into the encoder's buffer)
   * are first copied into a tight one. `Buffer#slice` would not copy, and transferring
   * the encoder's buffer would detach it and make it start over on every batch.
   */
  private transfer(bytes: Uint8Array, fwd: string | null): void {
    const own = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : new Uint8Array(bytes);
    const list = [own.buffer as ArrayBuffer];
    if (fwd === null) this.port.postMessage(own, list);
    else this.port.postMessage({ fwd, bytes: own } satisfies ForwardedBatch, list);
  }

  private readonly onMessage = (data: unknown): void => {
    // Anything from the other end shows that its event loop runs.
    this.pingSentAt = undefined;
    this.heard = true;
    this.system.scheduler.ioCallback?.();
    if (!(data instanceof Uint8Array)) {
      const f = data as ForwardedBatch | null;
      if (typeof f === 'object' && f !== null && 'ping' in f) {
        if (!this.closed) this.port.postMessage({ pong: (f as Ping).ping });
        return;
      }
      if (typeof f === 'object' && f !== null && 'pong' in f) return;
      if (typeof f === 'object' && f !== null && typeof f.fwd === 'string' && f.bytes instanceof Uint8Array) {
        this.system.router.forwardBatch(f.fwd, f.bytes);
        this.options.relayed?.(f.fwd);
      } else if (typeof f === 'object' && f !== null && this.options.control !== undefined) this.options.control(f);
      else this.log.warn({ event: 'decode-failed', node: this.remoteNode, reason: 'not a byte batch' }, 'dropped a message that is not an envelope batch');
      return;
    }
    let envs: Envelope[];
    try {
      envs = decodeEnvelopes(data, this.system);
    } catch (e) {
      this.log.warn({ event: 'decode-failed', node: this.remoteNode, err: e }, 'dropped an undecodable batch');
      return;
    }
    const router = this.system.router;
    for (const env of envs) router.receive(env);
  };
}
