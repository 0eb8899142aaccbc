/**
 * The parent side of direct channels between sibling worker nodes.
 */
import { MessageChannel } from 'node:worker_threads';
import type { ActorSystem } from '../actor-system';
import type { MessagePortLink } from './message-port-link';
import type { RelayEnd, SiblingIntro } from './worker-data';

const introducers = new WeakMap<ActorSystem, SiblingIntroducer>();

/**
 * Introduces the worker nodes of one parent system to each other. The first time the
 * parent relays a batch from worker A to worker B, it creates a `MessageChannel` and
 * posts one port to each ({@link SiblingIntro}); both link it up and then talk directly.
 * The parent also passes each worker's {@link RelayEnd} marker on to the sibling, in
 * order with the batches it relayed, so that the switch-over keeps order per sender.
 *
 * Memory: one entry per worker node and one per introduced pair, removed when a worker
 * ends.
 */
export class SiblingIntroducer {
  /** Links to the worker nodes that accept introductions, by node id. */
  private readonly links = new Map<string, MessagePortLink>();
  /** Introduced pairs (`a\n b`, a < b). */
  private readonly pairs = new Set<string>();

  /**
   * The introducer of `system` (one per system, created on first use).
   * @param system - the parent system
   */
  static of(system: ActorSystem): SiblingIntroducer {
    let found = introducers.get(system);
    if (found === undefined) {
      found = new SiblingIntroducer();
      introducers.set(system, found);
    }
    return found;
  }

  /** Number of introduced pairs still alive. */
  get pairCount(): number {
    return this.pairs.size;
  }

  /** Registers the link to a worker node that accepts introductions. */
  add(link: MessagePortLink): void {
    this.links.set(link.remoteNode, link);
  }

  /** Forgets a worker node that ended and its pairs. */
  remove(node: string): void {
    this.links.delete(node);
    for (const key of [...this.pairs]) {
      const [a, b] = key.split('\n');
      if (a === node || b === node) this.pairs.delete(key);
    }
  }

  /**
   * Called after a batch from `from` was relayed to `to`: introduces the two when both
   * accept introductions and have not been introduced yet.
   */
  relayed(from: string, to: string): void {
    const key = from < to ? `${from}\n${to}` : `${to}\n${from}`;
    if (this.pairs.has(key)) return;
    const a = this.links.get(from);
    const b = this.links.get(to);
    if (a === undefined || b === undefined) return;
    this.pairs.add(key);
    const { port1, port2 } = new MessageChannel();
    const toA: SiblingIntro = { intro: to, port: port1 };
    const toB: SiblingIntro = { intro: from, port: port2 };
    if (!a.postControl(toA, [port1])) port1.close();
    if (!b.postControl(toB, [port2])) port2.close();
  }

  /**
   * Handles a control message from worker `from` (its {@link RelayEnd} markers).
   * @returns false when `data` is not a control message
   */
  control(from: string, data: object): boolean {
    const end = (data as Partial<RelayEnd>).relayEnd;
    if (typeof end !== 'string') return false;
    const marker: RelayEnd = { relayEnd: from };
    this.links.get(end)?.postControl(marker);
    return true;
  }
}
