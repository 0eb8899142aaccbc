import * as address from './address';
import { BrokerError } from './broker-error';
import * as containers from './containers';
import * as count from './count';
import type { Data } from './data';
import * as enumValue from './enum-value';
import * as int64 from './int64';
import * as isoTime from './iso-time';
import { JsonNumber, type JsonValue, parseJson } from './json-reader';
import { MAX_NESTING_DEPTH } from './max-nesting-depth';
import * as port from './port';
import * as subnet from './subnet';
import * as timespan from './timespan';
import * as timestamp from './timestamp';
import * as utf8 from './utf8';

// Local bindings of hot-path imports: see docs/architecture.md, "Local bindings on hot paths".
const { Address } = address;
const { setFromArray, tableFromArrays } = containers;
const { Count, COUNT_MAX } = count;
const { EnumValue } = enumValue;
const { INT64_MAX, INT64_MIN } = int64;
const { parseIsoTimestamp } = isoTime;
const { Port } = port;
const { Subnet } = subnet;
const { Timespan } = timespan;
const { Timestamp } = timestamp;
const { isWellFormedString } = utf8;

// Where in the input the value being decoded lies: the segments below the root (`data`,
// element indices, `key`/`value`), joined into a path like `$.data[2]` only for an error,
// so that a well-formed value builds no path text. Decoding never calls user code, so it
// is not re-entered.
const segments: Array<string | number> = [];
// Containers open around the value being decoded: at most MAX_NESTING_DEPTH, as every
// codec of this package allows (the JSON reader's own limit counts JSON levels, two or
// three per Broker container).
let openContainers = 0;

/** The path of the value being decoded, with `extra` segments after it. */
function currentPath(...extra: Array<string | number>): string {
  let out = '$';
  for (const seg of [...segments, ...extra]) out += typeof seg === 'number' ? `[${seg}]` : `.${seg}`;
  return out;
}

function clash(path: string, message: string): never {
  throw new BrokerError('type_clash', `invalid JSON data at ${path}: ${message}`, { path });
}

/** The `data` of the value being decoded as a string (errors name the path of `data`). */
function asString(v: JsonValue | undefined, type: string): string {
  if (typeof v !== 'string') clash(currentPath('data'), `${type} data must be a JSON string`);
  if (!isWellFormedString(v)) clash(currentPath('data'), 'string contains a lone surrogate escape');
  return v;
}

function parseWith<T>(type: string, text: string, parse: (s: string) => T): T {
  try {
    return parse(text);
  } catch (e) {
    return clash(currentPath('data'), `${JSON.stringify(text)} is not a valid ${type}`);
  }
}

// Longer integer texts are outside every 64-bit range; not converting them keeps a
// hostile million-digit number from costing quadratic BigInt parsing.
const MAX_INTEGER_TEXT = 21;

function integerValue(v: JsonValue | undefined): bigint | undefined {
  if (!(v instanceof JsonNumber) || !v.isInteger || v.text.length > MAX_INTEGER_TEXT) return undefined;
  return BigInt(v.text);
}

/** True for a JSON integer that CAF keeps as a 64-bit integer rather than a double. */
function is64BitInteger(v: JsonNumber): boolean {
  const n = integerValue(v);
  return n !== undefined && ((n >= INT64_MIN && n <= INT64_MAX) || (n >= 0n && n <= COUNT_MAX));
}

