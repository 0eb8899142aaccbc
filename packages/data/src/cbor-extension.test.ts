import { Decoder, Encoder } from 'cbor-x';
import { address } from './address';
import { BrokerError } from './broker-error';
import { BrokerSet, set } from './broker-set';
import { sameData } from '../test/same-data';
import { table } from './broker-table';
import { BROKER_CBOR_TAG, cborEncoderOptions, cborExtensions, installCborExtensions } from './cbor-extension';
import { Count, count } from './count';
import type { Data } from './data';
import { enumValue } from './enum-value';
import { port } from './port';
import { subnet } from './subnet';
import { timespan } from './timespan';
import { timestamp } from './timestamp';

installCborExtensions();

const everyType = (): Data[] => [
  null,
  true,
  false,
  count(0),
  count(2n ** 64n - 1n),
  0n,
  5n,
  -(2n ** 63n),
  2n ** 63n - 1n,
  1.0,
  -0,
  NaN,
  Infinity,
  -1.5,
  2 ** 60,
  '',
  'héllo 😀',
  new Uint8Array([0xff, 0x00]),
  address('1.2.3.4'),
  address('2001:db8::1'),
  subnet('10.0.0.0/8'),
  port(80, 'tcp'),
  port(8, 'icmp'),
  timestamp(1_700_000_000_123_456_789n),
  timespan(-5n),
  enumValue('Conn::LOG'),
  set(['b', 'a', [1n, 2n]]),
  table([[[1n], set([count(3)])], ['k', -0]]),
  [1n, [2n, [count(3)]], []],
];

describe('cbor-x extension', () => {
  test('a real cbor-x Encoder round-trips actor messages with Broker values of every type anywhere inside', () => {
    const enc = new Encoder(cborEncoderOptions);
    const dec = new Decoder(cborEncoderOptions);
    const values = everyType();
    const message = {
      type: 'publish',
      seq: 7,
      payload: values,
      nested: { topic: '/a', value: values[values.length - 2], list: [values[3], { deep: values[18] }] },
      map: new Map<string, unknown>([['x', values[26]]]),
    };
    const back = dec.decode(enc.encode(message));
    expect(back.type).toBe('publish');
    expect(back.seq).toBe(7);
    expect(back.payload).toHaveLength(values.length);
    values.forEach((v, i) => expect(sameData(back.payload[i], v)).toBe(true));
    expect(sameData(back.nested.value, values[values.length - 2])).toBe(true);
    expect(back.nested.list[0]).toBeInstanceOf(Count);
    expect(sameData(back.nested.list[1].deep, values[18])).toBe(true);
    expect(back.map.get('x')).toBeInstanceOf(BrokerSet);
  });

  test('integers stay bigint and reals stay numbers, even where the values look alike', () => {
    const enc = new Encoder(cborEncoderOptions);
    const back = enc.decode(enc.encode([1n, 1.0, count(1), -0, 0n]));
    expect(back[0]).toBe(1n);
    expect(back[1]).toBe(1);
    expect(back[2]).toEqual(new Count(1n));
    expect(Object.is(back[3], -0)).toBe(true);
    expect(back[4]).toBe(0n);
  });

  test('without cborEncoderOptions cbor-x turns -0 into 0; everything else still survives', () => {
    const enc = new Encoder();
    const back = enc.decode(enc.encode(everyType()));
    expect(Object.is(back[10], 0)).toBe(true);
    const values = everyType();
    values.forEach((v, i) => {
      if (i !== 10) expect(sameData(back[i], v)).toBe(true);
    });
  });

  test('carries a BrokerError with its code, message and endpoint', () => {
    const enc = new Encoder(cborEncoderOptions);
    const back = enc.decode(enc.encode({ error: new BrokerError('peer_invalid', 'invalid host', { endpoint: ['nid', null, null, null] }) }));
    expect(back.error).toBeInstanceOf(BrokerError);
    expect(back.error.code).toBe('peer_invalid');
    expect(back.error.message).toBe('invalid host');
    expect(back.error.context.endpoint).toEqual(['nid', null, null, null]);
  });

  test('writes Broker values as the Broker binary format inside one tag', () => {
    const enc = new Encoder(cborEncoderOptions);
    const bytes = Buffer.from(enc.encode(count(1)));
    // tag 0x4272 (d9 42 72), byte string of 9 bytes (49), then 02 00..01
    expect(bytes.toString('hex')).toBe('d9427249020000000000000001');
    expect(cborExtensions.every((e) => e.tag === BROKER_CBOR_TAG || e.Class === BrokerError)).toBe(true);
  });

  test('a tag holding garbage decodes to a BrokerError, not a crash', () => {
    const enc = new Encoder(cborEncoderOptions);
    const bad = Buffer.from('d942724102', 'hex'); // tag, byte string [0x02]: a truncated count
    expect(() => enc.decode(bad)).toThrow(expect.objectContaining({ code: 'deserialization_failed' }));
    const notBytes = Buffer.from('d9427201', 'hex'); // tag around the integer 1
    expect(() => enc.decode(notBytes)).toThrow(expect.objectContaining({ code: 'deserialization_failed' }));
  });

  test('installing twice is harmless', () => {
    installCborExtensions();
    const enc = new Encoder(cborEncoderOptions);
    expect(enc.decode(enc.encode(address('::1')))).toEqual(address('::1'));
  });
});
