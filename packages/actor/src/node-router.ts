/**
 * Delivers envelopes to local actors or to the link of their node.
 */
import type { Logger } from 'pino';
import { ActorError } from './actor-error';
import type { RefHost } from './actor-ref';
import type { Envelope } from './envelope';
import { decodeEnvelopes } from './envelope-codec';
import { ExitReasons, type ExitReason } from './exit-reason';
import type { NodeLink } from './node-link';

/** What the router needs from its system. @internal */
export interface RouterHost extends RefHost {
  readonly nodeId: string;
  deliverLocal(env: Envelope): void;
  /** An envelope for a node with no route: answer it as unreachable. */
  unroutable(env: Envelope): void;
  /** Fail links, monitors and requests of every node for which `lost` is true. */
  nodesLost(lost: (node: string) => boolean, origin: string): void;
  /** Tell a directly linked node that `node` was lost (sent to its node service). */
  notifyNodeDown(link: NodeLink, node: string, orderly: boolean): void;
}

/** Options for {@link NodeRouter.linkUp}. */
export interface LinkUpOptions {
  /**
   * Use this link for every node without a direct link (a worker thread's link to its
   * parent: the parent forwards). At most one default link.
   */
  default?: boolean;
  /**
   * This link is a shortcut to a node that is also reachable through the node `via` (a
   * direct channel between two sibling workers, `via` being their parent): a `node-down`
   * notice from `via` about the node calls `viaLost` when given (the transport then takes
   * the link down once it has delivered what the node sent before it went), else closes
   * the link and takes the node down at once.
   */
  via?: string;
  /** See `via`. */
  viaLost?: () => void;
}

/**
 * The node router of one system. Envelopes for this node are delivered locally; others go
 * to the direct link of their node, else to the default link, else are answered as
 * unreachable. A node that forwards (the main thread between its workers) tells its other
 * links when a node behind it is lost. Topologies must be trees: there is no hop limit.
 */
export class NodeRouter {
  private readonly links = new Map<string, NodeLink>();
  private defaultLink: NodeLink | null = null;
  /** For shortcut links (`LinkUpOptions.via`): the node that also reaches them. */
  private readonly viaOf = new Map<string, { via: string; lost?: () => void }>();
  private forwardedCount = 0;

  /** @internal */
  constructor(
    private readonly host: RouterHost,
    private readonly log: Logger,
  ) {}

  /** Node ids with a direct link, in link order. */
  get nodes(): string[] {
    return [...this.links.keys()];
  }

  /** The link an envelope for `node` would take, if any. */
  routeFor(node: string): NodeLink | undefined {
    return this.links.get(node) ?? this.defaultLink ?? undefined;
  }

  /**
   * Number of batches this node has passed on with `forwardBatch` (a worker tree's hub:
   * sibling traffic that went through this node instead of a direct channel).
   */
  get forwardedBatches(): number {
    return this.forwardedCount;
  }

  /** True when `node` has a direct link. */
  hasLink(node: string): boolean {
    return this.links.has(node);
  }

  /**
   * Registers a link to its remote node.
   * @throws ActorError `invalid_argument` when the node is this node or already linked
   */
  linkUp(link: NodeLink, options: LinkUpOptions = {}): void {
    const node = link.remoteNode;
    if (typeof node !== 'string' || node === '' || node === this.host.nodeId) throw new ActorError('invalid_argument', `cannot link to node '${String(node)}'`);
    if (this.links.has(node)) throw new ActorError('invalid_argument', `node ${node} is already linked`);
    if (options.default === true && this.defaultLink !== null) throw new ActorError('invalid_argument', 'a default link is already set');
    this.links.set(node, link);
    if (options.default === true) this.defaultLink = link;
    if (options.via !== undefined) this.viaOf.set(node, { via: options.via, lost: options.viaLost });
    this.log.info({ event: 'node-up', node, default: options.default === true, via: options.via }, 'node link up');
  }