/** Decodes the value at the path in `segments`. */
function toValue(json: JsonValue): Data {
  if (!(json instanceof Map)) clash(currentPath(), 'expected an object with "@data-type" and "data"');
  const type = json.get('@data-type');
  const data = json.get('data');
  if (typeof type !== 'string') clash(currentPath(), 'missing "@data-type"');
  switch (type) {
    case 'none':
      return null;
    case 'boolean':
      if (typeof data !== 'boolean') clash(currentPath('data'), 'boolean data must be true or false');
      return data;
    case 'count': {
      const n = integerValue(data);
      if (n === undefined || n < 0n || n > COUNT_MAX) clash(currentPath('data'), 'count data must be an integer in [0, 2^64-1]');
      return new Count(n);
    }
    case 'integer': {
      const n = integerValue(data);
      if (n === undefined || n < INT64_MIN || n > INT64_MAX) clash(currentPath('data'), 'integer data must be an integer in int64 range');
      return n;
    }
    case 'real': {
      // CAF keeps a JSON integer that fits 64 bits as an integer; only doubles are reals.
      if (!(data instanceof JsonNumber)) clash(currentPath('data'), 'real data must be a number');
      if (is64BitInteger(data)) clash(currentPath('data'), `real data must be written as a double (e.g. ${data.text}.0)`);
      if (data.text === 'nan') return NaN;
      if (data.text === 'inf') return Infinity;
      if (data.text === '-inf') return -Infinity;
      return Number(data.text);
    }
    case 'string':
      return asString(data, 'string');
    case 'address':
      return parseWith('address', asString(data, 'address'), Address.parse);
    case 'subnet':
      return parseWith('subnet', asString(data, 'subnet'), Subnet.parse);
    case 'port':
      return parseWith('port', asString(data, 'port'), Port.parse);
    case 'timestamp':
      return new Timestamp(parseWith('timestamp', asString(data, 'timestamp'), parseIsoTimestamp));
    case 'timespan':
      return parseWith('timespan', asString(data, 'timespan'), Timespan.parse);
    case 'enum-value':
      return new EnumValue(asString(data, 'enum-value'));
    case 'vector':
    case 'set': {
      if (!Array.isArray(data)) clash(currentPath('data'), `${type} data must be an array`);
      enterContainer();
      const items: Data[] = new Array(data.length);
      segments.push('data', 0);
      const at = segments.length - 1;
      for (let i = 0; i < data.length; i++) {
        segments[at] = i;
        items[i] = toValue(data[i]);
      }
      segments.length -= 2;
      openContainers--;
      return type === 'set' ? setFromArray(items) : items;
    }
    case 'table': {
      if (!Array.isArray(data)) clash(currentPath('data'), 'table data must be an array');
      enterContainer();
      const keys: Data[] = new Array(data.length);
      const values: Data[] = new Array(data.length);
      segments.push('data', 0, 'key');
      const at = segments.length - 2;
      for (let i = 0; i < data.length; i++) {
        const entry = data[i];
        segments[at] = i;
        if (!(entry instanceof Map) || !entry.has('key') || !entry.has('value')) {
          segments.length = at + 1;
          clash(currentPath(), 'table entries must be {"key":…,"value":…}');
        }
        segments[at + 1] = 'key';
        keys[i] = toValue(entry.get('key')!);
        segments[at + 1] = 'value';
        values[i] = toValue(entry.get('value')!);
      }
      segments.length -= 3;
      openContainers--;
      return tableFromArrays(keys, values);
    }
    default:
      return clash(currentPath(), `unknown @data-type ${JSON.stringify(type)}`);
  }
}

/** Counts one more container around the value being decoded. */
function enterContainer(): void {
  if (++openContainers > MAX_NESTING_DEPTH) clash(currentPath(), `containers nested deeper than ${MAX_NESTING_DEPTH} levels`);
}

/**
 * Decodes a value of the WebSocket JSON v1 format. Follows Broker's decoder: a count or
 * integer must be a JSON integer (counts up to 2^64 - 1 exactly), a real must be a JSON
 * double (`5.0`, not `5`), timestamps are ISO 8601 (no zone means UTC), timespans
 * `<n><unit>` with unit ns, us, ms, s, min, h or d; sets and tables may arrive in any
 * order. Also reads what Broker's encoder writes beyond JSON (`\v`, raw control
 * characters, `nan`, `inf`).
 * @param json - the JSON text of one value (an object with `@data-type` and `data`)
 * @returns the value
 * @throws BrokerError `invalid_json` for malformed JSON (with the offset), `type_clash`
 *   for well-formed JSON that is not a Broker value (with the path, e.g. `$.data[2]`)
 */
export function decodeJson(json: string): Data {
  const parsed = parseJson(json);
  segments.length = 0;
  openContainers = 0;
  return toValue(parsed);
}

/**
 * Decodes a data message of the WebSocket API (`{"type":"data-message","topic":…,
 * "@data-type":…,"data":…}`). As in Broker, `type` is not checked.
 * @param json - the JSON text
 * @returns the topic and the value
 * @throws BrokerError as {@link decodeJson}; `type_clash` when the topic is missing
 */
export function decodeJsonDataMessage(json: string): { topic: string; value: Data } {
  const obj = parseJson(json);
  if (!(obj instanceof Map)) return clash('$', 'expected a data-message object');
  const topic = obj.get('topic');
  if (typeof topic !== 'string') return clash('$.topic', 'a data message needs a string topic');
  segments.length = 0;
  openContainers = 0;
  return { topic, value: toValue(obj) };
}
