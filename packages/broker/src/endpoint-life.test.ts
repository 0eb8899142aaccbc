import { count, type DataInput, encodeBinary } from '@broker-ts/data';
import { encodeForPeers, type EndpointLife, newEndpointLife, publishedData } from './endpoint-life';

function life(peers: number, localListeners = 0, wantedByPeers = (_topic: string): boolean => true): EndpointLife {
  return { ...newEndpointLife(), peers, localListeners, wantedByPeers };
}

describe('encodeForPeers', () => {
  test('encodes exact data only while the endpoint has peers', () => {
    const value = [count(1), 'x'];
    expect(encodeForPeers(value, life(0))).toBeUndefined();
    expect(encodeForPeers(value, life(2))).toEqual(encodeBinary(value));
  });

  test('encodes for a topic only while some peer takes it; a publication to a peer by id always', () => {
    const value = [count(1), 'x'];
    const l = life(1, 0, (topic) => topic.startsWith('/wanted'));
    expect(encodeForPeers(value, l, '/wanted/a')).toEqual(encodeBinary(value));
    expect(encodeForPeers(value, l, '/other')).toBeUndefined();
    expect(encodeForPeers(value, l)).toEqual(encodeBinary(value));
  });

  test('leaves natural input and refused values to toData', () => {
    const one = life(1);
    expect(encodeForPeers({ a: 1 }, one)).toBeUndefined();
    expect(encodeForPeers(undefined, one)).toBeUndefined();
    expect(encodeForPeers(['\ud800'], one)).toBeUndefined();
  });
});

describe('publishedData', () => {
  const value = [count(1), 'x'];
  const bytes = encodeBinary(value);

  test('keeps the value beside its bytes only while a local subscription may take it', () => {
    expect(publishedData(value, bytes, life(1))).toBeUndefined();
    expect(publishedData(value, bytes, life(1, 1))).toBe(value);
  });

  test('converts a value that was not encoded, whatever the listeners', () => {
    const none = life(0);
    expect(publishedData(null, undefined, none)).toBeNull();
    expect(publishedData(new Set(['a']), undefined, none)).toEqual(publishedData(new Set(['a']), undefined, life(0, 3)));
    expect(() => publishedData((() => 1) as unknown as DataInput, undefined, none)).toThrow(expect.objectContaining({ code: 'type_clash' }));
  });
});
