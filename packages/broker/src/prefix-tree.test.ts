import { PrefixTree } from './prefix-tree';

function tree(...entries: string[]): PrefixTree {
  const t = new PrefixTree();
  for (const e of entries) t.add(e);
  return t;
}

describe('PrefixTree', () => {
  test('an entry matches every string it is a raw prefix of, not only at separators', () => {
    const t = tree('/zeek/event');
    expect(t.hasPrefixOf('/zeek/event')).toBe(true);
    expect(t.hasPrefixOf('/zeek/events')).toBe(true);
    expect(t.hasPrefixOf('/zeek/event/x')).toBe(true);
    expect(t.hasPrefixOf('/zeek/even')).toBe(false);
    expect(t.hasPrefixOf('/zeek/other')).toBe(false);
    expect(t.hasPrefixOf('')).toBe(false);
  });

  test('splitting an edge keeps both branches', () => {
    const t = tree('/a/bcd', '/a/bxy');
    expect(t.toArray()).toEqual(['/a/bcd', '/a/bxy']);
    expect(t.hasPrefixOf('/a/bcd1')).toBe(true);
    expect(t.hasPrefixOf('/a/bxy')).toBe(true);
    expect(t.hasPrefixOf('/a/b')).toBe(false);
    expect(t.hasPrefixOf('/a/bc')).toBe(false);
    expect(t.size).toBe(2);
  });

  test('a shorter entry ending inside an edge replaces the subtree below it', () => {
    const t = tree('/a/bcd', '/a/bxy', '/q');
    expect(t.add('/a/')).toBe(true);
    expect(t.toArray()).toEqual(['/a/', '/q']);
    expect(t.size).toBe(2);
    expect(t.hasPrefixOf('/a/zzz')).toBe(true);
  });

  test('a shorter entry ending at a branching node replaces every entry below it', () => {
    const t = tree('/a/bcd', '/a/bxy', '/a/c');
    expect(t.add('/a/b')).toBe(true);
    expect(t.toArray()).toEqual(['/a/b', '/a/c']);
    expect(t.size).toBe(2);
  });

  test('an entry already covered changes nothing', () => {
    const t = tree('/a');
    expect(t.add('/a/b')).toBe(false);
    expect(t.add('/a')).toBe(false);
    expect(t.size).toBe(1);
  });

  test('the empty entry covers everything, the empty tree nothing', () => {
    expect(new PrefixTree().hasPrefixOf('')).toBe(false);
    const t = tree('/a', '/b');
    expect(t.add('')).toBe(true);
    expect(t.toArray()).toEqual(['']);
    expect(t.hasPrefixOf('')).toBe(true);
    expect(t.hasPrefixOf('anything')).toBe(true);
    t.clear();
    expect(t.size).toBe(0);
    expect(t.hasPrefixOf('anything')).toBe(false);
  });

  test('surrogate pairs and other code units are compared raw, as startsWith does', () => {
    const t = tree('/\u{1F600}', '/\uD83D');
    expect(t.toArray()).toEqual(['/\uD83D']);
    expect(t.hasPrefixOf('/\u{1F601}')).toBe(true);
    expect(t.hasPrefixOf('/\u00e9')).toBe(false);
  });
});

describe('PrefixTree depth', () => {
  test('a chain as deep as its 1,500 entries is listed, matched and replaced', () => {
    const t = new PrefixTree();
    // `b`, `ab`, `aab`, ...: each entry branches one code unit deeper than the last.
    const n = 1_500;
    for (let i = 0; i < n; i++) t.add(`${'a'.repeat(i)}b`);
    expect(t.size).toBe(n);
    const list = t.toArray();
    expect(list).toHaveLength(n);
    expect(list[0]).toBe(`${'a'.repeat(n - 1)}b`);
    expect(list[n - 1]).toBe('b');
    expect(t.hasPrefixOf(`${'a'.repeat(n - 1)}bc`)).toBe(true);
    expect(t.hasPrefixOf('a'.repeat(n))).toBe(false);
    expect(t.add('a')).toBe(true);
    expect(t.toArray()).toEqual(['a', 'b']);
  });
});
