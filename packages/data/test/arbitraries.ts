import * as fc from 'fast-check';
import { Address, BrokerSet, BrokerTable, Count, type Data, EnumValue, Port, PORT_PROTOCOLS, Subnet, Timespan, Timestamp } from '@broker-ts/data';

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Any JS string without lone surrogates (every one has a UTF-8 form). */
export const arbString = fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary' }));

/** Bytes that are not valid UTF-8 (a Broker string a JS string cannot hold). */
export const arbInvalidUtf8 = fc.uint8Array({ minLength: 1, maxLength: 12 }).map((b) => {
  const out = new Uint8Array(b.length + 1);
  out.set(b);
  out[b.length] = 0xff; // 0xff never occurs in UTF-8
  return out;
});

export const arbAddress = fc.oneof(
  fc.uint8Array({ minLength: 4, maxLength: 4 }).map((b) => Address.fromBytes(b)),
  fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => Address.fromBytes(b)),
);

export const arbSubnet = arbAddress.chain((a) => fc.integer({ min: 0, max: a.isV4 ? 32 : 128 }).map((len) => new Subnet(a, len)));

export const arbPort = fc.tuple(fc.integer({ min: 0, max: 65535 }), fc.constantFrom(...PORT_PROTOCOLS)).map(([n, p]) => new Port(n, p));

export const arbTimespan = fc.bigInt(INT64_MIN, INT64_MAX).map((ns) => new Timespan(ns));

export const arbTimestamp = fc.bigInt(INT64_MIN, INT64_MAX).map((ns) => new Timestamp(ns));

/** Every non-container Broker type, with their extremes. */
export const arbScalar: fc.Arbitrary<Data> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.bigInt(0n, 2n ** 64n - 1n).map((n) => new Count(n)),
  fc.bigInt(INT64_MIN, INT64_MAX),
  fc.double(),
  arbString,
  arbInvalidUtf8,
  arbAddress,
  arbSubnet,
  arbPort,
  arbTimestamp,
  arbTimespan,
  arbString.map((s) => new EnumValue(s)),
);

/** All 15 Broker types, nested (containers of containers as elements and keys). */
export const arbData: fc.Arbitrary<Data> = fc.letrec<{ data: Data }>((tie) => ({
  data: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    arbScalar,
    fc.array(tie('data'), { maxLength: 5 }),
    fc.array(tie('data'), { maxLength: 5 }).map((xs) => new BrokerSet(xs)),
    fc.array(fc.tuple(tie('data'), tie('data')), { maxLength: 5 }).map((kv) => new BrokerTable(kv)),
  ),
})).data;
