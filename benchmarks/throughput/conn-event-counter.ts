/**
 * The receiving side of every broker-ts throughput row: an endpoint subscription on
 * `/benchmark/events` (callback style, as Broker's `broker-benchmark` server and the
 * Broker 1.4 baseline receiver count) that counts the events it is handed, already
 * decoded into Broker values by the endpoint, and keeps the last one for the final check.
 * In lazy mode (`Endpoint.subscribeLazy`, the rows marked "lazy receiver") it counts the
 * messages undecoded and decodes only the last one, for the check.
 */
import type { Endpoint, LazyDataMessage } from '@broker-ts/broker';
import type { Data } from '@broker-ts/data';
import { BENCHMARK_TOPICS } from '@broker-ts/cli';

import { assertBrokerConnEvent } from './conn-event-check';

/** The receivers' flag for lazy mode. */
export const LAZY_FLAG = '--lazy';

/** Counts conn events arriving at an endpoint. */
export class ConnEventCounter {
  /** Events received so far. */
  received = 0;
  /** The last value received (eager mode). */
  private last: Data | undefined;
  /** The last message received (lazy mode). */
  private lastMessage: LazyDataMessage | undefined;

  /**
   * Subscribes `endpoint` to the benchmark's events.
   * @param onEvent - called after each event with the new count
   * @param lazy - count undecoded messages (`subscribeLazy`) instead of decoded values
   */
  constructor(endpoint: Endpoint, onEvent?: (received: number) => void, lazy = false) {
    if (lazy) {
      endpoint.subscribeLazy(BENCHMARK_TOPICS.events, (message) => {
        this.lastMessage = message;
        this.received++;
        onEvent?.(this.received);
      });
      return;
    }
    endpoint.subscribe(BENCHMARK_TOPICS.events, (_topic, value) => {
      this.last = value;
      this.received++;
      onEvent?.(this.received);
    });
  }

  /** @throws Error unless the last event received is the conn event */
  check(): void {
    assertBrokerConnEvent(this.lastMessage !== undefined ? this.lastMessage.value : this.last);
  }
}
