import fc from 'fast-check';

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

  test('matching stays correct over many distinct topics', () => {
    const f = new TopicFilter(['/t/1']);
    for (let i = 0; i < 3000; i++) expect(f.matches(`/t/${i}`)).toBe(String(i).startsWith('1'));
  });

  test('minimalTopics sorts, deduplicates and drops covered topics', () => {
    expect(minimalTopics(['/b/c', '/a', '/a/x', '/b/c', '/b'])).toEqual(['/a', '/b']);
    expect(minimalTopics(['zeek/events', 'zeek/events/failures'])).toEqual(['zeek/events']);
  });
});

/** The matcher before the radix tree: a scan of every prefix. */
function linearMatches(prefixes: readonly string[], topic: string): boolean {
  return prefixes.some((p) => topic.startsWith(p));
}

describe('TopicFilter against a linear scan', () => {
  // Short strings over few characters, so that prefixes, shared stems and covers are common.
  const topic = fc.string({ unit: fc.constantFrom('/', 'a', 'b', 'c', '\uD83D', '\uDE00'), maxLength: 8 });

  test('matches what a scan of the same topics matches, built at once or one topic at a time', () => {
    fc.assert(
      fc.property(fc.array(topic, { maxLength: 30 }), fc.array(topic, { maxLength: 30 }), (filterTopics, probes) => {
        const atOnce = new TopicFilter(filterTopics);
        const stepwise = new TopicFilter();
        for (const t of filterTopics) stepwise.extend(t);
        expect(atOnce.toArray()).toEqual(minimalTopics(filterTopics));
        expect(stepwise.toArray()).toEqual(atOnce.toArray());
        expect(stepwise.size).toBe(atOnce.size);
        for (const p of [...probes, ...filterTopics]) {
          expect(atOnce.matches(p)).toBe(linearMatches(filterTopics, p));
          expect(stepwise.matches(p)).toBe(linearMatches(filterTopics, p));
        }
      }),
      { numRuns: 500 },
    );
  });

  test('extend reports growth exactly when a scan says the topic was not yet covered', () => {
    fc.assert(
      fc.property(fc.array(topic, { maxLength: 30 }), (topics) => {
        const f = new TopicFilter();
        const seen: string[] = [];
        for (const t of topics) {
          expect(f.extend(t)).toBe(!linearMatches(seen, t));
          seen.push(t);
        }
      }),
      { numRuns: 300 },
    );
  });

  test('replace after extend matches the replacement only', () => {
    fc.assert(
      fc.property(fc.array(topic), fc.array(topic), fc.array(topic), (first, second, probes) => {
        const f = new TopicFilter(first);
        for (const t of first) f.extend(t);
        expect(f.replace(second)).toBe(!new TopicFilter(first).equals(new TopicFilter(second)));
        expect(f.toArray()).toEqual(minimalTopics(second));
        for (const p of [...probes, ...first]) expect(f.matches(p)).toBe(linearMatches(second, p));
      }),
      { numRuns: 300 },
    );
  });

  test('100,000 prefixes are matched and listed like a scan', () => {
    const topics = Array.from({ length: 100_000 }, (_, i) => `/zeek/scale/${(i * 7919) % 100_003}/`);
    const f = new TopicFilter(topics);
    expect(f.size).toBe(100_000);
    expect(f.toArray()).toEqual(minimalTopics(topics));
    for (const probe of ['/zeek/scale/7919/x', '/zeek/scale/7919', '/zeek/scale/', '/zeek/scale/100002/', '/zeek/scale/5/a']) {
      expect(f.matches(probe)).toBe(linearMatches(topics, probe));
    }
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
