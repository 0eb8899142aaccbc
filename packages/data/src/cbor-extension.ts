import { addExtension } from 'cbor-x';
import { Address } from './address';
import { BrokerError } from './broker-error';
import { BrokerSet, setFromArray, BrokerTable, tableFromArrays } from './containers';
import { Count } from './count';
import type { Data, DataInput } from './data';
import { EnumValue } from './enum-value';
import { isErrorCodeName } from './error-code';
import { Port, PORT_PROTOCOLS } from './port';
import { Subnet } from './subnet';
import { Timespan } from './timespan';
import { Timestamp } from './timestamp';
import { toData } from './to-data';
import { isWellFormedString } from './utf8';

/**
 * The CBOR tags (unregistered, first-come range) of the classes of this package: the
 * base plus Broker's type index, e.g. count 0x4202, set 0x420c.
 */
export const BROKER_CBOR_TAGS = {
  count: 0x4202,
  address: 0x4206,
  subnet: 0x4207,
  port: 0x4208,
  timestamp: 0x4209,
  timespan: 0x420a,
  enum_value: 0x420b,
  set: 0x420c,
  table: 0x420d,
} as const;

/** The CBOR tag of a {@link BrokerError}: content `[code, message]` or `[code, message, endpoint]`. */
export const BROKER_ERROR_CBOR_TAG = 0x4220;

/** A cbor-x extension as `addExtension` takes it. */
export interface CborExtension {
  /** The class whose instances this extension writes. */
  Class: new (...args: never[]) => unknown;
  /** The CBOR tag it writes and reads. */
  tag: number;
  /** Writes the tag content through cbor-x's `encode`. */
  encode(value: unknown, encode: (content: unknown) => unknown): void;
  /** Rebuilds the value from the tag content; throws `BrokerError` for bad content. */
  decode(content: unknown): unknown;
}

function bad(what: string, expected: string): never {
  throw new BrokerError('deserialization_failed', `CBOR content of a Broker ${what} must be ${expected}`);
}

/** A CBOR integer as a bigint: cbor-x reads 64-bit integers as bigint, small ones as numbers. */
function cborInteger(content: unknown, what: string): bigint {
  if (typeof content === 'bigint') return content;
  if (typeof content === 'number' && Number.isSafeInteger(content)) return BigInt(content);
  return bad(what, 'an integer');
}

/**
 * Builds a value from decoded CBOR content: content the class refuses (a count below 0,
 * a timestamp outside int64) is malformed input, `deserialization_failed` as any other.
 */
function built<T>(what: string, make: () => T): T {
  try {
    return make();
  } catch (e) {
    if (e instanceof BrokerError && e.code === 'invalid_data') throw new BrokerError('deserialization_failed', `CBOR content of a Broker ${what}: ${e.message}`, {}, { cause: e });
    throw e;
  }
}

function words(content: unknown, n: number, what: string): number[] {
  if (!Array.isArray(content) || content.length !== n) return bad(what, `an array of ${n} integers`);
  for (const w of content) if (typeof w !== 'number' || !Number.isInteger(w) || w < 0 || w > 0xffffffff) bad(what, `an array of ${n} unsigned 32-bit integers`);
  return content as number[];
}

function elements(content: unknown, what: string): Data[] {
  if (!Array.isArray(content)) return bad(what, 'an array');
  // Elements decoded by cbor-x may be any JS value: keep only what converts to Broker data.
  return content.map((x) => toData(x as DataInput));
}

function asAddress(w: number[]): Address {
  return new Address(w[0], w[1], w[2], w[3]);
}

/**
 * The cbor-x extensions that carry Broker values, one per class of this package (tags
 * {@link BROKER_CBOR_TAGS}), commonest first, plus {@link BrokerError}. Their contents
 * are plain CBOR (integers, arrays, strings) that any CBOR tool can read. Broker values
 * that are JS primitives or arrays need no extension, only {@link cborEncoderOptions}.
 */
