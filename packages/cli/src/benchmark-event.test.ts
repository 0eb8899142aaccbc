import { parseZeekMessage } from '@broker-ts/broker';
import { BrokerSet, BrokerTable, Count, decodeBinary, encodeBinary, equals, Timestamp, typeOf } from '@broker-ts/data';

import { makeBenchmarkEvent } from './benchmark-event';

function event(type: 1 | 2 | 3, i: number) {
  const msg = parseZeekMessage(makeBenchmarkEvent(type, i));
  if (msg.kind !== 'event') throw new Error('not an event');
  return msg;
}

describe('benchmark events', () => {
  it('type 1 is event_1(42, "test") with an integer and a string', () => {
    expect(event(1, 0)).toEqual({ kind: 'event', name: 'event_1', args: [42n, 'test'] });
  });

  it('type 2 is the 18-field conn.log record, its counts growing with i', () => {
    const e = event(2, 10);
    expect(e.name).toBe('event_2');
    expect(e.args.map(typeOf)).toEqual([
      'timestamp', 'string', 'vector', 'enum_value', 'string', 'timespan', 'count', 'count', 'string', 'boolean', 'boolean',
      'count', 'string', 'count', 'count', 'count', 'count', 'set',
    ]);
    expect((e.args[6] as Count).value).toBe(71n);
    expect(equals(makeBenchmarkEvent(2, 10), makeBenchmarkEvent(2, 11))).toBe(false);
  });

  it('type 3 is a timestamp and a table of 100 15-char strings to sets of ten 5-char strings', () => {
    const e = event(3, 3);
    expect(e.name).toBe('event_3');
    expect(e.args[0]).toBeInstanceOf(Timestamp);
    const t = e.args[1] as BrokerTable;
    expect(t).toBeInstanceOf(BrokerTable);
    expect(t.size).toBe(100);
    for (const [k, v] of t) {
      expect(typeof k === 'string' && k.length).toBe(15);
      expect(v).toBeInstanceOf(BrokerSet);
      expect([...(v as BrokerSet)].every((s) => typeof s === 'string' && s.length === 5)).toBe(true);
      expect((v as BrokerSet).size).toBe(10);
    }
  });

  it('every type survives Broker binary encoding unchanged', () => {
    for (const type of [1, 2, 3] as const) {
      const value = makeBenchmarkEvent(type, 42);
      expect(equals(decodeBinary(encodeBinary(value)), value)).toBe(true);
    }
  });
});
