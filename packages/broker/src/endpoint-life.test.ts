import { count, encodeBinary } from '@broker-ts/data';
import { encodeForPeers } from './endpoint-life';

describe('encodeForPeers', () => {
  test('encodes exact data only while the endpoint has peers', () => {
    const value = [count(1), 'x'];
    expect(encodeForPeers(value, { stopped: false, peers: 0 })).toBeUndefined();
    expect(encodeForPeers(value, { stopped: false, peers: 2 })).toEqual(encodeBinary(value));
  });

  test('leaves natural input and refused values to toData', () => {
    const life = { stopped: false, peers: 1 };
    expect(encodeForPeers({ a: 1 }, life)).toBeUndefined();
    expect(encodeForPeers(undefined, life)).toBeUndefined();
    expect(encodeForPeers(['\ud800'], life)).toBeUndefined();
  });
});
