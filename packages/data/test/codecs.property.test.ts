import * as fc from 'fast-check';
import { Decoder, Encoder } from 'cbor-x';
import {
  Address,
  BrokerError,
  BrokerSet,
  BrokerTable,
  cborEncoderOptions,
  compare,
  type Data,
  decodeBinary,
  decodeJson,
  encodeBinary,
  encodeExactBinary,
  encodeJson,
  equals,
  formatReal,
  installCborExtensions,
  Port,
  Subnet,
  Timespan,
  Timestamp,
  toString,
} from '@broker-ts/data';
import { arbAddress, arbData, arbPort, arbSubnet, arbTimespan } from './arbitraries';
import { sameData } from './same-data';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

function onlyBrokerErrors(run: () => unknown): void {
  try {
    run();
  } catch (e) {
    if (!(e instanceof BrokerError)) throw e;
  }
}

/** What the JSON format keeps of a value: reals rounded as %f, timestamps truncated to the ms. */
function jsonImage(v: Data): Data {
  if (typeof v === 'number') return Number.isFinite(v) ? Number(formatReal(v)) : v;
  if (v instanceof Timestamp) {
    return new Timestamp((v.ns / 1_000_000n) * 1_000_000n);
  }
  if (Array.isArray(v)) return v.map(jsonImage);
  if (v instanceof BrokerSet) return new BrokerSet(v.toArray().map(jsonImage));
  if (v instanceof BrokerTable) return new BrokerTable([...v].map(([k, x]) => [jsonImage(k), jsonImage(x)]));
  return v;
}

function hasBytesString(v: Data): boolean {
  if (v instanceof Uint8Array) return true;
  if (Array.isArray(v)) return v.some(hasBytesString);
  if (v instanceof BrokerSet) return v.toArray().some(hasBytesString);
  if (v instanceof BrokerTable) return [...v].some(([k, x]) => hasBytesString(k) || hasBytesString(x));
  return false;
}

