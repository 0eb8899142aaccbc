/**
 * The check every envelope from an untrusted node (a TCP peer) passes before the system
 * handles it. I/O-free: fed an envelope and what the system knows, it names the refusal.
 */
import type { Envelope } from './envelope';
import { EnvelopeKind } from './envelope';
import { messageTypeOf } from './message-type';

/** Why an envelope from an untrusted node was refused. */
export type RemoteRefusal =
  /** Its sender claims to be an actor of another node than the one that sent it. */
  | 'forged_sender'
  /** It is addressed to another node: untrusted nodes cannot route through this one. */
  | 'not_routed'
  /** A response to no request this node sent to that node. */
  | 'unknown_request'
  /** No such actor, or one that did not opt into remote access (`SpawnOptions.remote`). */
  | 'not_reachable'
  /** A message type the actor does not accept from remote nodes (system types included). */
  | 'type_refused'
  /** A node service that remote nodes may not call. */
  | 'service_refused'
  /** A kill, stop or link: remote nodes cannot stop actors of this node, nor tie them to theirs. */
  | 'kind_refused'
  /** An EXIT or DOWN whose reason is not an exit reason. */
  | 'malformed';

/** What the gate needs to know about the local node (implemented by `ActorSystem`). */
export interface RemoteGateHost {
  /** This node's id. */
  readonly nodeId: string;
  /** The live local actor `id`, if any. */
  actorFor(id: number): { readonly remotelyReachable: boolean; acceptsRemoteType(type: string): boolean } | undefined;
  /** Whether node service `type` may be called from untrusted nodes. */
  serviceIsRemote(type: string): boolean;
  /** The node request `rid` was sent to, while it is pending. */
  requestNode(rid: number): string | undefined;
}

const EXIT_KINDS: ReadonlySet<string> = new Set(['normal', 'error', 'kill', 'shutdown', 'unreachable', 'unknown']);

/**
 * Screens one envelope that arrived from untrusted node `node`.
 * @param host - the local node
 * @param node - the node whose connection delivered it
 * @param env - the decoded envelope
 * @returns undefined to let it through, else why it is refused
 */
export function screenRemote(host: RemoteGateHost, node: string, env: Envelope): RemoteRefusal | undefined {
  const from = env.from;
  if (from !== null && from.node !== node) return 'forged_sender';
  if (env.to.node !== host.nodeId) return 'not_routed';
  switch (env.kind) {
    case EnvelopeKind.Response:
    case EnvelopeKind.ErrorResponse:
      return host.requestNode(env.rid) === node ? undefined : 'unknown_request';
    case EnvelopeKind.Kill:
    case EnvelopeKind.Stop:
    case EnvelopeKind.Link:
      // A link would let the remote node stop the actor with an EXIT.
      return 'kind_refused';
    case EnvelopeKind.Exit:
    case EnvelopeKind.Down:
      // The actor acts on them only for a link or monitor it made itself with `from`.
      return isExitReason(env.msg) ? undefined : 'malformed';
    case EnvelopeKind.Message:
    case EnvelopeKind.Request: {
      const type = messageTypeOf(env.msg);
      if (env.to.id === 0) return type !== undefined && host.serviceIsRemote(type) ? undefined : 'service_refused';
      const actor = host.actorFor(env.to.id);
      if (actor === undefined || !actor.remotelyReachable) return 'not_reachable';
      return type !== undefined && actor.acceptsRemoteType(type) ? undefined : 'type_refused';
    }
    default: {
      // Unlink, monitor, demonitor: only towards actors open to remote nodes.
      if (from === null) return 'forged_sender';
      const actor = host.actorFor(env.to.id);
      return actor !== undefined && actor.remotelyReachable ? undefined : 'not_reachable';
    }
  }
}

function isExitReason(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false;
  const kind = (value as { kind?: unknown }).kind;
  if (typeof kind !== 'string' || !EXIT_KINDS.has(kind)) return false;
  return kind !== 'unreachable' || typeof (value as { node?: unknown }).node === 'string';
}
