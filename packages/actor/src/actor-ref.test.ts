import { inspect } from 'node:util';
import { ActorRef, type RefHost } from './actor-ref';

describe('ActorRef', () => {
  const sent: unknown[] = [];
  const host: RefHost = { tellFrom: (to, msg) => void sent.push([to.key, msg]) };

  test('has value semantics: equal node and id are the same actor', () => {
    const a = new ActorRef('n', 1, host);
    expect(a.equals(new ActorRef('n', 1, host))).toBe(true);
    expect(a.equals(new ActorRef('n', 2, host))).toBe(false);
    expect(a.equals(new ActorRef('m', 1, host))).toBe(false);
    expect(a.equals(null)).toBe(false);
    expect(a.key).toBe('n#1');
  });

  test('tell goes through its host', () => {
    new ActorRef('n', 3, host).tell({ type: 'x' });
    expect(sent).toEqual([['n#3', { type: 'x' }]]);
  });

  test('prints and serializes as data, without its host', () => {
    const a = new ActorRef('n', 4, host);
    expect(inspect(a)).toBe('ActorRef(n#4)');
    expect(String(a)).toBe('ActorRef(n#4)');
    expect(JSON.parse(JSON.stringify({ a }))).toEqual({ a: { node: 'n', id: 4 } });
  });
});
