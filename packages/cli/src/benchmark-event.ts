/**
 * The three events of Broker's throughput benchmark (Broker 1.4's `tests/benchmark/broker-benchmark.cc`), as Zeek events on
 * `/benchmark/events`: type 1 `event_1(42, "test")`, type 2 the conn.log record
 * (`conn-event.ts`), type 3 a timestamp and a table of 100 strings to sets of 10 strings.
 */
import { zeekEvent } from '@broker-ts/broker';
import { type Data, set, table, Timestamp } from '@broker-ts/data';

import { cyclingString, makeConnEvent } from './conn-event';

/** An event type of `broker-throughput -t`. */
export type BenchmarkEventType = 1 | 2 | 3;

/** The event types, in order. */
export const BENCHMARK_EVENT_TYPES: readonly BenchmarkEventType[] = [1, 2, 3];

/**
 * The type-3 event's arguments: `[timestamp now, table{100 × 15-char string → set of
 * 10 × 5-char strings}]`. (Broker 1.4's `random_string` ignored its length argument and
 * always made 10 characters; this builds the lengths its source asks for.)
 */
function largeTableArgs(i: number): Data[] {
  const entries: Array<[Data, Data]> = [];
  for (let k = 0; k < 100; k++) {
    const members: string[] = [];
    for (let m = 0; m < 10; m++) members.push(cyclingString(i + k * 10 + m, 5));
    // The key's seed differs per k so that the 100 keys are distinct.
    entries.push([`${cyclingString(i + k, 12)}${String(k).padStart(3, '0')}`, set(members)]);
  }
  return [new Timestamp(BigInt(Date.now()) * 1_000_000n), table(entries)];
}

/**
 * Builds event number `i` of type `type`, afresh (no caching: every event is encoded
 * and decoded for real).
 * @param type - 1, 2 or 3
 * @param i - the event's sequence number (≥ 0)
 * @returns the Zeek event `[1, 1, ["event_<type>", args]]`
 */
export function makeBenchmarkEvent(type: BenchmarkEventType, i: number): Data {
  switch (type) {
    case 1:
      return zeekEvent('event_1', [42n, 'test']);
    case 2:
      return makeConnEvent(i);
    case 3:
      return zeekEvent('event_3', largeTableArgs(i));
  }
}
