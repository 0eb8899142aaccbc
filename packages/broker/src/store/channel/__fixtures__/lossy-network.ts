/**
 * A simulated unreliable network for tests: messages are dropped, duplicated and
 * reordered (each copy gets a random delay in steps), driven by a seeded PRNG so that a
 * failing run can be replayed from its seed.
 */

import { prng } from '../../seeded-random';

export { prng };

/** How unreliable the network is. */
export interface LossProfile {
  /** Probability that a message is lost. */
  dropRate: number;
  /** Probability that a delivered message arrives twice. */
  duplicateRate: number;
  /** Largest delay in steps (delays are uniform in [0, maxDelay]; > 0 reorders). */
  maxDelay: number;
}

/** A reliable, in-order profile (delay 0). */
export const RELIABLE: LossProfile = { dropRate: 0, duplicateRate: 0, maxDelay: 0 };

interface InFlight<M> {
  due: number;
  order: number;
  to: string;
  msg: M;
}

/** The simulated network: `send` queues, `step` delivers what is due. */
export class LossyNetwork<M> {
  /** The PRNG (shared with the test so that one seed decides everything). */
  readonly random: () => number;
  /** The current profile. */
  profile: LossProfile;
  /** Messages sent, dropped and delivered so far. */
  readonly stats = { sent: 0, dropped: 0, delivered: 0 };
  private queue: InFlight<M>[] = [];
  private now = 0;
  private counter = 0;
  private readonly copy: (msg: M) => M;

  /**
   * @param seed - PRNG seed
   * @param profile - loss profile
   * @param copy - how a message is copied on the wire (default: the same object)
   */
  constructor(seed: number, profile: LossProfile, copy: (msg: M) => M = (m) => m) {
    this.random = prng(seed);
    this.profile = profile;
    this.copy = copy;
  }

  /** Messages in flight. */
  get inFlight(): number {
    return this.queue.length;
  }

  /** Sends a message to `to` (it may be lost, duplicated or delayed). */
  send(to: string, msg: M): void {
    this.stats.sent++;
    const { dropRate, duplicateRate, maxDelay } = this.profile;
    if (this.random() < dropRate) {
      this.stats.dropped++;
      return;
    }
    const copies = this.random() < duplicateRate ? 2 : 1;
    for (let i = 0; i < copies; i++) {
      const delay = maxDelay > 0 ? Math.floor(this.random() * (maxDelay + 1)) : 0;
      this.queue.push({ due: this.now + delay, order: this.random(), to, msg: this.copy(msg) });
    }
  }

  /**
   * Advances one step and delivers every message due, in random order among those due
   * together (and in send order on a reliable profile).
   * @param deliver - receives each message
   */
  step(deliver: (to: string, msg: M) => void): void {
    const due = this.queue.filter((m) => m.due <= this.now);
    this.queue = this.queue.filter((m) => m.due > this.now);
    this.now++;
    if (this.profile.maxDelay > 0) due.sort((a, b) => a.order - b.order);
    for (const m of due) {
      this.stats.delivered++;
      this.counter++;
      deliver(m.to, m.msg);
    }
  }
}
