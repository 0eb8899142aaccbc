import { Port, port } from './port';

describe('Port', () => {
  test.each([
    ['80/tcp', 80, 'tcp'],
    ['53/udp', 53, 'udp'],
    ['8/icmp', 8, 'icmp'],
    ['0/?', 0, 'unknown'],
    ['65535/tcp', 65535, 'tcp'],
  ])('parses and prints %s', (text, number, protocol) => {
    const p = Port.parse(text);
    expect(p.number).toBe(number);
    expect(p.protocol).toBe(protocol);
    expect(p.toString()).toBe(text);
  });

  test('treats an unknown protocol text as unknown, as Broker does', () => {
    expect(Port.parse('42/nonsense').toString()).toBe('42/?');
  });

  test.each(['80', '65536/tcp', '/tcp', '-1/tcp', 'x/tcp', ''])('rejects %p with conversion_failed', (text) => {
    expect(() => Port.parse(text)).toThrow(expect.objectContaining({ code: 'conversion_failed' }));
  });

  test('rejects bad numbers and protocols with invalid_data', () => {
    expect(() => port(65536, 'tcp')).toThrow(expect.objectContaining({ code: 'invalid_data' }));
    expect(() => port(1.5, 'tcp')).toThrow(expect.objectContaining({ code: 'invalid_data' }));
    expect(() => port(1, 'sctp' as 'tcp')).toThrow(expect.objectContaining({ code: 'invalid_data' }));
    expect(() => port(1, 'toString' as 'tcp')).toThrow(expect.objectContaining({ code: 'invalid_data' }));
  });

  test('orders by number, then unknown < tcp < udp < icmp', () => {
    expect(port(80, 'udp').compare(port(81, 'tcp'))).toBeLessThan(0);
    expect(port(80, 'tcp').compare(port(80, 'udp'))).toBeLessThan(0);
    expect(port(80, 'unknown').compare(port(80, 'tcp'))).toBeLessThan(0);
    expect(port(80, 'tcp').compare(port(80, 'icmp'))).toBeLessThan(0);
    expect(port('80/tcp').equals(port(80, 'tcp'))).toBe(true);
    expect(port(80).protocol).toBe('unknown');
  });
});
