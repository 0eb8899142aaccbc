import { address } from './address';
import { set, table } from './containers';
import { count } from './count';
import type { DataInput } from './data';
import { encodeJson, encodeJsonDataMessage, formatJsonTimespan } from './encode-json';
import { enumValue } from './enum-value';
import { port } from './port';
import { subnet } from './subnet';
import { timespan } from './timespan';
import { timestamp } from './timestamp';

describe('encodeJson', () => {
  test.each<[string, DataInput, string]>([
    ['none', null, '{"@data-type":"none","data":{}}'],
    ['boolean', true, '{"@data-type":"boolean","data":true}'],
    ['count max', count(2n ** 64n - 1n), '{"@data-type":"count","data":18446744073709551615}'],
    ['count 0', count(0), '{"@data-type":"count","data":0}'],
    ['integer min', -(2n ** 63n), '{"@data-type":"integer","data":-9223372036854775808}'],
    ['integer max', 2n ** 63n - 1n, '{"@data-type":"integer","data":9223372036854775807}'],
    ['real -7.5 as %f', -7.5, '{"@data-type":"real","data":-7.500000}'],
    ['real 0', 0, '{"@data-type":"real","data":0.000000}'],
    ['real nan as Broker writes it', NaN, '{"@data-type":"real","data":nan}'],
    ['string with escapes', 'Hello <Broker>!\n\t"\\\v\b\f\r', '{"@data-type":"string","data":"Hello <Broker>!\\n\\t\\"\\\\\\v\\b\\f\\r"}'],
    ['string with raw control and non-ASCII', '\x01é', '{"@data-type":"string","data":"\x01é"}'],
    ['address v6', address('2001:db8::'), '{"@data-type":"address","data":"2001:db8::"}'],
    ['address v4', address('192.128.4.4'), '{"@data-type":"address","data":"192.128.4.4"}'],
    ['subnet', subnet('255.255.255.0/24'), '{"@data-type":"subnet","data":"255.255.255.0/24"}'],
    ['port', port(8080, 'tcp'), '{"@data-type":"port","data":"8080/tcp"}'],
    ['port unknown', port(0), '{"@data-type":"port","data":"0/?"}'],
    ['timestamp truncated to ms', timestamp(1404901004_999_999_999n), '{"@data-type":"timestamp","data":"2014-07-09T10:16:44.999"}'],
    ['timestamp whole seconds', timestamp(1404901004_000_000_000n), '{"@data-type":"timestamp","data":"2014-07-09T10:16:44.000"}'],
    ['timespan 15ms', timespan(15), '{"@data-type":"timespan","data":"15ms"}'],
    ['enum', enumValue('foo'), '{"@data-type":"enum-value","data":"foo"}'],
    ['empty vector', [], '{"@data-type":"vector","data":[]}'],
    ['set in order', set(['foo', 'bar']), '{"@data-type":"set","data":[{"@data-type":"string","data":"bar"},{"@data-type":"string","data":"foo"}]}'],
    [
      'table',
      table({ 'first-name': 'John', 'last-name': 'Doe' }),
      '{"@data-type":"table","data":[{"key":{"@data-type":"string","data":"first-name"},"value":{"@data-type":"string","data":"John"}},{"key":{"@data-type":"string","data":"last-name"},"value":{"@data-type":"string","data":"Doe"}}]}',
    ],
    ['vector', [1n, null], '{"@data-type":"vector","data":[{"@data-type":"integer","data":1},{"@data-type":"none","data":{}}]}'],
    ['natural input: a JS Set', new Set([count(1)]), '{"@data-type":"set","data":[{"@data-type":"count","data":1}]}'],
  ])('%s', (_name, value, expected) => {
    expect(encodeJson(value)).toBe(expected);
  });

  test.each<[bigint, string]>([
    [0n, '0s'],
    [1n, '1ns'],
    [999n, '999ns'],
    [1000n, '1us'],
    [1_000_000n, '1ms'],
    [1_000_000_000n, '1s'],
    [1_500_000_000n, '1500ms'],
    [-1000n, '-1us'],
    [60_000_000_000n, '60s'],
  ])('timespan %p is %s', (ns, text) => {
    expect(formatJsonTimespan(ns)).toBe(text);
  });

  test('encodes a data message with the value flattened into the envelope', () => {
    expect(encodeJsonDataMessage('/test/topic', null)).toBe('{"type":"data-message","topic":"/test/topic","@data-type":"none","data":{}}');
  });

  test('refuses strings held as non-UTF-8 bytes and values with no Broker type', () => {
    expect(() => encodeJson(new Uint8Array([0xff]))).toThrow(expect.objectContaining({ code: 'serialization_failed' }));
    expect(() => encodeJson((() => 1) as never)).toThrow(expect.objectContaining({ code: 'type_clash' }));
    const cyclic: unknown[] = [];
    cyclic.push(cyclic);
    expect(() => encodeJson(cyclic as never)).toThrow(expect.objectContaining({ code: 'serialization_failed' }));
  });

  test('bytes of UTF-8 are a string, as toData makes them; Buffers too', () => {
    expect(encodeJson(Buffer.from('hé'))).toBe('{"@data-type":"string","data":"hé"}');
    expect(encodeJson([new Uint8Array([0x61])])).toBe('{"@data-type":"vector","data":[{"@data-type":"string","data":"a"}]}');
  });

  test('writes nothing decodeJson would refuse: integers outside int64, lone surrogates, a topic that is no string', () => {
    const failed = expect.objectContaining({ name: 'BrokerError', code: 'serialization_failed' });
    expect(() => encodeJson(2n ** 70n)).toThrow(failed);
    expect(() => encodeJson(-(2n ** 63n) - 1n)).toThrow(failed);
    expect(encodeJson(-(2n ** 63n))).toBe('{"@data-type":"integer","data":-9223372036854775808}');
    expect(() => encodeJson('\ud800')).toThrow(failed);
    expect(() => encodeJson([enumValue('\udc00')])).toThrow(failed);
    expect(() => encodeJsonDataMessage('\ud800', null)).toThrow(failed);
    expect(() => encodeJsonDataMessage(5 as never, null)).toThrow(expect.objectContaining({ name: 'BrokerError', code: 'invalid_topic_key' }));
    expect(encodeJson('\ud83d\ude00')).toBe('{"@data-type":"string","data":"\ud83d\ude00"}');
  });
});
