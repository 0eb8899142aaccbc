import { Address, BrokerSet, BrokerTable, Count, EnumValue, MAX_NESTING_DEPTH, Port, Subnet, Timespan, Timestamp, decodeBinary, encodeBinary, type Data } from '@broker-ts/data';
import { prng } from '../seeded-random';
import { randomData } from './__fixtures__/random-data';
import { scanEncoded, type EncodedScan } from './encoded-scan';

function scan(bytes: Uint8Array, from = 0, to = bytes.length): EncodedScan {
  return scanEncoded(bytes, from, to, { end: 0, plain: false });
}

function same(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a).equals(Buffer.from(b));
}

describe('scanEncoded', () => {
  test.each<[string, Data]>([
    ['none', null],
    ['a boolean', true],
    ['a count', new Count(2n ** 64n - 1n)],
    ['an integer', -(2n ** 63n)],
    ['a real', -0],
    ['an infinite real', Number.NEGATIVE_INFINITY],
    ['a string', 'key-1234'],
    ['a long string', 'x'.repeat(300)],
    ['a string that is not UTF-8', Uint8Array.of(0xff, 0xc3)],
    ['an address', Address.parse('10.0.0.1')],
    ['a port', new Port(80, 'tcp')],
    ['a timestamp', new Timestamp(-1n)],
    ['a timespan', new Timespan(5n)],
    ['a vector of them', [new Count(1n), 'conn', Address.parse('::1'), new Port(53, 'udp'), [null, 1.5]]],
  ])('%s is walked to its end and stored as it is', (_, value) => {
    const bytes = encodeBinary(value);
    expect(scan(bytes)).toEqual({ end: bytes.length, plain: true });
  });

  test.each<[string, Data]>([
    ['a subnet', new Subnet(Address.parse('10.0.0.0'), 8)],
    ['an enum', new EnumValue('tcp')],
    ['a set', new BrokerSet(['a', 'b'])],
    ['a table', new BrokerTable([['a', 1n]])],
    ['NaN', Number.NaN],
    ['a vector holding a set', [1n, new BrokerSet([2n])]],
  ])('%s is walked to its end but not vouched for', (_, value) => {
    const bytes = encodeBinary(value);
    expect(scan(bytes)).toEqual({ end: bytes.length, plain: false });
  });

  test('a length in a longer form than needed is well-formed but not plain', () => {
    const bytes = Uint8Array.of(5, 0x81, 0x00, 0x61); // the string "a", its length in two bytes
    expect(decodeBinary(bytes)).toBe('a');
    expect(scan(bytes)).toEqual({ end: 4, plain: false });
  });

  test('every value it vouches for is exactly what encodeBinary writes for the value it decodes into', () => {
    const random = prng(4321);
    let plain = 0;
    for (let i = 0; i < 3000; i++) {
      const bytes = encodeBinary(randomData(random));
      const s = scan(bytes);
      expect(s.end).toBe(bytes.length);
      if (!s.plain) continue;
      plain++;
      if (!same(encodeBinary(decodeBinary(bytes)), bytes)) throw new Error(`not plain: ${Buffer.from(bytes).toString('hex')}`);
    }
    expect(plain).toBeGreaterThan(500);
  });

  test('walks a value inside a larger input and stops at its end', () => {
    const a = encodeBinary([1n, 'x']);
    const b = encodeBinary('tail');
    const both = Buffer.concat([Uint8Array.of(0xee), a, b]);
    expect(scan(both, 1)).toEqual({ end: 1 + a.length, plain: true });
    expect(scan(both, 1 + a.length)).toEqual({ end: both.length, plain: true });
  });

  test('a value cut short at any byte is malformed, never read past the end', () => {
    const random = prng(77);
    for (let i = 0; i < 300; i++) {
      const bytes = encodeBinary(randomData(random));
      for (let cut = 0; cut < bytes.length; cut++) expect(scan(bytes, 0, cut).end).toBe(-1);
    }
  });

  test.each<[string, Uint8Array]>([
    ['an unknown tag', Uint8Array.of(15)],
    ['a boolean byte above 1', Uint8Array.of(1, 2)],
    ['a port protocol above 3', Uint8Array.of(8, 0, 80, 4)],
    ['a subnet length above 128', Uint8Array.of(7, ...new Uint8Array(16), 129)],
    ['a vector counting more items than bytes left', Uint8Array.of(14, 5, 0)],
    ['a string longer than the input', Uint8Array.of(5, 3, 0x61)],
    ['a length that never ends', Uint8Array.of(5, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80)],
  ])('%s is malformed', (_, bytes) => {
    expect(scan(bytes).end).toBe(-1);
    expect(() => decodeBinary(bytes)).toThrow();
  });

  test('nesting deeper than the codecs allow is malformed', () => {
    const bytes = Buffer.concat([new Uint8Array(Array.from({ length: MAX_NESTING_DEPTH + 1 }, () => [14, 1]).flat()), Uint8Array.of(0)]);
    expect(scan(bytes).end).toBe(-1);
    expect(() => decodeBinary(bytes)).toThrow(/nested deeper/);
    const allowed = Buffer.concat([new Uint8Array(Array.from({ length: MAX_NESTING_DEPTH }, () => [14, 1]).flat()), Uint8Array.of(0)]);
    expect(scan(allowed)).toEqual({ end: allowed.length, plain: true });
  });
});
