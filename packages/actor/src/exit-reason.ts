/**
 * Why an actor stopped; delivered to links (EXIT) and monitors (DOWN).
 */

/** The reason an actor stopped. */
export type ExitReason =
  /** Stopped on its own, without failure. Linked actors ignore it unless they trap exits. */
  | { readonly kind: 'normal' }
  /** A handler threw, or it was asked to stop with an error. */
  | { readonly kind: 'error'; readonly cause: unknown }
  /** Killed; a kill cannot be trapped by its target. */
  | { readonly kind: 'kill' }
  /** Stopped because its system (or its supervisor) shut down. */
  | { readonly kind: 'shutdown' }
  /** Its node became unreachable (worker crashed, connection lost). */
  | { readonly kind: 'unreachable'; readonly node: string }
  /** The actor was already gone when the link or monitor was set up. */
  | { readonly kind: 'unknown' };

/** Factories and predicates for {@link ExitReason} values. */
export const ExitReasons = {
  /** The normal reason. */
  normal: { kind: 'normal' } as ExitReason,
  /** The kill reason. */
  kill: { kind: 'kill' } as ExitReason,
  /** The shutdown reason. */
  shutdown: { kind: 'shutdown' } as ExitReason,
  /** The reason given for actors that no longer exist. */
  unknown: { kind: 'unknown' } as ExitReason,
  /**
   * An error reason.
   * @param cause - the error (or value) that caused the stop
   */
  error(cause: unknown): ExitReason {
    return { kind: 'error', cause };
  },
  /**
   * The reason for actors on a lost node.
   * @param node - the node id that became unreachable
   */
  unreachable(node: string): ExitReason {
    return { kind: 'unreachable', node };
  },
  /** True for every reason except `normal` (supervisors restart transient children on these). */
  isAbnormal(reason: ExitReason): boolean {
    return reason.kind !== 'normal';
  },
  /**
   * A short human-readable description, e.g. `error: boom`.
   * @param reason - the reason to describe
   */
  describe(reason: ExitReason): string {
    switch (reason.kind) {
      case 'error': {
        const c = reason.cause as { message?: unknown } | null;
        return `error: ${c !== null && typeof c === 'object' && 'message' in c ? String(c.message) : String(reason.cause)}`;
      }
      case 'unreachable':
        return `unreachable: ${reason.node}`;
      default:
        return reason.kind;
    }
  },
} as const;
