import { address } from './address';
import { set, table } from './containers';
import { count } from './count';
import type { DataInput } from './data';
import { decodeBinary } from './decode-binary';
import { encodeBinary, encodeBinaryView, encodeExactBinary } from './encode-binary';
import { enumValue } from './enum-value';
import { port } from './port';
import { subnet } from './subnet';
import { timespan } from './timespan';
import { timestamp } from './timestamp';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('encodeBinary', () => {
  // The byte layouts of Broker's format/bin.hh ; the SQLite examples
  // were observed in a file written by Broker 1.4.
  test.each<[string, DataInput, string]>([
    ['none', null, '00'],
    ['undefined as none', undefined, '00'],
    ['true', true, '0101'],
    ['false', false, '0100'],
    ['count 1234567890', count(1234567890), '0200000000499602d2'],
    ['count max', count(2n ** 64n - 1n), '02ffffffffffffffff'],
    ['integer 1 (SQLite value)', 1n, '030000000000000001'],
    ['integer -1234567890', -1234567890n, '03ffffffffb669fd2e'],
    ['integer min', -(2n ** 63n), '038000000000000000'],
    ['real 1.0', 1, '043ff0000000000000'],
    ['real -1.0', -1, '04bff0000000000000'],
    ['real -0', -0, '048000000000000000'],
    ['real inf', Infinity, '047ff0000000000000'],
    ['string "a" (SQLite key)', 'a', '050161'],
    ['string hello world', 'hello world', '050b68656c6c6f20776f726c64'],
    ['string with non-ASCII', 'é€😀', '0509c3a9e282acf09f9880'],
    ['bytes that are not UTF-8', new Uint8Array([0xff, 0x00]), '0502ff00'],
    ['address 192.168.9.8', address('192.168.9.8'), '0600000000000000000000ffffc0a80908'],
    ['address 2001:db8::1', address('2001:db8::1'), '0620010db8000000000000000000000001'],
    ['subnet 192.168.9.8/24', subnet('192.168.9.8/24'), '0700000000000000000000ffffc0a8090078'],
    ['port 8080/tcp', port(8080, 'tcp'), '081f9001'],
    ['port 9000/udp', port(9000, 'udp'), '08232802'],
    ['port 0/?', port(0), '08000000'],
    ['timestamp 1234567890ns', timestamp(1234567890n), '0900000000499602d2'],
    ['timespan 1234567890ns', timespan(1234567890n), '0a00000000499602d2'],
    ['enum foobar', enumValue('foobar'), '0b06666f6f626172'],
    ['set {false, count 1, "hello world"}', set([false, count(1), 'hello world']), '0c030100020000000000000001050b68656c6c6f20776f726c64'],
    ['table {count 1 -> hello, count 2 -> world}', table([[count(1), 'hello'], [count(2), 'world']]), '0d0202000000000000000105056865' + '6c6c6f020000000000000002050577' + '6f726c64'],
    ['vector (1, "x") (SQLite value)', [1n, 'x'], '0e0203000000000000000105' + '0178'],
    ['empty vector', [], '0e00'],
    ['a JS Set becomes a set', new Set(['b', 'a']), '0c020501610501' + '62'],
    ['a Map becomes a table', new Map([['k', null]]), '0d0105016b00'],
    ['a plain object becomes a table', { k: true }, '0d0105016b0101'],
    ['a Date becomes a timestamp', new Date(1), '0900000000000f4240'],
  ])('%s', (_name, value, expected) => {
    expect(hex(encodeBinary(value))).toBe(expected);
  });

  test('an encoding started by user code inside an encoding is refused; neither result is corrupted', () => {
    const failed = expect.objectContaining({ name: 'BrokerError', code: 'serialization_failed' });
    const viaGetter: unknown[] = ['aaaaaaaaaa', 'b'];
    Object.defineProperty(viaGetter, 1, {
      get() {
        encodeBinary('ZZZZZZZZZZZZZZZZZZZZ');
        return 'b';
      },
    });
    expect(() => encodeBinary(viaGetter as never)).toThrow(failed);
    expect(() => encodeBinary([1n, { get x() { return encodeBinary('inner').length; } }] as never)).toThrow(failed);
    // Both work again afterwards, and a value read from such a getter before is intact.
    const inner = encodeBinary('ZZZZZZZZZZZZZZZZZZZZ');
    expect(Buffer.from(encodeBinary(['aaaaaaaaaa', 'b'])).toString('hex')).toBe('0e0205' + '0a' + '61'.repeat(10) + '050162');
    expect(Buffer.from(inner).toString('hex')).toBe('0514' + '5a'.repeat(20));
  });

  test('writes varbyte lengths 7 bits at a time, low group first', () => {
    expect(hex(encodeBinary('x'.repeat(127))).slice(0, 4)).toBe('057f');
    expect(hex(encodeBinary('x'.repeat(128))).slice(0, 6)).toBe('058001');
    expect(hex(encodeBinary('x'.repeat(300))).slice(0, 6)).toBe('05ac02');
    expect(hex(encodeBinary(new Array(16384).fill(null))).slice(0, 8)).toBe('0e808001');
    expect(hex(encodeBinary('é'.repeat(100))).slice(0, 6)).toBe('05c801');
  });

  test('grows past its scratch buffer and keeps working afterwards', () => {
    const big = 'y'.repeat(3_000_000);
    const bytes = encodeBinary([big, big]);
    expect(bytes.length).toBe(1 + 1 + 2 * (1 + 4 + 3_000_000));
    expect(decodeBinary(bytes)).toEqual([big, big]);
    expect(hex(encodeBinary('a'))).toBe('050161');
  });

  test('results stay intact while later values are encoded, failed or not, small or large', () => {
    // Small results share one buffer; none may be written over by a later encoding.
    const values: DataInput[] = [];
    for (let i = 0; i < 2000; i++) {
      if (i % 97 === 0) values.push('z'.repeat(5000 + i)); // past the size results share a buffer at
      else if (i % 89 === 0) values.push(['w'.repeat(1000 + i), count(i)]); // grows the scratch buffer mid-value
      else values.push([count(i), `s${i}`, i % 2 === 0]);
    }
    const results: Uint8Array[] = [];
    const copies: string[] = [];
    for (const v of values) {
      const bytes = encodeBinary(v);
      results.push(bytes);
      copies.push(hex(bytes));
      expect(() => encodeBinary(['a', 'b', '\ud800'])).toThrow(expect.objectContaining({ code: 'serialization_failed' }));
      expect(hex(encodeBinaryView(['view', 1]))).toBe(hex(encodeBinary(['view', 1])));
    }
    results.forEach((bytes, i) => {
      expect(hex(bytes)).toBe(copies[i]);
      expect(decodeBinary(bytes)).toEqual(values[i]);
    });
  });

  test('refuses what has no Broker form with a BrokerError', () => {
    expect(() => encodeBinary(2n ** 63n)).toThrow(expect.objectContaining({ code: 'serialization_failed' }));
    expect(() => encodeBinary('\ud800')).toThrow(expect.objectContaining({ code: 'serialization_failed' }));
    expect(() => encodeBinary((() => 1) as never)).toThrow(expect.objectContaining({ code: 'type_clash' }));
    expect(() => encodeBinary(Symbol('x') as never)).toThrow(expect.objectContaining({ code: 'type_clash' }));
    expect(() => encodeBinary(new (class Foo {})() as never)).toThrow(expect.objectContaining({ code: 'type_clash' }));
    const cyclic: unknown[] = [];
    cyclic.push(cyclic);
    expect(() => encodeBinary(cyclic as never)).toThrow(expect.objectContaining({ code: 'serialization_failed' }));
  });
});

