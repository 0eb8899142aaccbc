import {
  Address, BrokerError, BrokerSet, BrokerTable, Count, EnumValue, Port, Subnet, Timespan, Timestamp, compare, decodeBinary, encodeBinary, type Data,
} from '@broker-ts/data';
import { compareEncoded, compareStoredKeys } from './encoded-order';
import { prng } from '../seeded-random';

function latin1(value: Data): string {
  return Buffer.from(encodeBinary(value)).toString('latin1');
}

/** Random Broker data of every type, drawn from small pools so that equal values and common prefixes are frequent. */
function randomData(random: () => number, depth = 0): Data {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];
  const small = (): number => Math.floor(random() * 4);
  const words = (): number => pick([0, 1, 0x7fffffff, 0x80000000, 0xffffffff]);
  const type = Math.floor(random() * (depth < 2 ? 15 : 12));
  switch (type) {
    case 0:
      return null;
    case 1:
      return random() < 0.5;
    case 2:
      return new Count(pick([0n, 1n, 255n, 256n, 2n ** 63n, 2n ** 64n - 1n]));
    case 3:
      return pick([0n, 1n, -1n, 255n, -256n, 2n ** 63n - 1n, -(2n ** 63n)]);
    case 4:
      return pick([0, -0, 1.5, -1.5, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e-300, -1e300]);
    case 5: {
      const r = random();
      if (r < 0.15) return new Uint8Array(Array.from({ length: small() + 1 }, () => pick([0x80, 0xff, 0xc3, 0x41])));
      const chars = ['a', 'b', 'é', '\u{1F600}', '\uE000', '\uFFFF', '\0'];
      return Array.from({ length: Math.floor(random() * (r < 0.9 ? 4 : 200)) }, () => pick(chars)).join('');
    }
    case 6:
      return new Address(words(), words(), words(), words());
    case 7:
      return new Subnet(new Address(words(), words(), 0, 0), pick([0, 8, 64, 128]));
    case 8:
      return new Port(pick([0, 80, 443, 65535]), pick(['tcp', 'udp', 'icmp', 'unknown'] as const));
    case 9:
      return new Timestamp(pick([0n, 1n, -1n, 2n ** 62n, -(2n ** 62n)]));
    case 10:
      return new Timespan(pick([0n, 1n, -1n, 2n ** 62n, -(2n ** 62n)]));
    case 11:
      return new EnumValue(pick(['a', 'ab', 'b', 'é', '']));
    case 12:
      return new BrokerSet(Array.from({ length: small() }, () => randomData(random, depth + 1)));
    case 13:
      return new BrokerTable(Array.from({ length: small() }, () => [randomData(random, depth + 1), randomData(random, depth + 1)] as const));
    default:
      return Array.from({ length: small() }, () => randomData(random, depth + 1));
  }
}

describe('compareEncoded', () => {
  it("orders encodings as Broker's compare orders the values, over every type", () => {
    const random = prng(1234);
    const pool = Array.from({ length: 600 }, () => randomData(random));
    const encoded = pool.map(latin1);
    // Compare the decoded values, as the stored keys decode: what the order was before.
    const decoded = encoded.map((e) => decodeBinary(Buffer.from(e, 'latin1')));
    let equal = 0;
    for (let i = 0; i < pool.length; i++) {
      for (let j = 0; j < pool.length; j++) {
        const want = Math.sign(compare(decoded[i], decoded[j]));
        const got = Math.sign(compareEncoded(encoded[i], encoded[j]));
        if (got !== want) throw new Error(`${encoded[i]} vs ${encoded[j]}: got ${got}, want ${want}`);
        if (want === 0) equal++;
      }
    }
    // The pools are small enough for many equal pairs beyond each value with itself.
    expect(equal).toBeGreaterThan(pool.length);
  });

  it('sorts a list of keys into an order that the decoded keys agree with', () => {
    const random = prng(99);
    const sorted = Array.from({ length: 5000 }, () => latin1(randomData(random))).sort(compareEncoded);
    const decoded = sorted.map((e) => decodeBinary(Buffer.from(e, 'latin1')));
    for (let i = 1; i < decoded.length; i++) expect(compare(decoded[i - 1], decoded[i])).toBeLessThanOrEqual(0);
  });

  it('orders long strings by their bytes and lengths of several varbyte bytes', () => {
    const a = 'x'.repeat(200);
    const b = `${'x'.repeat(199)}y`;
    const c = 'x'.repeat(20_000);
    for (const [p, q] of [[a, b], [a, c], [b, c], ['', a]] as const) {
      expect(Math.sign(compareEncoded(latin1(p), latin1(q)))).toBe(Math.sign(compare(p, q)));
      expect(Math.sign(compareEncoded(latin1(q), latin1(p)))).toBe(Math.sign(compare(q, p)));
    }
  });

  it('refuses a type tag that is not Broker\'s', () => {
    expect(() => compareEncoded('\x0f', '\x0f\x00')).toThrow(BrokerError);
  });
});

describe('compareStoredKeys', () => {
  it("agrees with compareEncoded where it is not zero, and orders equal keys encoded apart by their bytes", () => {
    const random = prng(4321);
    const encoded = Array.from({ length: 400 }, () => latin1(randomData(random)));
    let ties = 0;
    for (const a of encoded) {
      for (const b of encoded) {
        const broker = Math.sign(compareEncoded(a, b));
        const stored = Math.sign(compareStoredKeys(a, b));
        if (broker !== 0) expect(stored).toBe(broker);
        else if (a === b) expect(stored).toBe(0);
        else {
          ties++;
          expect(stored).toBe(Math.sign(Buffer.compare(Buffer.from(a, 'latin1'), Buffer.from(b, 'latin1'))));
          expect(compareStoredKeys(b, a)).toBe(-stored);
        }
      }
    }
    // 0.0 and -0.0, and NaNs, inside containers too: the pools make such pairs frequent.
    expect(ties).toBeGreaterThan(0);
  });

  it('puts 0.0 before -0.0 and NaNs by their bits, each apart', () => {
    const real = (bits: string): string => Buffer.from(`04${bits}`, 'hex').toString('latin1');
    const keys = [real('fff8000000000000'), real('8000000000000000'), real('7ff8000000000001'), real('0000000000000000'), real('7ff8000000000000')];
    expect(keys.slice().sort(compareStoredKeys).map((k) => Buffer.from(k, 'latin1').toString('hex').slice(2))).toEqual([
      '0000000000000000',
      '8000000000000000',
      '7ff8000000000000',
      '7ff8000000000001',
      'fff8000000000000',
    ]);
  });
});
