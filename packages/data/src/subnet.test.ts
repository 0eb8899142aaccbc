import { address } from './address';
import { Subnet, subnet } from './subnet';

describe('Subnet', () => {
  test.each([
    ['10.0.0.0/8', '10.0.0.0/8', 8, 104],
    ['10.1.2.3/8', '10.0.0.0/8', 8, 104],
    ['2001:db8::/32', '2001:db8::/32', 32, 32],
    ['::/0', '::/0', 0, 0],
    ['fc00::/7', 'fc00::/7', 7, 7],
    ['1.2.3.4/32', '1.2.3.4/32', 32, 128],
    ['0.0.0.0/0', '0.0.0.0/0', 0, 96],
    ['255.255.255.0/24', '255.255.255.0/24', 24, 120],
  ])('parses %s, masks host bits and prints %s', (text, printed, length, raw) => {
    const s = Subnet.parse(text);
    expect(s.toString()).toBe(printed);
    expect(s.length).toBe(length);
    expect(s.rawLength).toBe(raw);
  });

  test.each(['10.0.0.0', '10.0.0.0/33', '::/129', '10.0.0.0/', '/8', 'x/8', '10.0.0.0/8/8', '10.0.0.0/-1'])('rejects %p with conversion_failed', (text) => {
    expect(() => Subnet.parse(text)).toThrow(expect.objectContaining({ code: 'conversion_failed' }));
  });

  test('reports an invalid length instead of silently making ::/0 as Broker does', () => {
    expect(() => subnet(address('10.1.2.3'), 40)).toThrow(expect.objectContaining({ code: 'invalid_data' }));
    expect(() => subnet(address('::1'), 129)).toThrow(expect.objectContaining({ code: 'invalid_data' }));
    expect(subnet(address('10.1.2.3'), 8).toString()).toBe('10.0.0.0/8');
  });

  test('orders by network, then length (not Broker 1.4, which ignored the length)', () => {
    expect(subnet('10.0.0.0/8').compare(subnet('10.0.0.0/16'))).toBeLessThan(0);
    expect(subnet('10.0.0.0/16').compare(subnet('10.0.0.0/8'))).toBeGreaterThan(0);
    expect(subnet('9.0.0.0/16').compare(subnet('10.0.0.0/8'))).toBeLessThan(0);
    expect(subnet('10.0.0.0/8').equals(subnet('10.9.9.9/8'))).toBe(true);
    expect(subnet('10.0.0.0/8').equals(subnet('10.0.0.0/9'))).toBe(false);
  });

  test('fromRawLength takes IPv6-terms lengths and contains() tests membership', () => {
    const s = Subnet.fromRawLength(address('192.168.9.8'), 120);
    expect(s.toString()).toBe('192.168.9.0/24');
    expect(s.contains(address('192.168.9.200'))).toBe(true);
    expect(s.contains(address('192.168.10.1'))).toBe(false);
    expect(Subnet.fromRawLength(address('192.168.9.8'), 8).toString()).toBe('::/8');
    expect(() => Subnet.fromRawLength(address('::'), 129)).toThrow(expect.objectContaining({ code: 'invalid_data' }));
  });
});
