/**
 * The sinks of callback subscriptions (`Endpoint.subscribe`, `Endpoint.subscribeLazy`):
 * each message goes to the callback at once, in the core's turn. A callback that throws
 * (or an `async` one whose promise rejects) is logged and does not reach the core; once
 * the subscription ends, messages are refused.
 */
import type { Data } from '@broker-ts/data';
import type { Logger } from 'pino';

import { LazyDataMessage } from './lazy-data-message';
import type { SubscriptionSink } from './local-subscription';

/** What both callback sinks share: the open flag, and the logging of a callback that threw. */
abstract class CallbackSink {
  /** Cleared when the subscription ends. */
  open = true;
  /** Callbacks take every message. */
  readonly freeCapacity = Number.POSITIVE_INFINITY;

  /** @param log - where a callback that threw is reported */
  constructor(private readonly log: Logger) {}

  close(): void {
    this.open = false;
  }

  protected failed(topic: string, e: unknown): void {
    this.log.warn({ event: 'callback-failed', topic, detail: e instanceof Error ? e.message : String(e) }, 'a subscription callback threw');
  }

  /**
   * An `async` callback's promise: its rejection is logged as a throw would be (never an
   * unhandled rejection, which ends a Node process). Delivery does not wait for it.
   */
  protected settled(topic: string, result: unknown): void {
    if (result !== undefined && typeof (result as PromiseLike<unknown> | null)?.then === 'function') {
      (result as PromiseLike<unknown>).then(undefined, (e: unknown) => this.failed(topic, e));
    }
  }
}

/** Hands `(topic, value)` to the callback; the core decodes the value. */
export class ValueCallbackSink extends CallbackSink implements SubscriptionSink {
  constructor(
    log: Logger,
    private readonly callback: (topic: string, value: Data) => void,
  ) {
    super(log);
  }

  push(item: [string, Data]): boolean {
    if (!this.open) return false;
    try {
      this.settled(item[0], this.callback(item[0], item[1]));
    } catch (e) {
      this.failed(item[0], e);
    }
    return true;
  }
}

/** Hands a {@link LazyDataMessage} to the callback; the core decodes nothing for it. */
export class LazyCallbackSink extends CallbackSink implements SubscriptionSink {
  constructor(
    log: Logger,
    private readonly callback: (message: LazyDataMessage) => void,
  ) {
    super(log);
  }

  push(item: [string, Data]): boolean {
    return this.pushEncoded(item[0], undefined, item[1]);
  }

  pushEncoded(topic: string, payload: Uint8Array | undefined, value: Data | undefined): boolean {
    if (!this.open) return false;
    try {
      this.settled(topic, this.callback(new LazyDataMessage(topic, payload, value)));
    } catch (e) {
      this.failed(topic, e);
    }
    return true;
  }
}
