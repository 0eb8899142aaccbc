import { Address } from './address';
import { BrokerError } from './broker-error';
import { setFromArray, tableFromArrays } from './containers';
import { Count, COUNT_MAX } from './count';
import type { Data } from './data';
import { EnumValue } from './enum-value';
import { INT64_MAX, INT64_MIN } from './int64';
import { parseIsoTimestamp } from './iso-time';
import { JsonNumber, type JsonValue, parseJson } from './json-reader';
import { Port } from './port';
import { Subnet } from './subnet';
import { Timespan } from './timespan';
import { Timestamp } from './timestamp';
import { isWellFormedString } from './utf8';

function clash(path: string, message: string): never {
  throw new BrokerError('type_clash', `invalid JSON data at ${path}: ${message}`, { path });
}

function asString(v: JsonValue | undefined, path: string, type: string): string {
  if (typeof v !== 'string') clash(path, `${type} data must be a JSON string`);
  if (!isWellFormedString(v)) clash(path, 'string contains a lone surrogate escape');
  return v;
}

function parseWith<T>(path: string, type: string, text: string, parse: (s: string) => T): T {
  try {
    return parse(text);
  } catch (e) {
    return clash(path, `${JSON.stringify(text)} is not a valid ${type}`);
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

function toValue(json: JsonValue, path: string): Data {
  if (!(json instanceof Map)) clash(path, 'expected an object with "@data-type" and "data"');
  const type = json.get('@data-type');
  const data = json.get('data');
  if (typeof type !== 'string') clash(path, 'missing "@data-type"');
  const at = `${path}.data`;
  switch (type) {
    case 'none':
      return null;
    case 'boolean':
      if (typeof data !== 'boolean') clash(at, 'boolean data must be true or false');
      return data;
    case 'count': {
      const n = integerValue(data);
      if (n === undefined || n < 0n || n > COUNT_MAX) clash(at, 'count data must be an integer in [0, 2^64-1]');
      return new Count(n);
    }
    case 'integer': {
      const n = integerValue(data);
      if (n === undefined || n < INT64_MIN || n > INT64_MAX) clash(at, 'integer data must be an integer in int64 range');
      return n;
    }
    case 'real': {
      // CAF keeps a JSON integer that fits 64 bits as an integer; only doubles are reals.
      if (!(data instanceof JsonNumber)) clash(at, 'real data must be a number');
      if (is64BitInteger(data)) clash(at, `real data must be written as a double (e.g. ${data.text}.0)`);
      if (data.text === 'nan') return NaN;
      if (data.text === 'inf') return Infinity;
      if (data.text === '-inf') return -Infinity;
      return Number(data.text);
    }
    case 'string':
      return asString(data, at, 'string');
    case 'address':
      return parseWith(at, 'address', asString(data, at, 'address'), Address.parse);
    case 'subnet':
      return parseWith(at, 'subnet', asString(data, at, 'subnet'), Subnet.parse);
    case 'port':
      return parseWith(at, 'port', asString(data, at, 'port'), Port.parse);
    case 'timestamp':
      return new Timestamp(parseWith(at, 'timestamp', asString(data, at, 'timestamp'), parseIsoTimestamp));
    case 'timespan':
      return parseWith(at, 'timespan', asString(data, at, 'timespan'), Timespan.parse);
    case 'enum-value':
      return new EnumValue(asString(data, at, 'enum-value'));
    case 'vector':
    case 'set': {
      if (!Array.isArray(data)) clash(at, `${type} data must be an array`);
      const items = data.map((x, i) => toValue(x, `${at}[${i}]`));
      return type === 'set' ? setFromArray(items) : items;
    }
    case 'table': {
      if (!Array.isArray(data)) clash(at, 'table data must be an array');
      const keys: Data[] = [];
      const values: Data[] = [];
      data.forEach((entry, i) => {
        if (!(entry instanceof Map) || !entry.has('key') || !entry.has('value')) clash(`${at}[${i}]`, 'table entries must be {"key":…,"value":…}');
        keys.push(toValue(entry.get('key')!, `${at}[${i}].key`));
        values.push(toValue(entry.get('value')!, `${at}[${i}].value`));
      });
      return tableFromArrays(keys, values);
    }
    default:
      return clash(path, `unknown @data-type ${JSON.stringify(type)}`);
  }
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
  return toValue(parseJson(json), '$');
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
  return { topic, value: toValue(obj, '$') };
}
