import { Decoder, Encoder } from 'cbor-x';
import { address } from './address';
import { BrokerError } from './broker-error';
import { BrokerSet, set } from './containers';
import { sameData } from '../test/same-data';
import { table } from './containers';
import { BROKER_CBOR_TAGS, BROKER_ERROR_CBOR_TAG, cborEncoderOptions, cborExtensions, installCborExtensions } from './cbor-extension';
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
  table([[[1n], set([count(3)])], ['k', -2.5]]),
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

  test('writes each class under its own tag with plain CBOR content', () => {
    const enc = new Encoder(cborEncoderOptions);
    const hex = (v: unknown): string => Buffer.from(enc.encode(v)).toString('hex');
    // tag 0x4202 (d9 42 02) around the 64-bit integer 1
    expect(hex(count(1))).toBe('d942021b0000000000000001');
    // tag 0x4208 around 80 * 4 + 1 (tcp), a float64 under alwaysUseFloat
    expect(hex(port(80, 'tcp'))).toBe('d94208fb4074100000000000');
    expect(Buffer.from(new Encoder().encode(port(80, 'tcp'))).toString('hex')).toBe('d94208190141');
    // tag 0x420b around the string "x"
    expect(hex(enumValue('x'))).toBe('d9420b6178');
    const tags = cborExtensions.map((e) => e.tag);
    expect(new Set(tags).size).toBe(tags.length);
    expect(tags.sort()).toEqual([...Object.values(BROKER_CBOR_TAGS), BROKER_ERROR_CBOR_TAG].sort());
  });

  test.each([
    ['count around a string', 'd9420261' + '78'],
    ['count around -1', 'd9420220'],
    ['address around 3 integers', 'd94206' + '83010203'],
    ['address around a word above 2^32', 'd94206' + '84' + '000000' + '1b0000000100000000'],
    ['subnet with length 129', 'd94207' + '85' + '00000000' + '1881'],
    ['subnet around 4 integers', 'd94207' + '84' + '00000000'],
    ['port above 65535*4+3', 'd94208' + '1a00040000'],
    ['port around a float', 'd94208' + 'fb3ff8000000000000'],
    ['timestamp around a string', 'd9420961' + '78'],
    ['enum around an integer', 'd9420b01'],
    ['set around a map', 'd9420ca0'],
    ['table with unequal lengths', 'd9420d' + '82' + '8101' + '80'],
    ['table around a single array', 'd9420d' + '8101'],
    ['error with an unknown code', 'd94220' + '82' + '6178' + '6179'],
    ['timestamp above int64', 'd94209' + '1b8000000000000000'],
    ['timespan above int64', 'd9420a' + '1b8000000000000000'],
  ])('decoding a tag whose content is wrong (%s) raises BrokerError deserialization_failed, not a crash', (_name, h) => {
    const dec = new Decoder(cborEncoderOptions);
    let thrown: unknown;
    try {
      dec.decode(Buffer.from(h, 'hex'));
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(BrokerError);
    // As documented (data-model.md): bad tag content is malformed input.
    expect((thrown as BrokerError).code).toBe('deserialization_failed');
  });

  test('installing twice is harmless', () => {
    installCborExtensions();
    const enc = new Encoder(cborEncoderOptions);
    expect(enc.decode(enc.encode(address('::1')))).toEqual(address('::1'));
  });
});
