import { FilterSources, minimalTopics, TopicFilter } from './topic-filter';

describe('TopicFilter', () => {
  test('adding a shorter prefix replaces the longer ones it covers', () => {
    const f = new TopicFilter(['/foo/bar', '/foo/baz', '/x']);
    expect(f.extend('/foo')).toBe(true);
    expect(f.toArray()).toEqual(['/foo', '/x']);
  });

  test('adding a topic already covered changes nothing', () => {
    const f = new TopicFilter(['/foo']);
    expect(f.extend('/foo/bar')).toBe(false);
    expect(f.extend('/foo')).toBe(false);
    expect(f.toArray()).toEqual(['/foo']);
  });

  test('matching is a raw prefix test and is cached consistently across changes', () => {
    const f = new TopicFilter(['/a']);
    expect(f.matches('/ab')).toBe(true);
    expect(f.matches('/b')).toBe(false);
    f.extend('/b');
    expect(f.matches('/b')).toBe(true);
    f.replace(['/c']);
    expect(f.matches('/ab')).toBe(false);
    expect(f.matches('/cd')).toBe(true);
  });

  test('the empty topic matches everything and an empty filter nothing', () => {
    expect(new TopicFilter(['']).matches('/whatever')).toBe(true);
    expect(new TopicFilter().matches('')).toBe(false);
    expect(new TopicFilter().isEmpty()).toBe(true);
  });

  test('the match cache stays correct past its bound', () => {
    const f = new TopicFilter(['/t/1']);
    for (let i = 0; i < 3000; i++) expect(f.matches(`/t/${i}`)).toBe(String(i).startsWith('1'));
  });

  test('minimalTopics sorts, deduplicates and drops covered topics', () => {
    expect(minimalTopics(['/b/c', '/a', '/a/x', '/b/c', '/b'])).toEqual(['/a', '/b']);
    expect(minimalTopics(['zeek/events', 'zeek/events/failures'])).toEqual(['zeek/events']);
  });
});

describe('FilterSources', () => {
  test('removing the last source of a topic shrinks the filter', () => {
    const s = new FilterSources();
    expect(s.add(['/a', '/b/c'])).toBe(true);
    expect(s.add(['/a'])).toBe(false);
    expect(s.remove(['/a'])).toBe(false);
    expect(s.filter.toArray()).toEqual(['/a', '/b/c']);
    expect(s.remove(['/a'])).toBe(true);
    expect(s.filter.toArray()).toEqual(['/b/c']);
  });

  test('a covering topic hides covered ones until it is removed', () => {
    const s = new FilterSources();
    s.add(['/a/b']);
    expect(s.add(['/a'])).toBe(true);
    expect(s.filter.toArray()).toEqual(['/a']);
    expect(s.remove(['/a'])).toBe(true);
    expect(s.filter.toArray()).toEqual(['/a/b']);
  });

  test('removing an unknown topic is harmless', () => {
    const s = new FilterSources();
    expect(s.remove(['/nope'])).toBe(false);
    expect(s.filter.isEmpty()).toBe(true);
  });
});
