import { zeekEvent, ZeekMessageType } from '@broker-ts/broker';
import { count, Count, decodeBinary, encodeBinary, Timespan, Timestamp } from '@broker-ts/data';

import { eventCount, makeQuitBenchmark, makeStatsUpdate, parseStatsUpdate } from './throughput-protocol';

describe('broker-throughput protocol', () => {
  it("stats_update is Broker 1.4's event stats_update([timestamp, timespan, count]) and reads back after the wire", () => {
    const value = makeStatsUpdate({ at: 1_700_000_000_000_000_000n, intervalNs: 1_000_000_000n, received: 1234 });
    expect(value).toEqual(zeekEvent('stats_update', [[new Timestamp(1_700_000_000_000_000_000n), new Timespan(1_000_000_000n), count(1234)]]));
    expect(parseStatsUpdate(decodeBinary(encodeBinary(value)))).toEqual({ at: 1_700_000_000_000_000_000n, intervalNs: 1_000_000_000n, received: 1234 });
  });

  it('stats_update with the record as the arguments themselves is read too', () => {
    const flat = zeekEvent('stats_update', [new Timestamp(5n), new Timespan(6n), count(7)]);
    expect(parseStatsUpdate(flat)).toEqual({ at: 5n, intervalNs: 6n, received: 7 });
  });

  it('anything else is not a stats_update', () => {
    expect(parseStatsUpdate(makeQuitBenchmark())).toBeUndefined();
    expect(parseStatsUpdate('stats_update')).toBeUndefined();
    expect(parseStatsUpdate(zeekEvent('stats_update', [[new Timestamp(5n), 6n, count(7)]]))).toBeUndefined();
    expect(parseStatsUpdate([count(2), count(1), []])).toBeUndefined();
  });

  it('quit_benchmark is an event without arguments', () => {
    expect(makeQuitBenchmark()).toEqual([count(1), count(1), ['quit_benchmark', []]]);
  });

  it('a Zeek batch counts as its number of events, anything else as one', () => {
    const event = zeekEvent('event_1', [42n, 'test']);
    expect(eventCount(event)).toBe(1);
    expect(eventCount([count(1), new Count(BigInt(ZeekMessageType.batch)), [event, event, event]])).toBe(3);
    expect(eventCount('x')).toBe(1);
  });
});
