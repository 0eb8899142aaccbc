import { BrokerError, compare, decodeBinary, encodeBinary, type Data } from '@broker-ts/data';
import { randomData } from './__fixtures__/random-data';
import { compareEncoded, compareStoredKeys } from './encoded-order';
import { prng } from '../seeded-random';

function latin1(value: Data): string {
  return Buffer.from(encodeBinary(value)).toString('latin1');
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