describe('round trips of random values of all 15 types, nested', () => {
  test('binary: decode(encode(v)) is v, type-exact, and re-encodes to the same bytes', () => {
    fc.assert(
      fc.property(arbData, (v) => {
        const bytes = encodeBinary(v);
        const back = decodeBinary(bytes);
        expect(sameData(back, v)).toBe(true);
        expect(hex(encodeBinary(back))).toBe(hex(bytes));
      }),
      { numRuns: 400 },
    );
  });

  test('binary, the publication path: encodeExactBinary gives the bytes of encodeBinary, or leaves bytes strings to toData', () => {
    fc.assert(
      fc.property(arbData, (v) => {
        const exact = encodeExactBinary(v);
        if (hasBytesString(v)) expect(exact).toBeUndefined();
        else expect(hex(exact!)).toBe(hex(encodeBinary(v)));
      }),
      { numRuns: 400 },
    );
  });

  test('cbor-x with the extension: decode(encode(v)) is v, type-exact', () => {
    installCborExtensions();
    const enc = new Encoder(cborEncoderOptions);
    const dec = new Decoder(cborEncoderOptions);
    fc.assert(
      fc.property(arbData, (v) => {
        expect(sameData(dec.decode(enc.encode({ msg: [v, { v }] })), { msg: [v, { v }] })).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  test('JSON: decode(encode(v)) is v up to what the format keeps (%f reals, ms timestamps)', () => {
    fc.assert(
      fc.property(
        arbData.filter((v) => !hasBytesString(v)),
        (v) => {
          const back = decodeJson(encodeJson(v));
          const image = jsonImage(v);
          expect(sameData(back, image)).toBe(true);
          expect(encodeJson(back)).toBe(encodeJson(image));
        },
      ),
      { numRuns: 300 },
    );
  });

  test('text: address, subnet, port and timespan parse back from toString', () => {
    fc.assert(
      fc.property(arbAddress, arbSubnet, arbPort, arbTimespan, (a, s, p, t) => {
        expect(Address.parse(toString(a)).equals(a)).toBe(true);
        expect(Subnet.parse(toString(s)).equals(s)).toBe(true);
        expect(Port.parse(toString(p)).equals(p)).toBe(true);
        expect(Timespan.parse(toString(t)).equals(t)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});

describe('the total order', () => {
  test('is antisymmetric and agrees with equals', () => {
    fc.assert(
      fc.property(arbData, arbData, (a, b) => {
        expect(Math.sign(compare(a, b)) + Math.sign(compare(b, a))).toBe(0);
        expect(equals(a, b)).toBe(compare(a, b) === 0);
        expect(compare(a, a)).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  test('is transitive: a sorted array is pairwise ordered', () => {
    fc.assert(
      fc.property(fc.array(arbData, { maxLength: 12 }), (xs) => {
        const sorted = xs.slice().sort(compare);
        for (let i = 0; i < sorted.length; i++) for (let j = i + 1; j < sorted.length; j++) expect(compare(sorted[i], sorted[j])).toBeLessThanOrEqual(0);
      }),
      { numRuns: 200 },
    );
  });

  test('keys sets by value: a structurally equal copy is found', () => {
    fc.assert(
      fc.property(fc.array(arbData, { maxLength: 8 }), (xs) => {
        const s = new BrokerSet(xs);
        for (const x of xs) expect(s.has(decodeBinary(encodeBinary(x)))).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});

describe('hostile input never escapes as anything but BrokerError', () => {
  test('random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => onlyBrokerErrors(() => decodeBinary(bytes))),
      { numRuns: 2000 },
    );
  });

  test('random bytes behind every type tag', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 15 }), fc.uint8Array({ maxLength: 40 }), (tag, rest) => {
        const bytes = new Uint8Array(rest.length + 1);
        bytes[0] = tag;
        bytes.set(rest, 1);
        onlyBrokerErrors(() => decodeBinary(bytes));
      }),
      { numRuns: 2000 },
    );
  });

  test('every truncation of a valid encoding is a BrokerError', () => {
    fc.assert(
      fc.property(arbData, (v) => {
        const bytes = encodeBinary(v);
        // Every cut of short encodings; 100 evenly spread cuts of long ones.
        const step = Math.max(1, Math.floor(bytes.length / 100));
        for (let n = 0; n < bytes.length; n += step) {
          let thrown: unknown;
          try {
            decodeBinary(bytes.subarray(0, n));
          } catch (e) {
            thrown = e;
          }
          expect(thrown).toBeInstanceOf(BrokerError);
        }
      }),
      { numRuns: 150 },
    );
  });

  test('mutated encodings decode or fail with BrokerError', () => {
    fc.assert(
      fc.property(arbData, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), (v, edits) => {
        const bytes = encodeBinary(v);
        for (const [at, b] of edits) bytes[at % bytes.length] = b;
        onlyBrokerErrors(() => decodeBinary(bytes));
      }),
      { numRuns: 1000 },
    );
  });

  test('random, truncated and mutated JSON', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (s) => onlyBrokerErrors(() => decodeJson(s))),
      { numRuns: 1000 },
    );
    fc.assert(
      fc.property(fc.json(), (s) => onlyBrokerErrors(() => decodeJson(s))),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(arbData.filter((v) => !hasBytesString(v)), fc.nat(), fc.string({ maxLength: 3 }), (v, at, ins) => {
        const json = encodeJson(v);
        const cut = at % (json.length + 1);
        onlyBrokerErrors(() => decodeJson(json.slice(0, cut)));
        onlyBrokerErrors(() => decodeJson(json.slice(0, cut) + ins + json.slice(cut + 1)));
      }),
      { numRuns: 500 },
    );
  });

  test('random text for the parsers', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 50 }), (s) => {
        onlyBrokerErrors(() => Address.parse(s));
        onlyBrokerErrors(() => Subnet.parse(s));
        onlyBrokerErrors(() => Port.parse(s));
        onlyBrokerErrors(() => Timespan.parse(s));
      }),
      { numRuns: 2000 },
    );
  });

  test('a varbyte length of 2^60 behind every container and string tag is an error, not an allocation', () => {
    for (const tag of [5, 11, 12, 13, 14]) {
      const bytes = new Uint8Array([tag, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x10]);
      expect(() => decodeBinary(bytes)).toThrow(expect.objectContaining({ code: 'deserialization_failed' }));
    }
  });
});
