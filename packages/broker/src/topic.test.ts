import {
  cloneTopic, isInternalTopic, isPrefixOf, masterTopic, splitTopic, storeEventsTopic, topicJoin, Topics,
} from './topic';

describe('topics', () => {
  test('matching is a raw string prefix test, not per component', () => {
    expect(isPrefixOf('/a', '/ab')).toBe(true);
    expect(isPrefixOf('/b/c', '/b/cd')).toBe(true);
    expect(isPrefixOf('/b/c', '/b')).toBe(false);
    expect(isPrefixOf('', 'anything')).toBe(true);
    expect(isPrefixOf('/zeek/', '/zeek/events/')).toBe(true);
    expect(isPrefixOf('/zeek/', '/')).toBe(false);
    expect(isPrefixOf('/', '/zeek/events/')).toBe(true);
  });

  test('join follows Broker operator/= and strips one trailing slash', () => {
    expect(topicJoin('/a/', '/b/c')).toBe('/a//b/c');
    expect(topicJoin('/b/c', '/a/')).toBe('/b/c/a');
    expect(topicJoin(topicJoin('/foo', 'bar/'), '/baz')).toBe('/foo/bar/baz');
    expect(topicJoin('', 'x')).toBe('x');
    expect(topicJoin('x', '')).toBe('x');
  });

  test('split drops empty components', () => {
    expect(splitTopic('/foo/bar/baz/')).toEqual(['foo', 'bar', 'baz']);
    expect(splitTopic('')).toEqual([]);
  });

  test('local topics are internal, store channels are not', () => {
    expect(isInternalTopic(Topics.errors)).toBe(true);
    expect(isInternalTopic(Topics.statuses)).toBe(true);
    expect(isInternalTopic(storeEventsTopic('s'))).toBe(true);
    expect(storeEventsTopic('s')).toBe('<$>/local/data/store-events/s');
    expect(isInternalTopic(masterTopic('s'))).toBe(false);
    expect(masterTopic('s')).toBe('s/<$>/data/master');
    expect(cloneTopic('s')).toBe('s/<$>/data/clone');
  });
});
