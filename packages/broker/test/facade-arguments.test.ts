/**
 * Bad arguments to the facade never reach the core: each call throws or rejects a
 * BrokerError with Broker's code, and the endpoint keeps working afterwards.
 */
import { BrokerError, count, type Endpoint, Timespan } from '@broker-ts/broker';
import { awaitPeerSubscriptions, connect, endpoints, shutdownAll } from './helpers';

let a: Endpoint;
let b: Endpoint;

beforeEach(() => {
  [a, b] = endpoints(['a', 'b']);
});

afterEach(async () => {
  await shutdownAll([a, b]);
});

/** a can still peer with b and deliver a message. */
async function stillWorks(): Promise<void> {
  const sub = b.makeSubscriber('/ok');
  await connect(a, b);
  await awaitPeerSubscriptions(a, '/ok');
  a.publish('/ok', count(1));
  expect(await sub.get({ timeout: 20_000 })).toEqual(['/ok', count(1)]);
}

const code = (c: string) => expect.objectContaining({ name: 'BrokerError', code: c });

test('peer() with a port out of range rejects with invalid_data, and the core lives on', async () => {
  await expect(a.peer('127.0.0.1', 70000)).rejects.toEqual(code('invalid_data'));
  await expect(a.peer('127.0.0.1', -1)).rejects.toEqual(code('invalid_data'));
  await expect(a.peer('127.0.0.1', 1.5)).rejects.toEqual(code('invalid_data'));
  await expect(a.peer('127.0.0.1', '80' as never)).rejects.toEqual(code('invalid_data'));
  await expect(a.peer(42 as never, 80)).rejects.toEqual(code('invalid_data'));
  await expect(a.peer('', 80)).rejects.toEqual(code('invalid_data'));
  await expect(a.unpeer('127.0.0.1', 70000)).rejects.toEqual(code('invalid_data'));
  await expect(a.listen('127.0.0.1', 70000)).rejects.toEqual(code('invalid_data'));
  await expect(a.listen(null as never)).rejects.toEqual(code('invalid_data'));
  expect(() => a.peerNoWait('127.0.0.1', 70000)).toThrow(code('invalid_data'));
  await expect(a.peer('127.0.0.1', 1, { retry: 'soon' as never })).rejects.toEqual(code('invalid_data'));
  await expect(a.peer('127.0.0.1', 1, 5 as never)).rejects.toEqual(code('invalid_data'));
  await stillWorks();
});

test('topics that are not strings or iterables of strings are invalid_topic_key', () => {
  for (const bad of [42, undefined, null, /re/, {}, [1, 2], ['ok', 3], Symbol('s')]) {
    expect(() => a.makeSubscriber(bad as never)).toThrow(code('invalid_topic_key'));
    expect(() => a.makeHub(bad as never)).toThrow(code('invalid_topic_key'));
    expect(() => a.subscribe(bad as never, () => {})).toThrow(code('invalid_topic_key'));
    expect(() => a.forward(bad as never)).toThrow(code('invalid_topic_key'));
  }
  for (const bad of [42, undefined, null, ['a'], Symbol('s')]) {
    expect(() => a.publish(bad as never, 1)).toThrow(code('invalid_topic_key'));
    expect(() => a.makePublisher(bad as never)).toThrow(code('invalid_topic_key'));
    expect(() => a.publishBatch([[bad as never, 1]])).toThrow(code('invalid_topic_key'));
  }
});

test('wrong types in every other facade call are a BrokerError', async () => {
  expect(() => a.publishBatch(42 as never)).toThrow(BrokerError);
  expect(() => a.publishBatch([42] as never)).toThrow(BrokerError);
  expect(() => a.publishBatch(['ab'] as never)).toThrow(BrokerError);
  expect(() => a.publishTo(42 as never, '/t', 1)).toThrow(code('invalid_data'));
  expect(() => a.subscribe('/t', 'not a function' as never)).toThrow(code('invalid_data'));
  expect(() => a.makeSubscriber('/t', { queueSize: -1 })).toThrow(code('invalid_data'));
  expect(() => a.makeSubscriber('/t', 'x' as never)).toThrow(code('invalid_data'));
  expect(() => a.makePublisher('/t', { capacity: 'x' as never })).toThrow(code('invalid_data'));
  expect(() => a.makeStatusSubscriber('yes' as never)).toThrow(code('invalid_data'));
  const sub = a.makeSubscriber('/t');
  expect(() => sub.addTopic(42 as never)).toThrow(code('invalid_topic_key'));
  expect(() => sub.removeTopic(undefined as never)).toThrow(code('invalid_topic_key'));
  await expect(sub.get({ timeout: 'x' as never })).rejects.toEqual(code('invalid_data'));
  await expect(sub.get(5 as never)).rejects.toEqual(code('invalid_data'));
  await expect(sub.getMany(-1)).rejects.toEqual(code('invalid_data'));
  const hub = a.makeHub('/h');
  expect(() => hub.publish(42 as never, 1)).toThrow(code('invalid_topic_key'));
  expect(() => hub.publish('/h', (() => 1) as never)).toThrow(code('type_clash'));
  const pub = a.makePublisher('/p');
  await expect(pub.publish(Symbol('s') as never)).rejects.toEqual(code('type_clash'));
  await expect(pub.publishMany(42 as never)).rejects.toEqual(code('invalid_data'));
  await expect(a.attachMaster(42 as never, 'memory')).rejects.toEqual(code('invalid_data'));
  // An unknown backend is Broker's backend_failure (the store code decides, not the facade).
  await expect(a.attachMaster('s', 'rocksdb' as never)).rejects.toEqual(code('backend_failure'));
  await expect(a.attachMaster('s', 'memory', 'x' as never)).rejects.toEqual(code('invalid_data'));
  await expect(a.attachClone(undefined as never)).rejects.toEqual(code('invalid_data'));
  await expect(a.attachClone('c', { resyncInterval: 'x' as never })).rejects.toEqual(code('invalid_data'));
  await expect(a.spawnWorkerEndpoint(42 as never)).rejects.toEqual(code('invalid_data'));
  expect(() => a.advanceTime('x' as never)).toThrow(BrokerError);
  const store = await a.attachMaster('s', 'memory');
  await expect(store.put(Symbol('k') as never, 1)).rejects.toEqual(code('type_clash'));
  await expect(store.put('k', new Array(600).fill(0).reduce((v) => [v], 0) as never)).rejects.toEqual(code('invalid_data'));
  // Options that are not an object, on every kind of store call.
  await expect(store.put('k', 1, null as never)).rejects.toEqual(code('invalid_data'));
  await expect(store.erase('k', 'x' as never)).rejects.toEqual(code('invalid_data'));
  await expect(store.putUnique('k', 1, 7 as never)).rejects.toEqual(code('invalid_data'));
  await expect(store.awaitIdle(null as never)).rejects.toEqual(code('invalid_data'));
  await stillWorks();
});

