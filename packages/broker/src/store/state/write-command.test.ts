import { count, Timespan } from '@broker-ts/data';
import { toExpiry, writeCommands as W, writeKey } from './write-command';

describe('writeCommands', () => {
  test('map the API operations onto Broker add and subtract with the right init types', () => {
    expect(W.increment('k', count(1))).toMatchObject({ op: 'add', initType: 'count' });
    expect(W.increment('k', 1n)).toMatchObject({ op: 'add', initType: 'integer' });
    expect(W.increment('k', Timespan.fromMilliseconds(1))).toMatchObject({ op: 'add', initType: 'timestamp' });
    expect(W.increment('k', 'x')).toMatchObject({ op: 'add', initType: 'none' });
    expect(W.decrement('k', 1n)).toMatchObject({ op: 'subtract', value: 1n });
    expect(W.append('k', 'x')).toMatchObject({ op: 'add', initType: 'string' });
    expect(W.insertInto('k', 1n)).toMatchObject({ op: 'add', value: 1n, initType: 'set' });
    expect(W.insertInto('k', 1n, 'v')).toMatchObject({ op: 'add', value: [1n, 'v'], initType: 'table' });
    expect(W.removeFrom('k', 1n)).toMatchObject({ op: 'subtract', value: 1n });
    expect(W.push('k', 1n)).toMatchObject({ op: 'add', initType: 'vector' });
    expect(W.pop('k')).toMatchObject({ op: 'subtract', key: 'k', value: 'k' });
    expect(W.putUnique('k', 1n, 7)).toMatchObject({ op: 'putUnique', requestId: 7, expiry: null, publisher: null });
    expect(W.clear({ publisher: { endpoint: 'e', object: 1 } })).toEqual({ op: 'clear', publisher: { endpoint: 'e', object: 1 } });
  });

  test('expiries are milliseconds or timespans; anything else is refused', () => {
    expect(W.put('k', 1n, { expiry: 1500 }).expiry).toEqual(Timespan.fromMilliseconds(1500));
    expect(toExpiry(Timespan.fromMilliseconds(2))).toEqual(Timespan.fromMilliseconds(2));
    expect(toExpiry(undefined)).toBeNull();
    expect(() => toExpiry(Number.NaN)).toThrow(expect.objectContaining({ code: 'invalid_data' }));
    expect(() => toExpiry('1s' as never)).toThrow(/finite number of milliseconds/);
  });

  test('writeKey names the key a write concerns', () => {
    expect(writeKey(W.erase('k'))).toBe('k');
    expect(writeKey(W.clear())).toBeNull();
  });
});
