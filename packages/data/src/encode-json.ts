import type { Address } from './address';
import { BrokerError } from './broker-error';
import type { BrokerSet, BrokerTable } from './containers';
import type { Count } from './count';
import type { Data, DataInput } from './data';
import type { EnumValue } from './enum-value';
import * as formatRealModule from './format-real';
import * as isoTime from './iso-time';
import type { Timespan } from './timespan';
import type { Timestamp } from './timestamp';
import * as toDataModule from './to-data';
import { MAX_NESTING_DEPTH } from './max-nesting-depth';
import * as typeTag from './type-tag';
import * as int64 from './int64';
import * as utf8 from './utf8';

// Local bindings of hot-path imports: see docs/architecture.md, "Local bindings on hot paths".
const { formatReal } = formatRealModule;
const { formatIsoTimestamp } = isoTime;
const { toData } = toDataModule;
const MAX_DEPTH = MAX_NESTING_DEPTH;
const { INT64_MIN, INT64_MAX } = int64;
const { decodeUtf8, isWellFormedString } = utf8;
const {
  TAG_ADDRESS,
  TAG_BOOLEAN,
  TAG_COUNT,
  TAG_ENUM_VALUE,
  TAG_INTEGER,
  TAG_NONE,
  TAG_PORT,
  TAG_REAL,
  TAG_SET,
  TAG_STRING,
  TAG_SUBNET,
  TAG_TABLE,
  TAG_TIMESPAN,
  TAG_TIMESTAMP,
  TAG_VECTOR,
  tagOf,
} = typeTag;

// Broker escapes only these; other control characters and non-ASCII pass through raw.
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v', '"': '\\"' };
const NEEDS_ESCAPE = /[\\\b\f\n\r\t\v"]/g;

function quote(s: string): string {
  // Most strings need no escape: a scan of their code units is cheaper than a replace.
  // The escaped characters are `"`, `\\` and 0x08-0x0d (\b \t \n \v \f \r).
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22 || c === 0x5c || (c >= 0x08 && c <= 0x0d)) return `"${s.replace(NEEDS_ESCAPE, (x) => ESCAPES[x])}"`;
  }
  return `"${s}"`;
}

function typed(type: string, payload: string): string {
  return `{"@data-type":"${type}","data":${payload}}`;
}

/**
 * Broker's JSON timespan text: the coarsest of ns, us, ms, s that is exact; zero is `0s`.
 * @internal
 */
export function formatJsonTimespan(ns: bigint): string {
  if (ns === 0n) return '0s';
  let v = ns;
  for (const unit of ['ns', 'us', 'ms']) {
    if (v % 1000n !== 0n) return `${v}${unit}`;
    v /= 1000n;
  }
  return `${v}s`;
}

function encode(v: Data, depth: number): string {
  switch (tagOf(v)) {
    case TAG_NONE:
      return typed('none', '{}');
    case TAG_BOOLEAN:
      return typed('boolean', v ? 'true' : 'false');
    case TAG_COUNT:
      return typed('count', (v as Count).toString());
    case TAG_INTEGER:
      if ((v as bigint) < INT64_MIN || (v as bigint) > INT64_MAX) throw new BrokerError('serialization_failed', `integer out of int64 range: ${v as bigint}`);
      return typed('integer', (v as bigint).toString());
    case TAG_REAL:
      return typed('real', formatReal(v as number));
    case TAG_STRING:
      return typed('string', quote(jsonString(v as string | Uint8Array)));
    case TAG_ADDRESS:
      return typed('address', quote((v as Address).toString()));
    case TAG_SUBNET:
      return typed('subnet', quote(String(v)));
    case TAG_PORT:
      return typed('port', quote(String(v)));
    case TAG_TIMESTAMP:
      return typed('timestamp', quote(formatIsoTimestamp((v as Timestamp).ns)));
    case TAG_TIMESPAN:
      return typed('timespan', quote(formatJsonTimespan((v as Timespan).ns)));
    case TAG_ENUM_VALUE:
      return typed('enum-value', quote(wellFormed((v as EnumValue).name, 'an enum name')));
    default:
      break;
  }
  if (depth >= MAX_DEPTH) throw new BrokerError('serialization_failed', `value nested deeper than ${MAX_DEPTH} levels (or cyclic)`);
  switch (tagOf(v)) {
    case TAG_SET:
      return typed('set', encodeList((v as BrokerSet).items, depth + 1));
    case TAG_TABLE: {
      const t = v as BrokerTable;
      let out = '[';
      for (let i = 0; i < t.keyItems.length; i++) {
        out += `${i === 0 ? '' : ','}{"key":${encode(t.keyItems[i], depth + 1)},"value":${encode(t.valueItems[i], depth + 1)}}`;
      }
      return typed('table', `${out}]`);
    }
    case TAG_VECTOR:
      return typed('vector', encodeList(v as Data[], depth + 1));
    default:
      // Natural JS input (Set, Map, Date, plain object, undefined) converts first.
      return encode(toData(v as DataInput), depth);
  }
}

