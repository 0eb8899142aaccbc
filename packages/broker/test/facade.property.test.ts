/**
 * Random values and random Broker-shaped forgeries fed to every facade method: each call
 * returns, or throws/rejects a BrokerError, and the endpoints keep working afterwards.
 */
import fc from 'fast-check';
import { address, BrokerError, BrokerSet, BrokerTable, count, type Endpoint, enumValue, port, subnet, Timespan, Timestamp } from '@broker-ts/broker';
import { connect, endpoints, shutdownAll, until } from './helpers';

jest.setTimeout(120_000);

let a: Endpoint;
let b: Endpoint;
let port0: number;

beforeAll(async () => {
  [a, b] = endpoints(['a', 'b']);
  port0 = await connect(a, b);
});

afterAll(async () => {
  await shutdownAll([a, b]);
});

const prototypes = [count(1), address('10.0.0.1'), subnet('10.0.0.0/8'), port(1, 'tcp'), new Timestamp(1n), new Timespan(1n), enumValue('e'), new BrokerSet([]), new BrokerTable([])].map((v) => Object.getPrototypeOf(v) as object);

/** Objects that carry a Broker class's prototype with random (or no) fields. */
const forgery = fc.tuple(fc.constantFrom(...prototypes), fc.dictionary(fc.constantFrom('n', 'value', 'ns', 'name', 'items', 'keyItems', 'valueItems', 'number', 'protocolNumber', 'network', 'rawLength', 'w0', 'w1', 'w2', 'w3'), fc.anything())).map(([proto, fields]) => ownFields(Object.create(proto), fields));

/** Gives `target` the fields as own data properties, also over a prototype's accessor. */
function ownFields(target: object, fields: Record<string, unknown>): unknown {
  for (const [key, value] of Object.entries(fields)) Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  return target;
}

/** Anything: JS values of every kind, forgeries, and containers of both. */
const anything = fc.oneof(fc.anything({ withBigInt: true, withDate: true, withMap: true, withSet: true, withTypedArray: true, withNullPrototype: true }), forgery, fc.array(forgery, { maxLength: 3 }), fc.constantFrom(-1, 70000, 1.5, NaN, '', Symbol('s'), () => 1, /re/));

/**
 * Calls that return a promise which has not settled when the property moves on (a peer
 * that never comes, a `get` without timeout): each must still end in a value or a
 * BrokerError, at the latest when the endpoints shut down at the end of the test.
 */
const pending: Array<Promise<void>> = [];

/** Runs a call: it returns, or fails with a BrokerError (thrown or rejected). */
function settles(call: () => unknown): void {
  let result: unknown;
  try {
    result = call();
  } catch (e) {
    expect(e).toBeInstanceOf(BrokerError);
    return;
  }
  if (result instanceof Promise) {
    pending.push(
      result.then(
        () => undefined,
        (e: unknown) => {
          if (!(e instanceof BrokerError)) throw new Error(`a facade call rejected with ${String(e)}, not a BrokerError`);
        },
      ),
    );
  }
}

test('every facade method takes any argument with a result or a BrokerError', async () => {
  const sub = a.makeSubscriber('/prop');
  const hub = a.makeHub('/prop-hub');
  const pub = a.makePublisher('/prop');
  const store = await a.attachMaster('prop-store', 'memory');
  const status = a.makeStatusSubscriber();
  const calls: Array<(x: unknown, y: unknown) => unknown> = [
    (x, y) => a.publish(x as never, y as never),
    (x) => a.publish('/prop', x as never),
    (x, y) => a.publishTo(x as never, '/prop', y as never),
    (x) => a.publishBatch(x as never),
    (x, y) => a.publishBatch([[x, y]] as never),
    (x) => a.forward(x as never),
    (x, y) => a.makeSubscriber(x as never, y as never).close(),
    (x, y) => a.makeHub(x as never, y as never).close(),
    (x, y) => a.makePublisher(x as never, y as never),
    (x, y) => a.subscribe(x as never, y as never),
    (x) => a.subscribe(x as never, () => {})(),
    (x, y) => a.makeStatusSubscriber(x as never, y as never).close(),
    (x, y) => a.listen(x as never, y as never),
    (x, y) => a.peer('127.0.0.1', x as never, y as never),
    (x, y) => a.peer(x as never, y as never),
    (x, y) => a.peerNoWait(x as never, y as never, { retry: 0 }),
    (x, y) => a.unpeer(x as never, y as never),
    (x, y) => a.attachMaster(x as never, 'memory', y as never),
    (x, y) => a.attachClone(x as never, y as never),
    (x) => a.advanceTime(x as never),
    (x) => sub.get(x as never),
    (x, y) => sub.getMany(x as never, y as never),
    (x) => sub.addTopic(x as never),
    (x) => sub.removeTopic(x as never),
    (x, y) => hub.publish(x as never, y as never),
    (x) => pub.publish(x as never),
    (x) => pub.publishMany(x as never),
    (x) => status.get(x as never),
    (x, y) => store.put(x as never, y as never),
    (x, y) => store.increment(x as never, y as never),
    (x, y) => store.insertInto('k', x as never, y as never),
    (x) => store.get(x as never),
    (x, y) => store.put('k', 1, y as never),
  ];
  await fc.assert(
    fc.property(fc.nat(calls.length - 1), anything, anything, (i, x, y) => {
      settles(() => calls[i](x, y));
    }),
    { numRuns: 600 },
  );
  sub.close();
  hub.close();
  status.close();
  await store.close();
  // Both endpoints still peer and deliver, both ways.
  const atB = b.makeSubscriber('/after-prop');
  const atA = a.makeSubscriber('/after-prop-a');
  // Random forward() calls may have subscribed a to a prefix of it (even '').
  const covered = async (ep: Endpoint, topic: string) => (await ep.peerSubscriptions()).some((t) => topic.startsWith(t));
  await until(() => covered(a, '/after-prop'), 'a to learn b\'s filter');
  await until(() => covered(b, '/after-prop-a'), 'b to learn a\'s filter');
  a.publish('/after-prop', count(1));
  b.publish('/after-prop-a', count(2));
  expect(await atB.get({ timeout: 20_000 })).toEqual(['/after-prop', count(1)]);
  expect(await atA.get({ timeout: 20_000 })).toEqual(['/after-prop-a', count(2)]);
  expect((await a.peers()).some((p) => p.peer.id === b.id)).toBe(true);
  expect(port0).toBeGreaterThan(0);
  // Every call still waiting ends with the endpoints: a value or a BrokerError, no hang.
  await shutdownAll([a, b]);
  await Promise.all(pending);
});
