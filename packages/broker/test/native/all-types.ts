/** Test values shared by the tests against the newest Broker. */
import { address, count, type Data, enumValue, port, set, subnet, table, timespan, timestamp, zeekEvent } from '@broker-ts/broker';

/** A Zeek event holding every one of Broker's 15 data types. */
export const ALL_TYPES: Data = zeekEvent('all_types', [
  null,
  true,
  count(42n),
  -7n,
  2.5,
  'text',
  address('192.168.1.1'),
  subnet('2001:db8::/32'),
  port(443, 'tcp'),
  timestamp(1_704_164_645_500_000_000n),
  timespan(1_000_500_000n),
  enumValue('Foo::BAR'),
  set([count(1n), count(2n)]),
  table([
    ['j', count(2n)],
    ['k', count(1n)],
  ]),
  [1n, 'x', [2.0, null]],
]);