/**
 * The text of a Broker string: a JS string as it is, bytes (a `Uint8Array`, as natural
 * input gives them or a peer's non-UTF-8 string) as their UTF-8 text.
 * @throws BrokerError `serialization_failed` for bytes that are not UTF-8 or a string
 *   with a lone surrogate (JSON text could carry neither to Broker)
 */
function jsonString(v: string | Uint8Array): string {
  if (typeof v === 'string') return wellFormed(v, 'a string');
  const text = decodeUtf8(v, 0, v.length);
  if (text === undefined) throw new BrokerError('serialization_failed', 'a string of bytes that are not valid UTF-8 has no JSON form');
  return text;
}

/** @throws BrokerError `serialization_failed` for a string with a lone surrogate */
function wellFormed(s: string, what: string): string {
  if (!isWellFormedString(s)) throw new BrokerError('serialization_failed', `${what} with a lone UTF-16 surrogate has no UTF-8 form`);
  return s;
}

/** A JSON array of the encodings of `items` (string concatenation: no array of parts). */
function encodeList(items: readonly Data[], depth: number): string {
  let out = '[';
  for (let i = 0; i < items.length; i++) out += i === 0 ? encode(items[i], depth) : `,${encode(items[i], depth)}`;
  return `${out}]`;
}

/**
 * Encodes a value in the WebSocket JSON v1 format of Broker, with Broker's exact output:
 * `{"@data-type":"real","data":1.500000}` (reals as C `%f`, so `nan`/`inf` appear raw as
 * Broker writes them), timestamps as UTC `YYYY-MM-DDThh:mm:ss.mmm` (millisecond
 * truncation), timespans in the coarsest exact unit (`1500ms`, `0s`), sets in Broker
 * order, tables as `[{"key":…,"value":…}]`. Strings escape only `\\ \b \f \n \r \t \v "`.
 * @param value - a Broker value; natural JS input converts (a `Uint8Array` of UTF-8 is
 *   a string)
 * @returns the JSON text
 * @throws BrokerError `serialization_failed` for strings held as non-UTF-8 bytes or with
 *   a lone surrogate, an integer outside int64, nesting deeper than the limit;
 *   `type_clash` for values with no Broker type
 */
export function encodeJson(value: DataInput): string {
  return encode(value as Data, 0);
}

/**
 * Encodes a data message of the WebSocket API: the value's `@data-type` and `data`
 * flattened into `{"type":"data-message","topic":…}`.
 * @param topic - the topic
 * @param value - the payload
 * @returns the JSON text
 * @throws BrokerError as {@link encodeJson}; `invalid_topic_key` for a topic that is not
 *   a string, `serialization_failed` for one with a lone surrogate
 */
export function encodeJsonDataMessage(topic: string, value: DataInput): string {
  if (typeof topic !== 'string') throw new BrokerError('invalid_topic_key', `a topic must be a string, got ${typeof topic}`);
  wellFormed(topic, 'a topic');
  const body = encodeJson(value);
  return `{"type":"data-message","topic":${quote(topic)},${body.slice(1)}`;
}
