import { count, timespan } from '@broker-ts/data';
import { storeEvents } from './store-event';

const pub = { endpoint: 'EP', object: 11 };

describe('storeEvents', () => {
  test('build the four vectors of Broker store events', () => {
    expect(storeEvents.insert('t', 'exp', 1n, timespan(300), pub)).toEqual(['insert', 't', 'exp', 1n, timespan(300), 'EP', count(11)]);
    expect(storeEvents.update('t', 'k', count(5), count(7), null, pub)).toEqual(['update', 't', 'k', count(5), count(7), null, 'EP', count(11)]);
    expect(storeEvents.erase('t', 'k', null)).toEqual(['erase', 't', 'k', null, null]);
    expect(storeEvents.expire('t', 'k', pub)).toEqual(['expire', 't', 'k', 'EP', count(11)]);
  });
});
