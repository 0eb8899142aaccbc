import { count, type DataInput, encodeBinary } from '@broker-ts/data';
import { encodeForPeers, publishedData } from './endpoint-life';

describe('encodeForPeers', () => {
  test('encodes exact data only while the endpoint has peers', () => {
    const value = [count(1), 'x'];
    expect(encodeForPeers(value, { stopped: false, peers: 0, localListeners: 0 })).toBeUndefined();
    expect(encodeForPeers(value, { stopped: false, peers: 2, localListeners: 0 })).toEqual(encodeBinary(value));
  });

  test('leaves natural input and refused values to toData', () => {
    const life = { stopped: false, peers: 1, localListeners: 0 };
    expect(encodeForPeers({ a: 1 }, life)).toBeUndefined();
    expect(encodeForPeers(undefined, life)).toBeUndefined();
    expect(encodeForPeers(['\ud800'], life)).toBeUndefined();
  });
});

describe('publishedData', () => {
  const value = [count(1), 'x'];
  const bytes = encodeBinary(value);

  test('keeps the value beside its bytes only while a local subscription may take it', () => {
    expect(publishedData(value, bytes, { stopped: false, peers: 1, localListeners: 0 })).toBeUndefined();
    expect(publishedData(value, bytes, { stopped: false, peers: 1, localListeners: 1 })).toBe(value);
  });

  test('converts a value that was not encoded, whatever the listeners', () => {
    const life = { stopped: false, peers: 0, localListeners: 0 };
    expect(publishedData(null, undefined, life)).toBeNull();
    expect(publishedData(new Set(['a']), undefined, life)).toEqual(publishedData(new Set(['a']), undefined, { ...life, localListeners: 3 }));
    expect(() => publishedData((() => 1) as unknown as DataInput, undefined, life)).toThrow(expect.objectContaining({ code: 'type_clash' }));
  });
});