  /**
   * Reports the loss of the link to `node` (called by transports). Idempotent; ignores
   * links it does not hold. Everything involving that node (and, for the default link,
   * every node reached through it) fails with `unreachable`, and the other links hear
   * that the node is gone.
   * @param node - the remote node id
   * @param cause - what happened, for the log
   * @param orderly - the link ended by agreement (a goodbye, a shutdown, a worker that
   *   exited normally): logged at `info` instead of `warn`, and told to the other links
   *   so that they do not warn either (default: judged from `cause`)
   */
  linkDown(node: string, cause?: unknown, orderly = isOrderly(cause)): void {
    const link = this.links.get(node);
    if (link === undefined) return;
    this.links.delete(node);
    this.viaOf.delete(node);
    const wasDefault = this.defaultLink === link;
    if (wasDefault) this.defaultLink = null;
    // A link that ended by agreement (a goodbye, a shutdown) needs no human.
    this.log[orderly ? 'info' : 'warn']({ event: 'node-down', node, cause: describe(cause) }, 'node link down');
    const lost = wasDefault ? (n: string) => n !== this.host.nodeId && !this.links.has(n) : (n: string) => n === node;
    this.host.nodesLost(lost, node);
    for (const other of this.links.values()) this.host.notifyNodeDown(other, node, orderly);
  }

  /**
   * Handles a `node-down` notice from `from` about `node`: acted on only when this
   * system reaches `node` through `from` (then it is forwarded to the other links), or
   * holds a shortcut link to `node` that `from` also reaches (closed and taken down).
   * @internal
   */
  remoteNodeDown(from: string, node: string, orderly = false): void {
    const shortcut = this.links.get(node);
    const via = this.viaOf.get(node);
    if (shortcut !== undefined && via !== undefined && via.via === from) {
      if (via.lost !== undefined) return via.lost();
      shortcut.close(ExitReasons.unreachable(node));
      this.linkDown(node, `node-down notice from ${from}`);
      return;
    }
    if (node === this.host.nodeId || this.links.has(node)) return;
    if (this.defaultLink === null || this.defaultLink.remoteNode !== from) return;
    this.log[orderly ? 'info' : 'warn']({ event: 'node-down', node, via: from }, 'node behind a link is down');
    this.host.nodesLost((n) => n === node, node);
    for (const other of this.links.values()) if (other.remoteNode !== from) this.host.notifyNodeDown(other, node, orderly);
  }

  /**
   * Entry point for envelopes decoded by a transport: delivered locally or forwarded.
   * @param env - a decoded envelope
   */
  receive(env: Envelope): void {
    if (env.to.node === this.host.nodeId) this.host.deliverLocal(env);
    else this.forward(env);
  }

  /**
   * Entry point for a whole batch that another node encoded for `node` (a node behind
   * this one): handed to the link as bytes when it supports `sendBatch`, else decoded
   * and routed envelope by envelope (unroutable ones are answered as unreachable).
   * Undecodable batches are logged (`decode-failed`) and dropped.
   * @param node - the node the batch is addressed to
   * @param bytes - a batch from `encodeEnvelopes(envs, sender, node)`
   */
  forwardBatch(node: string, bytes: Uint8Array): void {
    this.forwardedCount++;
    const link = node === this.host.nodeId ? undefined : (this.links.get(node) ?? this.defaultLink ?? undefined);
    if (link !== undefined && link.sendBatch !== undefined) {
      link.sendBatch(bytes);
      return;
    }
    let envs: Envelope[];
    try {
      envs = decodeEnvelopes(bytes, this.host);
    } catch (e) {
      this.log.warn({ event: 'decode-failed', node, err: e }, 'dropped an undecodable forwarded batch');
      return;
    }
    for (const env of envs) this.receive(env);
  }

  /** Sends an envelope for another node to its link. @internal */
  forward(env: Envelope): void {
    const link = this.links.get(env.to.node) ?? this.defaultLink;
    if (link === null || link === undefined) this.host.unroutable(env);
    else link.send(env);
  }

  /** Closes every link (shutdown). @internal */
  closeAll(reason: ExitReason = ExitReasons.shutdown): void {
    const all = [...this.links.values()];
    this.links.clear();
    this.viaOf.clear();
    this.defaultLink = null;
    for (const link of all) {
      try {
        link.close(reason);
      } catch (e) {
        this.log.error({ event: 'link-close-failed', node: link.remoteNode, err: e }, 'closing a link threw');
      }
    }
  }
}

function describe(cause: unknown): string | undefined {
  if (cause === undefined) return undefined;
  return cause instanceof Error ? cause.message : String(cause);
}

/** Tells whether a link's end was orderly: the remote said goodbye or shut down. */
function isOrderly(cause: unknown): boolean {
  if (typeof cause !== 'object' || cause === null) return false;
  const { reason, kind } = cause as { reason?: unknown; kind?: unknown };
  return reason === 'shutdown' || reason === 'connection_closed' || kind === 'shutdown' || kind === 'normal';
}
