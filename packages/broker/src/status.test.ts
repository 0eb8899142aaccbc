import { BrokerError, Count, encodeBinary, EnumValue, errorToData, Port, Timespan } from '@broker-ts/data';
import { endpointInfoFromData, endpointInfoToData, parseNetworkAddress } from './endpoint-info';
import { isStatus, Status } from './status';

describe('Status', () => {
  const ctx = { id: 'BFFADF', network: { address: '127.0.0.1', port: 55490, retry: Timespan.fromMilliseconds(0) } };

  test('prints as Broker does', () => {
    expect(new Status('peer_added', ctx, 'handshake successful').toString()).toBe('peer_added(BFFADF, 127.0.0.1:55490, "handshake successful")');
    expect(new Status('peer_lost', { id: null }, 'x').toString()).toBe('peer_lost(invalid-node, "x")');
    expect(new Status('endpoint_discovered', { id: 'e' }, 'found a new peer in the network').toString()).toBe('endpoint_discovered(e, "found a new peer in the network")');
  });

  test('has Broker data layout and numbers', () => {
    const s = new Status('peer_lost', ctx, 'lost connection to remote peer');
    expect(s.sc).toBe(3);
    expect(s.toData()).toEqual(['status', new EnumValue('peer_lost'), ['BFFADF', '127.0.0.1', new Port(55490, 'tcp'), new Count(0n)], 'lost connection to remote peer']);
    expect(Status.fromData(s.toData())).toEqual(s);
    expect(new Status('unspecified', { id: null }, '').toData()).toEqual(['status', new EnumValue('unspecified'), null, null]);
  });

  test('rejects values that are not statuses', () => {
    expect(() => Status.fromData(['status', new EnumValue('nope'), null, null])).toThrow(BrokerError);
    expect(() => Status.fromData('status')).toThrow(BrokerError);
    expect(() => Status.fromData(['status', new EnumValue('peer_added'), null, 5n])).not.toThrow();
  });

  test('endpoint info carries the retry interval as a count of whole seconds, as Broker does', () => {
    const data = endpointInfoToData({ id: 'n', network: { address: 'foo', port: 8080, retry: Timespan.fromMilliseconds(42_500) } });
    expect(data).toEqual(['n', 'foo', new Port(8080, 'tcp'), new Count(42n)]);
    expect(endpointInfoFromData(data)).toEqual({ id: 'n', network: { address: 'foo', port: 8080, retry: Timespan.parse('42s') } });
    // No retry is zero seconds. Bytes: vector(4) of string n, string foo, port 8080 (big-endian, tcp = 1), count 0.
    const none = endpointInfoToData({ id: 'n', network: { address: 'foo', port: 8080 } });
    expect(none).toEqual(['n', 'foo', new Port(8080, 'tcp'), new Count(0n)]);
    expect(Buffer.from(encodeBinary(none)).toString('hex')).toBe('0e04' + '05016e' + '0503666f6f' + '081f9001' + '020000000000000000');
    expect(endpointInfoFromData([null, null, null, null])).toEqual({ id: null });
    expect(() => endpointInfoFromData([1n, null, null, null])).toThrow(BrokerError);
    expect(() => endpointInfoFromData(['n', 'a', 5n, null])).toThrow(BrokerError);
  });

  test('an error with an endpoint has Broker layout [endpoint_info, message]', () => {
    const err = new BrokerError('peer_invalid', 'invalid host', { endpoint: endpointInfoToData({ id: 'nid', network: { address: 'foo', port: 8080, retry: Timespan.parse('42s') } }) });
    expect(errorToData(err)).toEqual(['error', new EnumValue('peer_invalid'), [['nid', 'foo', new Port(8080, 'tcp'), new Count(42n)], 'invalid host']]);
    expect(isStatus(err)).toBe(false);
    expect(isStatus(new Status('peer_added', ctx, ''))).toBe(true);
  });
});

test('parseNetworkAddress splits a socket address at its last colon (IPv6 included)', () => {
  expect(parseNetworkAddress('127.0.0.1:9999')).toEqual({ address: '127.0.0.1', port: 9999 });
  expect(parseNetworkAddress('::1:9999')).toEqual({ address: '::1', port: 9999 });
  expect(parseNetworkAddress('fe80::1%eth0:80')).toEqual({ address: 'fe80::1%eth0', port: 80 });
});
