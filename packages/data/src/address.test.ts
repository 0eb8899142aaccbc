import { Address, address } from './address';

describe('Address', () => {
  test.each([
    ['10.0.0.1', '10.0.0.1'],
    ['2001:db8::1', '2001:db8::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['::', '::'],
    ['::1', '::1'],
    ['::ffff:1.2.3.4', '1.2.3.4'],
    ['1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8'],
    ['ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'],
    ['2001:DB8::A', '2001:db8::a'],
    ['1:0:2:0:0:3:0:0', '1:0:2::3:0:0'],
    ['1::', '1::'],
    ['::1.2.3.4', '::102:304'],
    ['1:2:3:4:5:6:1.2.3.4', '1:2:3:4:5:6:102:304'],
    ['fe80::0:1', 'fe80::1'],
  ])('parses %s and prints %s (RFC 5952, v4-mapped as a dotted quad)', (text, printed) => {
    expect(Address.parse(text).toString()).toBe(printed);
    expect(Address.parse(printed).equals(Address.parse(text))).toBe(true);
  });

  test.each(['', '1.2.3', '1.2.3.4.5', '256.1.1.1', '1.2.3.-4', ':::', '1::2::3', '1:2:3:4:5:6:7:8:9', '12345::', 'g::', '::1.2.3', 'fe80::1%eth0', ' 1.2.3.4', '1:2:3:4:5:6:7', '1..2.3', '1.2.3.4.', '.1.2.3', '1.2.3.0004', '1.2.3.a', '1.2.3.4 ', '::1.2.3.4.5'])(
    'rejects %p with conversion_failed',
    (text) => {
      expect(() => Address.parse(text)).toThrow(expect.objectContaining({ code: 'conversion_failed' }));
    },
  );

  test('keeps IPv4 as IPv4-mapped IPv6 bytes and distinguishes it from the same bytes as v6', () => {
    const v4 = address('1.2.3.4');
    expect([...v4.bytes]).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 1, 2, 3, 4]);
    expect(v4.isV4).toBe(true);
    expect(address('::102:304').isV4).toBe(false);
    expect(address(new Uint8Array([1, 2, 3, 4])).equals(v4)).toBe(true);
    expect(address(v4.bytes).equals(v4)).toBe(true);
    expect(() => address(new Uint8Array(5))).toThrow(expect.objectContaining({ code: 'invalid_data' }));
    expect(address('::').isV6).toBe(true);
  });

  test('orders byte-wise: ::1 < 1.2.3.4 < 2001::', () => {
    expect(address('::1').compare(address('1.2.3.4'))).toBeLessThan(0);
    expect(address('1.2.3.4').compare(address('2001::'))).toBeLessThan(0);
    expect(address('ffff::').compare(address('7fff::'))).toBeGreaterThan(0);
    expect(address('1.2.3.4').compare(address('1.2.3.4'))).toBe(0);
  });

  test('masks in IPv6 terms: mask(1.2.3.4, 96+16) is 1.2.0.0', () => {
    expect(address('1.2.3.4').mask(112).toString()).toBe('1.2.0.0');
    expect(address('2001:db8::1').mask(32).toString()).toBe('2001:db8::');
    expect(address('2001:db8::1').mask(0).toString()).toBe('::');
    expect(address('2001:db8::1').mask(128).toString()).toBe('2001:db8::1');
    expect(() => address('::').mask(129)).toThrow(expect.objectContaining({ code: 'invalid_data' }));
  });
});
