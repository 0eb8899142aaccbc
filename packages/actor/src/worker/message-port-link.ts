/**
 * A node link over a worker_threads MessagePort (or a Worker), batching envelopes.
 */
import type { Logger } from 'pino';
import type { ActorSystem } from '../actor-system';
import { decodeEnvelopes, encodeEnvelopes } from '../envelope-codec';
import type { Envelope } from '../envelope';
import type { ExitReason } from '../exit-reason';
import type { NodeLink } from '../node-link';

/** The part of `MessagePort` / `Worker` the link uses. */
export interface PortLike {
  postMessage(value: unknown, transferList?: readonly ArrayBuffer[]): void;
  on(event: 'message', listener: (value: unknown) => void): unknown;
  off(event: 'message', listener: (value: unknown) => void): unknown;
}

/** Options for {@link MessagePortLink}. */
export interface MessagePortLinkOptions {
  /** Envelopes per postMessage before an early flush (default 1024). */
  maxBatch?: number;
}

/**
 * A {@link NodeLink} over a MessagePort. Envelopes sent during one synchronous stretch
 * (typically one scheduler drain) are encoded together with cbor-x and posted as one
 * Uint8Array on a microtask, or at once when `maxBatch` is reached; so the batch buffer
 * is bounded by `maxBatch`. Each batch is copied once into a tight buffer and
 * transferred. Undecodable input is logged (`decode-failed`) and dropped.
 */
export class MessagePortLink implements NodeLink {
  private batch: Envelope[] = [];
  private flushQueued = false;
  private closed = false;
  private readonly maxBatch: number;
  private readonly log: Logger;

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
    this.log = system.loggerFor('worker');
    port.on('message', this.onMessage);
  }

  /** Queues an envelope; flushed on a microtask or when the batch is full. */
  send(envelope: Envelope): void {
    if (this.closed) {
      this.system.unroutable(envelope);
      return;
    }
    this.batch.push(envelope);
    if (this.batch.length >= this.maxBatch) this.flush();
    else if (!this.flushQueued) {
      this.flushQueued = true;
      queueMicrotask(this.flush);
    }
  }

  /** Flushes what is queued and stops listening. Idempotent. */
  close(_reason?: ExitReason): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    this.port.off('message', this.onMessage);
  }

  /** Posts the queued envelopes as one batch. */
  readonly flush = (): void => {
    this.flushQueued = false;
    if (this.batch.length === 0 || this.closed) return;
    const envs = this.batch;
    this.batch = [];
    try {
      this.post(encodeEnvelopes(envs, this.system.nodeId, this.remoteNode));
    } catch {
      // One message could not be encoded: isolate it so that the others still go out.
      for (const env of envs) {
        let bytes: Uint8Array;
        try {
          bytes = encodeEnvelopes([env], this.system.nodeId, this.remoteNode);
        } catch (e) {
          this.log.error({ event: 'encode-failed', to: env.to.key, err: e }, 'message cannot cross the thread boundary');
          this.system.deadLetter(env, 'invalid_argument');
          continue;
        }
        this.post(bytes);
      }
    }
  };

  private post(bytes: Uint8Array): void {
    const copy = bytes.slice();
    this.port.postMessage(copy, [copy.buffer as ArrayBuffer]);
  }

  private readonly onMessage = (data: unknown): void => {
    if (!(data instanceof Uint8Array)) {
      this.log.warn({ event: 'decode-failed', node: this.remoteNode, reason: 'not a byte batch' }, 'dropped a message that is not an envelope batch');
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
