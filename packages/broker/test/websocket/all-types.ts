/** One value of each of Broker's 15 types, shared by the WebSocket tests. */
import { address, count, type Data, enumValue, port, set, subnet, table, timespan, timestamp } from '@broker-ts/broker';

export const ALL_TYPES: Array<[string, Data]> = [
  ['none', null],
  ['boolean', true],
  ['count', count(18446744073709551615n)],
  ['integer', -9223372036854775808n],
  ['real', -7.5],
  ['string', 'Hello <Broker>! ünïcödé \n\t"'],
  ['address', address('2001:db8::')],
  ['subnet', subnet('10.0.0.0/8')],
  ['port', port(8080, 'tcp')],
  ['timestamp', timestamp(1_700_000_000_123n * 1_000_000n)],
  ['timespan', timespan(1_500_000n)],
  ['enum-value', enumValue('Conn::LOG')],
  ['set', set(['bar', 'foo'])],
  ['table', table(new Map<Data, Data>([['first-name', 'John'], ['last-name', 'Doe']]))],
  ['vector', [count(1), 'two', [3n, null]]],
];
