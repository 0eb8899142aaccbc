import { BrokerError, Count, decodeBinary, encodeBinary, EnumValue, timestamp, toString } from '@broker-ts/data';
import { networkTimestamp, parseZeekMessage, zeekEvent, type ZeekMessage, zeekMessageToData } from './zeek';

describe('Zeek messages', () => {
  test('an event is [1, 1, [name, args]] and prints as Broker does', () => {
    const ev = zeekEvent('event_1', [42n, 'test']);
    expect(toString(ev)).toBe('(1, 1, (event_1, (42, test)))');
    expect(parseZeekMessage(ev)).toEqual({ kind: 'event', name: 'event_1', args: [42n, 'test'] });
  });

  test('event metadata carries the network timestamp under key 1', () => {
    const ts = timestamp(1_000_000_000n);
    const ev = zeekEvent('e', [], [[1, ts], [200, 'mine']]);
    const parsed = parseZeekMessage(decodeBinary(encodeBinary(ev)));
    expect(parsed.kind).toBe('event');
    if (parsed.kind !== 'event') return;
    expect(networkTimestamp(parsed)).toEqual(ts);
    expect(parsed.metadata).toEqual([[1, ts], [200, 'mine']]);
  });

  test('every message kind round-trips, batches nest', () => {
    const msgs: ZeekMessage[] = [
      { kind: 'logCreate', streamId: new EnumValue('Conn::LOG'), writerId: new EnumValue('Log::WRITER_ASCII'), writerInfo: ['conn'], fieldsData: [] },
      { kind: 'logWrite', streamId: new EnumValue('Conn::LOG'), writerId: new EnumValue('Log::WRITER_ASCII'), path: 'conn', serialData: 'xyz' },
      { kind: 'identifierUpdate', idName: 'Site::local_nets', idValue: 5n },
      { kind: 'event', name: 'e', args: [] },
    ];
    for (const m of msgs) expect(parseZeekMessage(zeekMessageToData(m))).toEqual(m);
    const batch: ZeekMessage = { kind: 'batch', messages: [...msgs] };
    expect(parseZeekMessage(zeekMessageToData(batch))).toEqual(batch);
  });

  test('malformed messages are BrokerError invalid_data', () => {
    for (const bad of [null, [], [new Count(2n), new Count(1n), []], [new Count(1n), new Count(9n), []], [new Count(1n), new Count(1n), [5n, []]], [new Count(1n), 1n, []]]) {
      expect(() => parseZeekMessage(bad)).toThrow(BrokerError);
    }
  });
});
