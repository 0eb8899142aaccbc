/**
 * The reading side that `Subscriber` (and its hubs and status subscribers) and the
 * WebSocket client share: messages taken from one bounded {@link MessageQueue}, by
 * waiting (`get`, `getMany`), without waiting (`poll`) or by iteration. Nothing here
 * reaches Node or the actor runtime: the browser client is built on it too.
 */
import type { Data } from '@broker-ts/data';
import type { GetOptions, MessageQueue } from './message-queue';

/** A message as subscribers get it: its topic and its value. */
export type DataMessage = [topic: string, value: Data];

/** Reads the messages of a queue that its subclass fills and closes. */
export abstract class MessageReader<T = DataMessage> implements AsyncIterable<T> {
  /** The queue read from; the subclass creates it in its constructor. */
  protected abstract readonly queue: MessageQueue<T>;

  /** Waits for the next message. @throws BrokerError `end_of_file` once closed */
  get(): Promise<T>;
  /** Waits at most `timeout` (milliseconds or a Timespan) for the next message; null on timeout. */
  get(options: GetOptions): Promise<T | null>;
  get(options?: GetOptions): Promise<T | null> {
    return options === undefined ? this.queue.get() : this.queue.get(options);
  }

  /** Waits for `n` messages; with `timeout`, returns what arrived in time (maybe none). */
  getMany(n: number, options: GetOptions = {}): Promise<T[]> {
    return this.queue.getMany(n, options);
  }

  /** Takes every buffered message without waiting. */
  poll(): T[] {
    return this.queue.poll();
  }

  /** Number of buffered messages. */
  available(): number {
    return this.queue.available();
  }

  /** Iterates messages until the reader is closed. */
  [Symbol.asyncIterator](): AsyncIterator<T> {
    return this.queue[Symbol.asyncIterator]();
  }
}
