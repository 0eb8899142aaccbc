/**
 * `Endpoint.subscribeLazy` end to end: two endpoints peered over loopback TCP, a lazy
 * subscription beside an eager one on another endpoint, all 15 types, exact when read.
 */
import {
  address,
  BrokerError,
  BrokerSet,
  BrokerTable,
  count,
  type Data,
  decodeBinary,
  encodeBinary,
  type Endpoint,
  enumValue,
  type LazyDataMessage,
  port,
  subnet,
  Timespan,
  Timestamp,
} from '@broker-ts/broker';
import { awaitPeerSubscriptions, connect, endpoints, shutdownAll, until } from './helpers';

/** One value of each of Broker's 15 types, some nested. */
const VALUES: Data[] = [
  null,
  true,
  count(2n ** 64n - 1n),
  -(2n ** 63n),
  -0,
  'é€😀',
  address('2001:db8::1'),
  subnet('10.0.0.0/8'),
  port(53, 'udp'),
  new Timestamp(1_700_000_000_123_456_789n),
  new Timespan(-5n),
  enumValue('Conn::LOG'),
  new BrokerSet([1n, 'a', [count(1)]]),
  new BrokerTable([['k', new BrokerSet([address('1.2.3.4')])]]),
  [1, [2n, ['deep']], new Uint8Array([0xff, 0x00])],
];

describe('lazy subscriptions', () => {
  let a: Endpoint;
  let b: Endpoint;
  beforeEach(() => {
    [a, b] = endpoints(['a', 'b']);
  });
  afterEach(() => shutdownAll([a, b]));

  test('a peer\'s messages arrive undecoded, in order, and read as exactly what an eager subscriber gets', async () => {
    const lazy: LazyDataMessage[] = [];
    const eager: Array<[string, Data]> = [];
    const stop = b.subscribeLazy('/lazy', (m) => lazy.push(m));
    b.subscribe('/lazy', (topic, value) => eager.push([topic, value]));
    await connect(a, b);
    await awaitPeerSubscriptions(a, '/lazy');
    VALUES.forEach((v, i) => a.publish(`/lazy/${i}`, v));
    await until(() => lazy.length === VALUES.length && eager.length === VALUES.length, 'every message');
    lazy.forEach((m, i) => {
      expect(m.topic).toBe(`/lazy/${i}`);
      expect(m.value).toEqual(VALUES[i]);
      expect(m.value).toBe(eager[i][1]);
      expect(decodeBinary(m.payload)).toEqual(VALUES[i]);
      expect(m.toDataMessage()).toEqual(eager[i]);
    });

    // Alone on its topic, nothing decodes the message before it is read.
    const alone: LazyDataMessage[] = [];
    b.subscribeLazy('/alone', (m) => alone.push(m));
    await awaitPeerSubscriptions(a, '/alone');
    for (let i = 0; i < 50; i++) a.publish('/alone', [count(i), 'x'.repeat(i)]);
    await until(() => alone.length === 50, 'the messages on /alone');
    expect(alone.map((m) => Buffer.from(m.payload).toString('hex'))).toEqual(Array.from({ length: 50 }, (_, i) => Buffer.from(encodeBinary([count(i), 'x'.repeat(i)])).toString('hex')));
    expect(alone[49].value).toEqual([count(49), 'x'.repeat(49)]);

    // Ended: later messages are not delivered.
    stop();
    stop();
    const before = lazy.length;
    a.publish('/lazy/after', 1n);
    await until(() => eager.length === VALUES.length + 1, 'the eager subscriber\'s copy');
    expect(lazy).toHaveLength(before);
  });

  test('like subscribe(), it gets peers\' messages and not its own endpoint\'s publish(); a callback that throws harms nothing', async () => {
    const got: LazyDataMessage[] = [];
    b.subscribeLazy('/t', (m) => {
      got.push(m);
      if (got.length === 1) throw new Error('first one fails');
    });
    // Like subscribe(), a lazy subscription does not see its own endpoint's publish().
    b.publish('/t/local', 'not seen');
    await connect(a, b);
    await awaitPeerSubscriptions(a, '/t');
    a.publish('/t/1', 1n);
    a.publish('/t/2', 2n);
    await until(() => got.length === 2, 'both messages');
    expect(got.map((m) => m.value)).toEqual([1n, 2n]);
  });

  test('argument checks', () => {
    expect(() => b.subscribeLazy('/t', 'not a function' as never)).toThrow(BrokerError);
    expect(() => b.subscribeLazy(42 as never, () => undefined)).toThrow(BrokerError);
  });
});
