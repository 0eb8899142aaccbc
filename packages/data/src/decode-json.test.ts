import { address } from './address';
import { BrokerError } from './broker-error';
import { set, table } from './containers';
import { count, Count } from './count';
import type { Data } from './data';
import { decodeJson, decodeJsonDataMessage } from './decode-json';
import { encodeJson } from './encode-json';
import { equals } from './compare';
import { enumValue } from './enum-value';
import { port } from './port';
import { subnet } from './subnet';
import { timespan } from './timespan';
import { timestamp, Timestamp } from './timestamp';
import { toString } from './to-string';

const v = (type: string, data: string): string => `{"@data-type":"${type}","data":${data}}`;

function expectError(json: string, code: string, message: RegExp): void {
  try {
    decodeJson(json);
  } catch (e) {
    expect(e).toBeInstanceOf(BrokerError);
    expect((e as BrokerError).code).toBe(code);
    expect((e as BrokerError).message).toMatch(message);
    return;
  }
  throw new Error(`decodeJson(${json}) did not throw`);
}

describe('decodeJson', () => {
  test('reads the full-type round-trip baseline of Broker’s WebSocket test', () => {
    const values = [
      -(2n ** 63n), 2n ** 63n - 1n, count(0), count(2n ** 64n - 1n), 'Hello <Broker>!', null, true, -7.5, timespan(15), enumValue('foo'),
      address('2001:db8::'), subnet('255.255.255.0/24'), port(8080, 'tcp'), set(['foo', 'bar']), table({ 'first-name': 'John', 'last-name': 'Doe' }),
    ];
    for (const value of values) expect(equals(decodeJson(encodeJson(value)), value)).toBe(true);
    expect(decodeJson(v('string', '"Hello \\u003cBroker\\u003e!"'))).toBe('Hello <Broker>!');
  });

  test('reads counts up to 2^64-1 exactly and tells 5 from 5.0', () => {
    expect(decodeJson(v('count', '18446744073709551615'))).toEqual(new Count(18446744073709551615n));
    expect(decodeJson(v('integer', '-9223372036854775808'))).toBe(-9223372036854775808n);
    expect(decodeJson(v('real', '5.0'))).toBe(5);
    expect(decodeJson(v('real', '-7.500000'))).toBe(-7.5);
    expect(decodeJson(v('real', '1e300'))).toBe(1e300);
    expect(Object.is(decodeJson(v('real', '-0.0')), -0)).toBe(true);
    expect(decodeJson(v('real', 'nan'))).toBeNaN();
    expect(decodeJson(v('real', '-inf'))).toBe(-Infinity);
    expect(decodeJson(v('real', '18446744073709551616'))).toBe(2 ** 64);
    expect(decodeJson(v('real', '-9223372036854775809'))).toBe(-(2 ** 63));
    expectError(v('real', '-9223372036854775808'), 'type_clash', /written as a double/);
    expectError(v('real', '18446744073709551615'), 'type_clash', /written as a double/);
    expectError(v('real', '5'), 'type_clash', /real data must be written as a double \(e\.g\. 5\.0\) at|at \$\.data/);
    expectError(v('count', '5.0'), 'type_clash', /count data/);
    expectError(v('count', '-1'), 'type_clash', /count data/);
    expectError(v('count', '18446744073709551616'), 'type_clash', /count data/);
    expectError(v('integer', '9223372036854775808'), 'type_clash', /integer data/);
    expectError(v('integer', '1e3'), 'type_clash', /integer data/);
  });

  test('reads timestamps in ISO 8601, UTC without a zone, and timespans with any unit', () => {
    expect(decodeJson(v('timestamp', '"2014-07-09T10:16:44.000"'))).toEqual(new Timestamp(1404901004_000_000_000n));
    expect(decodeJson(v('timestamp', '"2014-07-09T10:16:44.123456789"'))).toEqual(new Timestamp(1404901004_123_456_789n));
    expect(decodeJson(v('timestamp', '"2014-07-09T12:16:44+02:00"'))).toEqual(new Timestamp(1404901004_000_000_000n));
    expect(decodeJson(v('timestamp', '"2014-07-09T10:16:44Z"'))).toEqual(new Timestamp(1404901004_000_000_000n));
    expect(decodeJson(v('timestamp', '"1969-12-31T23:59:59.999"'))).toEqual(new Timestamp(-1_000_000n));
    expect(encodeJson(timestamp(-1_000_001n))).toBe(v('timestamp', '"1969-12-31T23:59:59.999"'));
    expect(encodeJson(timestamp(-1n))).toBe(v('timestamp', '"1970-01-01T00:00:00.000"'));
    expect(encodeJson(timestamp(-(2n ** 63n)))).toBe(v('timestamp', '"1677-09-21T00:12:43.146"'));
    expect(decodeJson(encodeJson(timestamp(-(2n ** 63n))))).toEqual(new Timestamp(-9223372036854000000n));
    expect(decodeJson(v('timespan', '"2min"'))).toEqual(timespan(120_000));
    expect(decodeJson(v('timespan', '"0s"'))).toEqual(timespan(0n));
    for (const bad of ['"2014-02-30T00:00:00"', '"2014-13-01T00:00:00"', '"2014-07-09 10:16:44"', '"yesterday"', '5']) {
      expectError(v('timestamp', bad), 'type_clash', /timestamp/);
    }
    expectError(v('timespan', '"5 parsecs"'), 'type_clash', /not a valid timespan/);
  });

  test('knows the last day of every month, leap years included (as Date.UTC does), within int64 ns', () => {
    for (const y of [1700, 1900, 1970, 2000, 2023, 2024, 2100, 2200]) {
      for (let m = 1; m <= 12; m++) {
        const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
        const day = (d: number): string => `"${y}-${String(m).padStart(2, '0')}-${d}T00:00:00"`;
        expect(decodeJson(v('timestamp', day(last)))).toEqual(new Timestamp(BigInt(Date.UTC(y, m - 1, last)) * 1_000_000n));
        expectError(v('timestamp', day(last + 1)), 'type_clash', /not a valid timestamp/);
      }
    }
  });

  test('sorts and deduplicates sets and tables, accepts Broker’s raw control characters and \\v', () => {
    expect(toString(decodeJson(v('set', `[${v('integer', '2')},${v('integer', '1')},${v('integer', '2')}]`)))).toBe('{1, 2}');
    expect(decodeJson(v('string', '"a\x01\\vb\\/"'))).toBe('a\x01\vb/');
    expect(decodeJson(v('string', '"\\ud83d\\ude00"'))).toBe('😀');
    expect(decodeJson(`  { "data" : {"x":1} , "@data-type" : "none" }  `)).toBeNull();
  });

  test.each([
    ['', /unexpected end of input at offset 0/],
    ['{', /expected a string key at offset 1/],
    ['{"@data-type":"none","data":{}', /expected ',' or '}' at offset 30/],
    ['{"@data-type":"none","data":{}}x', /unexpected text after the JSON value at offset 31/],
    ['{"@data-type":"string","data":"abc', /unterminated string at offset 30/],
    ['{"@data-type":"string","data":"\\q"}', /invalid escape at offset 31/],
    ['{"@data-type":"string","data":"\\u12"}', /invalid \\u escape/],
    ['{"@data-type":"integer","data":01}', /leading zero/],
    ['{"@data-type":"integer","data":-}', /expected a digit/],
    ['{"@data-type":"real","data":1.}', /after the decimal point/],
    ['{"@data-type":"real","data":1e}', /in the exponent/],
    ['[1 2]', /expected ',' or ']' at offset 3/],
    ['tru', /expected true/],
    ['{"a" 1}', /expected ':'/],
  ])('reports malformed JSON %p with invalid_json and the offset', (json, message) => {
    expectError(json, 'invalid_json', message);
  });

  test.each([
    ['[]', /expected an object/],
    ['{"data":1}', /missing "@data-type"/],
    [v('phone', '"555-0123"'), /unknown @data-type "phone"/],
    [v('boolean', '1'), /boolean data/],
    [v('string', '5'), /string data must be a JSON string/],
    [v('string', '"\\ud800"'), /lone surrogate/],
    [v('address', '"1.2.3"'), /not a valid address/],
    [v('subnet', '"1.2.3.4/33"'), /not a valid subnet/],
    [v('port', '"80"'), /not a valid port/],
    [v('vector', '{}'), /vector data must be an array/],
    [v('vector', `[${v('integer', '1')},5]`), /at \$\.data\[1\]/],
    [v('table', '[{"key":{"@data-type":"none","data":{}}}]'), /table entries/],
    [v('table', `[{"key":${v('count', '1')},"value":${v('count', '2')}},{"key":1}]`), /at \$\.data\[1\]: table entries/],
    [v('table', `[{"key":${v('count', '1')},"value":${v('boolean', '2')}}]`), /at \$\.data\[0\]\.value\.data: boolean data/],
    [v('table', `[{"key":${v('count', '-1')},"value":${v('boolean', 'true')}}]`), /at \$\.data\[0\]\.key\.data: count data/],
    [v('set', `[${v('string', '"a"')},${v('vector', `[${v('port', '"x"')}]`)}]`), /at \$\.data\[1\]\.data\[0\]\.data: "x" is not a valid port/],
    [v('enum-value', 'null'), /enum-value data must be a JSON string/],
  ])('reports well-formed JSON that is no Broker value %p with type_clash and the path', (json, message) => {
    expectError(json, 'type_clash', message);
  });

  test('reads a million-digit integer quickly and refuses it as a count', () => {
    const digits = '9'.repeat(1_000_000);
    expectError(v('count', digits), 'type_clash', /count data/);
    expect(decodeJson(v('real', digits))).toBe(Infinity);
  });

  test('refuses nesting deeper than 512 without overflowing the stack', () => {
    expectError('['.repeat(100_000), 'invalid_json', /JSON nesting deeper than 1539 levels/);
    expectError('{"a":'.repeat(100_000), 'invalid_json', /JSON nesting deeper than 1539 levels/);
  });

  test('round-trips values nested 512 levels (vectors, sets, tables), and refuses 513', () => {
    const nest = (depth: number, wrap: (inner: Data) => Data): Data => {
      let v: Data = count(1);
      for (let i = 0; i < depth; i++) v = wrap(v);
      return v;
    };
    for (const wrap of [(x: Data) => [x], (x: Data) => set([x]), (x: Data) => table([[x, null]])]) {
      const deep = nest(512, wrap);
      expect(equals(decodeJson(encodeJson(deep)), deep)).toBe(true);
    }
    const tooDeep = `${'{"@data-type":"vector","data":['.repeat(513)}{"@data-type":"count","data":1}${']}'.repeat(513)}`;
    expectError(tooDeep, 'type_clash', /containers nested deeper than 512 levels/);
  });

  test('decodes data messages', () => {
    expect(decodeJsonDataMessage('{"type":"data-message","topic":"/t","@data-type":"count","data":1}')).toEqual({ topic: '/t', value: count(1) });
    expect(() => decodeJsonDataMessage(v('count', '1'))).toThrow(expect.objectContaining({ code: 'type_clash' }));
    expect(() => decodeJsonDataMessage('[]')).toThrow(expect.objectContaining({ code: 'type_clash' }));
    expect(() => decodeJson(5 as never)).toThrow(expect.objectContaining({ code: 'type_clash' }));
  });
});
