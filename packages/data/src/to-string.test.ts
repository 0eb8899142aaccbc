import { address } from './address';
import { set, table } from './containers';
import { count } from './count';
import { enumValue } from './enum-value';
import { port } from './port';
import { subnet } from './subnet';
import { timespan } from './timespan';
import { timestamp } from './timestamp';
import { toString } from './to-string';

describe('toString', () => {
  test.each<[string, unknown, string]>([
    ['none', null, 'nil'],
    ['undefined', undefined, 'nil'],
    ['true', true, 'T'],
    ['false', false, 'F'],
    ['count', count(42), '42'],
    ['count max', count(18446744073709551615n), '18446744073709551615'],
    ['integer', -7n, '-7'],
    ['real', 1.5, '1.500000'],
    ['string raw, no quotes or escapes', 'a"b\ttab', 'a"b\ttab'],
    ['string of bytes', new Uint8Array([0x61, 0xff]), 'a\ufffd'],
    ['address', address('2001:db8::1'), '2001:db8::1'],
    ['subnet', subnet('fc00::/7'), 'fc00::/7'],
    ['port', port(53, 'udp'), '53/udp'],
    ['timestamp', timestamp(new Date(Date.UTC(2020, 0, 1))), '1577836800000000000ns'],
    ['timespan', timespan(-1000000n), '-1000000ns'],
    ['enum', enumValue('Foo::BAR'), 'Foo::BAR'],
    ['vector', [1n, 'a', [2n, 3n]], '(1, a, (2, 3))'],
    ['empty vector', [], '()'],
    ['nested vector', [[true]], '((T))'],
    ['set', set([3n, 1n, 2n]), '{1, 2, 3}'],
    ['empty set', set(), '{}'],
    ['table', table({ a: 1n, b: 2n }), '{a -> 1, b -> 2}'],
    ['nested', [table({ k: [1n, 2n] }), null, true], '({k -> (1, 2)}, nil, T)'],
    ['a JS Set', new Set(['b', 'a']), '{a, b}'],
    ['a Date', new Date(1), '1000000ns'],
  ])('%s', (_name, value, expected) => {
    expect(toString(value as never)).toBe(expected);
  });

  test('throws type_clash for values with no Broker type', () => {
    expect(() => toString((() => 1) as never)).toThrow(expect.objectContaining({ code: 'type_clash' }));
  });

  test('the classes print through the same rules', () => {
    expect(set(['b', 'a']).toString()).toBe('{a, b}');
    expect(table([[1n, 2.5]]).toString()).toBe('{1 -> 2.500000}');
  });
});

test('toString refuses cyclic values with a BrokerError instead of overflowing the stack', () => {
  const cyclic: unknown[] = [];
  cyclic.push(cyclic);
  // As toData refuses them (toString converts and checks every value first).
  expect(() => toString(cyclic as never)).toThrow(expect.objectContaining({ code: 'invalid_data' }));
});

test('JSON.stringify shows the classes in Broker text form', () => {
  expect(JSON.stringify({ c: count(1), a: address('::1'), p: port(80, 'tcp'), s: set(['a']), t: table({ k: 'v' }), ts: timespan(1n) })).toBe(
    '{"c":"1","a":"::1","p":"80/tcp","s":"{a}","t":"{k -> v}","ts":"1ns"}',
  );
});

test('converts natural input at any depth, and refuses what is no Broker value', () => {
  expect(toString([new Set([1n])])).toBe('({1})');
  expect(toString([{ a: 1n }])).toBe('({a -> 1})');
  expect(toString([new Map([['a', 1n]])])).toBe('({a -> 1})');
  expect(toString([new Date(0)])).toBe('(0ns)');
  expect(toString([undefined])).toBe('(nil)');
  expect(() => toString([() => 1] as never)).toThrow(expect.objectContaining({ name: 'BrokerError', code: 'type_clash' }));
  expect(() => toString(2n ** 70n)).toThrow(expect.objectContaining({ name: 'BrokerError', code: 'invalid_data' }));
  expect(() => toString(Object.create(count(1).constructor.prototype) as never)).toThrow(expect.objectContaining({ name: 'BrokerError', code: 'invalid_data' }));
});