describe('encodeExactBinary', () => {
  const event = [count(1), count(1), ['event_2', [timestamp(1_500_000_000n), 'uid', [address('1.2.3.4'), port(80, 'tcp')], enumValue('tcp'), timespan(3n), set(['a', 'b']), table([['k', -1n]]), subnet('10.0.0.0/8'), 2.5, true, null, 'é€😀']]];

  test('encodes exact Broker data to the bytes of encodeBinary', () => {
    expect(hex(encodeExactBinary(event)!)).toBe(hex(encodeBinary(event)));
    expect(hex(encodeExactBinary('x'.repeat(5000))!)).toBe(hex(encodeBinary('x'.repeat(5000))));
  });

  test('gives views of a shared buffer that later encodings leave alone', () => {
    const results = Array.from({ length: 400 }, (_, i) => [i, encodeExactBinary(['x'.repeat(i % 50), count(i)])!] as const);
    for (const [i, bytes] of results) {
      expect(hex(bytes)).toBe(hex(encodeBinary(['x'.repeat(i % 50), count(i)])));
    }
    // Small results share slabs; a large one is a copy of its own.
    expect(results[1][1].buffer).toBe(results[2][1].buffer);
    expect(encodeExactBinary('x'.repeat(5000))!.byteLength).toBe(5003);
  });

  test.each<[string, unknown]>([
    ['undefined (toData makes it none)', [1, undefined]],
    ['a plain object (a table)', { a: 1 }],
    ['a Map', new Map([[1, 2]])],
    ['a Set', new Set([1])],
    ['a Date', new Date(0)],
    ['bytes (toData makes valid UTF-8 a string)', new Uint8Array([0x61])],
    ['a lone surrogate', ['\ud800']],
    ['an integer out of int64 range', 2n ** 63n],
    ['nesting past the limit', JSON.parse('['.repeat(600) + ']'.repeat(600))],
    ['a function', () => 1],
  ])('leaves %s to toData', (_name, input) => {
    expect(encodeExactBinary(input as DataInput)).toBeUndefined();
  });

  test('a cyclic array is left to toData, and the encoder is usable after', () => {
    const a: unknown[] = [1];
    a.push(a);
    expect(encodeExactBinary(a as DataInput)).toBeUndefined();
    expect(hex(encodeBinary(undefined))).toBe('00');
    expect(hex(encodeBinary([1, undefined]))).toBe(hex(encodeBinary([1, null])));
  });
});
