/**
 * The receiving side of every broker-ts throughput row: an endpoint subscription on
 * `/benchmark/events` (callback style, as Broker's `broker-benchmark` server and the
 * Broker 1.4 baseline receiver count) that counts the events it is handed, already
 * decoded into Broker values by the endpoint, and keeps the last one for the final check.
 */
import type { Endpoint } from '@broker-ts/broker';
import type { Data } from '@broker-ts/data';
import { BENCHMARK_TOPICS } from '@broker-ts/cli';

import { assertBrokerConnEvent } from './conn-event-check';

/** Counts conn events arriving at an endpoint. */
export class ConnEventCounter {
  /** Events received so far. */
  received = 0;
  /** The last value received. */
  private last: Data | undefined;

  /**
   * Subscribes `endpoint` to the benchmark's events.
   * @param onEvent - called after each event with the new count
   */
  constructor(endpoint: Endpoint, onEvent?: (received: number) => void) {
    endpoint.subscribe(BENCHMARK_TOPICS.events, (_topic, value) => {
      this.last = value;
      this.received++;
      onEvent?.(this.received);
    });
  }

  /** @throws Error unless the last event received is the conn event */
  check(): void {
    assertBrokerConnEvent(this.last);
  }
}