export const cborExtensions: readonly CborExtension[] = [
  {
    Class: Count,
    tag: BROKER_CBOR_TAGS.count,
    // Always a CBOR integer (a number would be a float under `alwaysUseFloat`); cbor-x
    // reads a small one back as a number, which the count keeps (see Count).
    encode: (v, encode) => encode((v as Count).value),
    decode: (c) => built('count', () => new Count(typeof c === 'number' && Number.isSafeInteger(c) ? c : cborInteger(c, 'count'))),
  },
  {
    Class: Address,
    tag: BROKER_CBOR_TAGS.address,
    encode: (v, encode) => {
      const a = v as Address;
      encode([a.w0, a.w1, a.w2, a.w3]);
    },
    decode: (c) => asAddress(words(c, 4, 'address')),
  },
  {
    Class: Port,
    tag: BROKER_CBOR_TAGS.port,
    encode: (v, encode) => encode((v as Port).number * 4 + (v as Port).protocolNumber),
    decode: (c) => {
      if (typeof c !== 'number' || !Number.isInteger(c) || c < 0 || c > 65535 * 4 + 3) return bad('port', 'number * 4 + protocol');
      return new Port(c >>> 2, PORT_PROTOCOLS[c & 3]);
    },
  },
  {
    Class: Timestamp,
    tag: BROKER_CBOR_TAGS.timestamp,
    encode: (v, encode) => encode((v as Timestamp).ns),
    decode: (c) => built('timestamp', () => new Timestamp(cborInteger(c, 'timestamp'))),
  },
  {
    Class: Timespan,
    tag: BROKER_CBOR_TAGS.timespan,
    encode: (v, encode) => encode((v as Timespan).ns),
    decode: (c) => built('timespan', () => new Timespan(cborInteger(c, 'timespan'))),
  },
  {
    Class: EnumValue,
    tag: BROKER_CBOR_TAGS.enum_value,
    encode: (v, encode) => encode((v as EnumValue).name),
    decode: (c) => {
      if (typeof c !== 'string' || !isWellFormedString(c)) return bad('enum_value', 'a string');
      return new EnumValue(c);
    },
  },
  {
    Class: BrokerSet,
    tag: BROKER_CBOR_TAGS.set,
    encode: (v, encode) => encode((v as BrokerSet).items),
    decode: (c) => setFromArray(elements(c, 'set')),
  },
  {
    Class: BrokerTable,
    tag: BROKER_CBOR_TAGS.table,
    encode: (v, encode) => encode([(v as BrokerTable).keyItems, (v as BrokerTable).valueItems]),
    decode: (c) => {
      if (!Array.isArray(c) || c.length !== 2) return bad('table', '[keys, values]');
      const keys = elements(c[0], 'table');
      const values = elements(c[1], 'table');
      if (keys.length !== values.length) bad('table', '[keys, values] of equal lengths');
      return tableFromArrays(keys, values);
    },
  },
  {
    Class: Subnet,
    tag: BROKER_CBOR_TAGS.subnet,
    encode: (v, encode) => {
      const s = v as Subnet;
      encode([s.network.w0, s.network.w1, s.network.w2, s.network.w3, s.rawLength]);
    },
    decode: (c) => {
      const w = words(c, 5, 'subnet');
      if (w[4] > 128) bad('subnet', 'an address and a length of at most 128');
      return Subnet.fromRawLength(asAddress(w), w[4]);
    },
  },
  {
    Class: BrokerError,
    tag: BROKER_ERROR_CBOR_TAG,
    encode: (v, encode) => {
      const e = v as BrokerError;
      encode(e.context.endpoint === undefined ? [e.code, e.message] : [e.code, e.message, e.context.endpoint]);
    },
    decode: (c) => {
      if (!Array.isArray(c) || c.length < 2 || c.length > 3 || typeof c[0] !== 'string' || !isErrorCodeName(c[0]) || typeof c[1] !== 'string') {
        return bad('error', '[code, message] or [code, message, endpoint]');
      }
      return new BrokerError(c[0], c[1], c.length === 3 ? { endpoint: toData(c[2] as DataInput) } : {});
    },
  },
];

/**
 * The cbor-x options that {@link cborEncoderOptions} sets, declared here rather than
 * taken from cbor-x's `Options`: cbor-x ships ECMAScript-module typings, which a
 * CommonJS consumer compiling with `module: node16` cannot import (TS1479), so this
 * package's declarations never reference cbor-x.
 */
export interface CborEncoderOptions {
  /** Write every JS number as a float, so that `-0` and integral reals stay reals. */
  alwaysUseFloat: boolean;
}

/**
 * cbor-x `Encoder`/`Decoder` options that a runtime carrying Broker values must use:
 * `alwaysUseFloat` writes every JS number as a float64, so a Broker real `-0` stays `-0`
 * (cbor-x otherwise writes `-0` as the integer 0). Do not set `int64AsNumber`: cbor-x
 * writes every `bigint` (a Broker integer) as a 64-bit CBOR integer and reads those back
 * as `bigint` only without it.
 */
export const cborEncoderOptions: Readonly<CborEncoderOptions> = Object.freeze({ alwaysUseFloat: true });

let installed = false;

/**
 * Registers {@link cborExtensions} with cbor-x (its registry is global to the module, so
 * every `Encoder` and `Decoder` of the process then carries Broker values). Idempotent.
 */
export function installCborExtensions(): void {
  if (installed) return;
  // cbor-x tests the last registered class first: register in reverse, so that the
  // commonest classes (count, address, port) are tested first.
  for (const ext of [...cborExtensions].reverse()) addExtension(ext as Parameters<typeof addExtension>[0]);
  installed = true;
}
