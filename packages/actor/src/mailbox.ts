/**
 * An actor's mailbox: system envelopes first, then ordinary ones, each FIFO.
 */
import { Envelope, isUrgent } from './envelope';
import { FifoQueue } from './fifo-queue';

/** Outcome of {@link Mailbox.push}. */
export enum PushResult {
  /** Queued. */
  Queued = 0,
  /** Rejected: the ordinary queue reached its capacity. */
  Full = 1,
  /** Rejected: the mailbox is closed (its actor stopped). */
  Closed = 2,
}

/**
 * A two-lane FIFO mailbox. Urgent envelopes (exit, down, kill, stop) overtake ordinary
 * ones; within each lane order is preserved, hence FIFO per sender.
 *
 * Who may call what: any sender calls {@link Mailbox.push}; only the owning actor calls
 * {@link Mailbox.shift} and {@link Mailbox.close}.
 *
 * Bound: ordinary envelopes are bounded by `capacity` when one is given. The default is
 * unbounded, as in CAF and Erlang: plain sends have no backpressure by design; producers
 * that can outrun their consumer use flows (credit-based streams) or a `mailboxCapacity`.
 * Urgent envelopes are never dropped: there is at most one per link, monitor or stop
 * request.
 */
export class Mailbox {
  private readonly urgent = new FifoQueue<Envelope>(4);
  private readonly normal = new FifoQueue<Envelope>(16);
  private closedFlag = false;

  /** @param capacity - maximum ordinary envelopes queued (default unbounded) */
  constructor(readonly capacity = Infinity) {}

  /** Pending envelopes in both lanes. */
  get size(): number {
    return this.urgent.size + this.normal.size;
  }

  /** True once {@link Mailbox.close} ran. */
  get closed(): boolean {
    return this.closedFlag;
  }

  /** Enqueues an envelope (callable by anyone). */
  push(env: Envelope): PushResult {
    if (this.closedFlag) return PushResult.Closed;
    if (isUrgent(env.kind)) {
      this.urgent.push(env);
    } else {
      if (this.normal.size >= this.capacity) return PushResult.Full;
      this.normal.push(env);
    }
    return PushResult.Queued;
  }

  /** Next envelope, urgent ones first (owner only). */
  shift(): Envelope | undefined {
    return this.urgent.size > 0 ? this.urgent.shift() : this.normal.shift();
  }

  /** Closes the mailbox and returns what was pending, urgent ones first (owner only). */
  close(): Envelope[] {
    this.closedFlag = true;
    return this.urgent.drain().concat(this.normal.drain());
  }
}