test('a clone interval out of range is refused at attachClone, and the store name stays usable', async () => {
  for (const resyncInterval of [0, -5, new Timespan(0n)]) {
    await expect(a.attachClone('c', { resyncInterval })).rejects.toEqual(code('invalid_data'));
  }
  // A store actor that fails as it starts (here: the facade's check bypassed) is refused
  // by the core and never registered.
  const core = a as unknown as { request(msg: unknown): Promise<unknown> };
  await expect(core.request({ type: 'attach-clone', name: 'c', resyncInterval: 0, staleInterval: 1, mutationBufferInterval: 1 })).rejects.toEqual(code('unspecified'));
  // Negative: never stale, no buffering; accepted. The store then works with its master.
  const clone = await a.attachClone('c', { resyncInterval: 50, staleInterval: -1, mutationBufferInterval: -1 });
  const master = await b.attachMaster('c', 'memory');
  await master.put('k', count(1));
  await connect(a, b);
  expect(await clone.awaitIdle({ timeout: 20_000 })).toBe(true);
  expect(await clone.get('k')).toEqual(count(1));
});

test('a value that no codec can encode is refused at publish, and the peer never notices', async () => {
  const sub = b.makeSubscriber('/deep');
  const statuses = b.makeStatusSubscriber(true);
  await connect(a, b);
  await awaitPeerSubscriptions(a, '/deep');
  let deep: unknown = 1;
  for (let i = 0; i < 513; i++) deep = [deep];
  const cyclic: unknown[] = [];
  cyclic.push(cyclic);
  let veryDeep: unknown = 1;
  for (let i = 0; i < 100_000; i++) veryDeep = [veryDeep];
  const forged = Object.create(Object.getPrototypeOf(count(1)));
  for (const bad of [deep, cyclic, veryDeep, forged, [forged]]) {
    expect(() => a.publish('/deep', bad as never)).toThrow(BrokerError);
    expect(() => a.publishBatch([['/deep', bad as never]])).toThrow(BrokerError);
    await expect(a.makePublisher('/deep').publish(bad as never)).rejects.toBeInstanceOf(BrokerError);
    expect(() => a.makeHub('/x').publish('/deep', bad as never)).toThrow(BrokerError);
  }
  a.publish('/deep', 'after');
  expect(await sub.get({ timeout: 20_000 })).toEqual(['/deep', 'after']);
  expect(statuses.poll().map((s) => s.code)).not.toContain('peer_lost');
});

test('every call after shutdown() is refused with shutting_down: thrown when synchronous, rejected otherwise', async () => {
  const sub = a.makeSubscriber('/t');
  const hub = a.makeHub('/h');
  const pub = a.makePublisher('/p');
  const store = await a.attachMaster('s', 'memory');
  await a.shutdown();
  const down = code('shutting_down');
  expect(() => a.publish('/t', 1)).toThrow(down);
  expect(() => a.publishTo('x', '/t', 1)).toThrow(down);
  expect(() => a.publishBatch([['/t', 1]])).toThrow(down);
  expect(() => a.makeSubscriber('/t')).toThrow(down);
  expect(() => a.makeHub('/t')).toThrow(down);
  expect(() => a.makeStatusSubscriber()).toThrow(down);
  expect(() => a.makePublisher('/t')).toThrow(down);
  expect(() => a.subscribe('/t', () => {})).toThrow(down);
  expect(() => a.forward('/t')).toThrow(down);
  expect(() => a.peerNoWait('127.0.0.1', 1)).toThrow(down);
  expect(() => hub.publish('/h', 1)).toThrow(down);
  expect(() => sub.addTopic('/u')).toThrow(down);
  await expect(pub.publish(1)).rejects.toEqual(down);
  await expect(store.put('k', 1)).rejects.toEqual(down);
  await expect(a.peer('127.0.0.1', 1)).rejects.toEqual(down);
  await expect(a.listen()).rejects.toEqual(down);
  await expect(a.attachMaster('t', 'memory')).rejects.toEqual(down);
  await expect(sub.get()).rejects.toEqual(code('end_of_file'));
  await expect(a.shutdown()).resolves.toBeUndefined();
});
