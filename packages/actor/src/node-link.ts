/**
 * The seam between the runtime and a transport (worker threads, TCP).
 */
import type { Envelope } from './envelope';
import type { ExitReason } from './exit-reason';

/**
 * A connection to one remote node, provided by a transport and registered with
 * `system.router.linkUp(link)`.
 *
 * Contract:
 * - `send` is called synchronously by the router for every envelope addressed to
 *   `remoteNode` (or routed through it). It must not throw and must not block; it
 *   should queue the envelope and flush many envelopes per write / postMessage (encode
 *   the batch with `encodeEnvelopes`), for example on a microtask or when the batch is
 *   large. Per-envelope writes cap throughput far below the codec.
 * - Incoming bytes are decoded with `decodeEnvelopes(bytes, system)` and each envelope is
 *   handed to `system.router.receive(envelope)`.
 * - When the connection is lost (error, EOF, heartbeat timeout, worker exit), the
 *   transport calls `system.router.linkDown(remoteNode, cause)`; the router then fails
 *   every link, monitor and request involving that node with reason `unreachable`.
 * - `close` is called by the router (shutdown, replaced link); the transport flushes if
 *   it can, releases its resources, and must not call `linkDown` for this link afterwards
 *   (calling it is harmless: the router ignores links it no longer holds).
 */
export interface NodeLink {
  /** Node id of the system at the other end. */
  readonly remoteNode: string;
  /** Queues an envelope for the remote node (never throws). */
  send(envelope: Envelope): void;
  /**
   * Closes the link. Idempotent.
   * @param reason - why (for logs and, where the transport can, the peer)
   */
  close(reason: ExitReason): void;
  /**
   * Optional: sends a batch that another node already encoded for `remoteNode` (its
   * header names that node as receiver), as is. Links that implement it let a forwarding
   * node (the main thread between its workers) pass batches on without decoding them;
   * `router.forwardBatch(node, bytes)` uses it when present.
   */
  sendBatch?(bytes: Uint8Array): void;
}
