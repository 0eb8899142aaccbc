import { Address } from './address';
import { BrokerError } from './broker-error';
import { BrokerSet, BrokerTable } from './containers';
import { Count } from './count';
import { decodeBinary } from './decode-binary';
import { encodeBinary } from './encode-binary';
import { MAX_NESTING_DEPTH } from './max-nesting-depth';
import { EnumValue } from './enum-value';
import { Port } from './port';
import { Subnet } from './subnet';
import { Timespan } from './timespan';
import { Timestamp } from './timestamp';
import { toString } from './to-string';

const fromHex = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, 'hex'));

function expectError(h: string | Uint8Array, code: string, messagePart: RegExp): BrokerError {
  try {
    decodeBinary(typeof h === 'string' ? fromHex(h) : h);
  } catch (e) {
    expect(e).toBeInstanceOf(BrokerError);
    expect((e as BrokerError).code).toBe(code);
    expect((e as BrokerError).message).toMatch(messagePart);
    return e as BrokerError;
  }
  throw new Error('decodeBinary did not throw');
}

describe('decodeBinary', () => {
  test('decodes ASCII strings of every short length, each character in its place', () => {
    // Short ASCII strings take a path of their own, one case per length up to 12.
    for (let len = 0; len <= 40; len++) {
      const s = Array.from({ length: len }, (_, i) => String.fromCharCode(0x21 + ((i * 7 + len) % 94))).join('');
      const bytes = Buffer.concat([Buffer.from([5, len]), Buffer.from(s, 'ascii')]);
      expect(decodeBinary(bytes)).toBe(s);
      expect(decodeBinary(encodeBinary([s, len]))).toEqual([s, len]);
    }
  });

  test('decodes every type to its exact JS class', () => {
    const v = decodeBinary(
      fromHex(
        '0e0f' +
          '00' + '0101' + '020000000000000005' + '03fffffffffffffff9' + '043ff8000000000000' + '050161' +
          '0600000000000000000000ffff01020304' + '0700000000000000000000ffff0a00000068' + '08005001' +
          '090000000000000001' + '0a0000000000000002' + '0b0178' + '0c01050161' + '0d010501610100' + '0e00',
      ),
    ) as unknown[];
    expect(v[0]).toBeNull();
    expect(v[1]).toBe(true);
    expect(v[2]).toEqual(new Count(5n));
    expect(v[3]).toBe(-7n);
    expect(v[4]).toBe(1.5);
    expect(v[5]).toBe('a');
    expect(v[6]).toBeInstanceOf(Address);
    expect(v[7]).toBeInstanceOf(Subnet);
    expect(v[8]).toBeInstanceOf(Port);
    expect(v[9]).toBeInstanceOf(Timestamp);
    expect(v[10]).toBeInstanceOf(Timespan);
    expect(v[11]).toBeInstanceOf(EnumValue);
    expect(v[12]).toBeInstanceOf(BrokerSet);
    expect(v[13]).toBeInstanceOf(BrokerTable);
    expect(v[14]).toEqual([]);
    expect(toString(v as never)).toBe('(nil, T, 5, -7, 1.500000, a, 1.2.3.4, 10.0.0.0/8, 80/tcp, 1ns, 2ns, x, {a}, {a -> F}, ())');
  });

  test('keeps bytes that are not UTF-8 as a Uint8Array that re-encodes identically', () => {
    const v = decodeBinary(fromHex('0503ff6180'));
    expect(v).toEqual(new Uint8Array([0xff, 0x61, 0x80]));
    expect(Buffer.from(encodeBinary(v)).toString('hex')).toBe('0503ff6180');
    expect(decodeBinary(fromHex('0503efbbbf'))).toBe('\ufeff');
  });

  test('keeps a leading BOM also in a string that holds U+FFFD (the path of the strict decoder)', () => {
    const hex = '0507efbbbf61efbfbd';
    expect(decodeBinary(fromHex(hex))).toBe('\ufeffa\ufffd');
    expect(Buffer.from(encodeBinary(decodeBinary(fromHex(hex)))).toString('hex')).toBe(hex);
  });

  test('keeps -0, NaN, infinities and 64-bit extremes', () => {
    expect(Object.is(decodeBinary(fromHex('048000000000000000')), -0)).toBe(true);
    expect(decodeBinary(fromHex('047ff8000000000000'))).toBeNaN();
    expect(decodeBinary(fromHex('04fff0000000000000'))).toBe(-Infinity);
    expect(decodeBinary(fromHex('037fffffffffffffff'))).toBe(2n ** 63n - 1n);
    expect(decodeBinary(fromHex('02ffffffffffffffff'))).toEqual(new Count(2n ** 64n - 1n));
  });

  test('sorts and deduplicates sets and tables that arrive out of order', () => {
    expect(toString(decodeBinary(fromHex('0c03050162050161050162')))).toBe('{a, b}');
    expect(toString(decodeBinary(fromHex('0d02050162000501610101')))).toBe('{a -> T, b -> nil}');
  });

  test.each([
    ['', /expected a type tag at offset 0/],
    ['02000000', /count needs 8 bytes, 3 left at offset 1/],
    ['0505616263', /string of 5 bytes exceeds the 3 bytes left at offset 1/],
    ['05', /unfinished length of a string at offset 1/],
    ['0580', /unfinished length of a string at offset 1/],
    ['0e02' + '0002', /count needs 8 bytes, 0 left at offset 4/],
    ['0102', /invalid boolean byte 2 at offset 1/],
    ['080050' + '04', /invalid port protocol 4 at offset 3/],
    ['0700000000000000000000000000000000' + '81', /subnet length 129 exceeds 128 at offset 17/],
    ['06000000', /address needs 16 bytes/],
    ['0000', /1 trailing bytes after the value at offset 1/],
    ['0b01ff', /enum name is not valid UTF-8/],
    ['05ffffffffffffffffffffff', /longer than 10 bytes/],
  ])('reports malformed input %p with deserialization_failed and where', (h, message) => {
    const e = expectError(h, 'deserialization_failed', message);
    expect(typeof e.context.offset).toBe('number');
  });

  test('reports an unknown type tag with invalid_tag', () => {
    expectError('0f', 'invalid_tag', /unknown type tag 15 at offset 0/);
    expectError('0e01ff', 'invalid_tag', /unknown type tag 255 at offset 2/);
  });

  test('refuses a 2^60 element count without allocating', () => {
    // varbyte for 2^60: nine bytes of 0x80 then 0x10.
    expectError('0e' + '808080808080808010', 'deserialization_failed', /too large|cannot fit/);
    expectError('0e' + 'ffffffff0f', 'deserialization_failed', /vector of 4294967295 elements cannot fit the 0 bytes left/);
    expectError('0d' + '0a' + '0000000000', 'deserialization_failed', /table of 10 elements cannot fit the 5 bytes left/);
    expectError('05' + '808080808080808010', 'deserialization_failed', /too large \(1152921504606846976\)/);
  });

  test(`refuses nesting deeper than ${MAX_NESTING_DEPTH} instead of overflowing the stack`, () => {
    const deep = new Uint8Array(2 * 100_000 + 1);
    for (let i = 0; i < 100_000; i++) {
      deep[2 * i] = 0x0e;
      deep[2 * i + 1] = 1;
    }
    expectError(deep, 'deserialization_failed', /nested deeper than 512/);
    let ok: unknown = null;
    for (let i = 0; i < MAX_NESTING_DEPTH; i++) ok = [ok];
    expect(decodeBinary(encodeBinary(ok as never))).toEqual(ok);
  });

  test('rejects input that is not bytes', () => {
    expect(() => decodeBinary('00' as never)).toThrow(expect.objectContaining({ code: 'type_clash' }));
  });

  test('reads from a view into a larger buffer', () => {
    const buf = fromHex('ff050161ff');
    expect(decodeBinary(buf.subarray(1, 4))).toBe('a');
  });
});

test('bytes decoded from a Node Buffer are a plain Uint8Array copy, not a view of the input', () => {
  const input = Buffer.from('0502ff00', 'hex');
  const v = decodeBinary(input) as Uint8Array;
  expect(Object.getPrototypeOf(v)).toBe(Uint8Array.prototype);
  input[2] = 0x01;
  expect([...v]).toEqual([0xff, 0x00]);
});
