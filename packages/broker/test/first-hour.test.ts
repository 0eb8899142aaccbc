/**
 * What a newcomer does in the first hour: the guide's examples, with the mistakes people
 * make. Wrong types, calls in the wrong order, calls after shutdown, a peer that dies in
 * the middle of a call, and a burst far above every buffer. Nothing crashes an endpoint;
 * every refusal is a BrokerError with a clear message, and loss is never silent.
 */
import { BrokerError, count, type Endpoint, isStatus, type Status } from '@broker-ts/broker';
import { awaitPeerSubscriptions, connect, endpoints, nextError, nextEvent, shutdownAll } from './helpers';

jest.setTimeout(120_000);

let eps: Endpoint[] = [];

afterEach(async () => {
  await shutdownAll(eps);
  eps = [];
});

/** The endpoints still peer and deliver. */
async function stillWorks(a: Endpoint, b: Endpoint, topic: string): Promise<void> {
  const sub = b.makeSubscriber(topic);
  await awaitPeerSubscriptions(a, topic);
  a.publish(topic, 'still here');
  expect(await sub.get({ timeout: 20_000 })).toEqual([topic, 'still here']);
}

test('the guide with wrong types: each mistake is a BrokerError that names it, the endpoint lives on', async () => {
  eps = endpoints(['a', 'b']);
  const [a, b] = eps;
  const mistakes: Array<() => unknown> = [
    () => a.peer('localhost', 70000), // a port out of range
    () => a.peer('127.0.0.1', '9999' as never), // a port as a string
    () => a.listen(9999 as never), // the port where the host goes
    () => a.makeSubscriber(42 as never), // a number as topic
    () => a.makeSubscriber(/\/zeek/ as never), // a RegExp as topic
    () => a.makeSubscriber(undefined as never),
    () => a.subscribe('/t', undefined as never), // no callback
    () => a.publish('/t', (() => 1) as never), // a function as value
    () => a.publish('/t', new (class Conn {})() as never), // a class instance
    () => a.publish(['/t'] as never, 1), // a list as topic
    () => a.publishBatch([['/t']] as never), // a pair without value
    () => a.makePublisher('/t', { capacity: 0 }),
    () => a.makeStatusSubscriber('true' as never),
    () => a.attachMaster('s', 'redis' as never),
    () => a.attachClone('s', { staleInterval: 'long' as never }),
  ];
  for (const mistake of mistakes) {
    let failure: unknown;
    try {
      await mistake();
    } catch (e) {
      failure = e;
    }
    expect(failure).toBeInstanceOf(BrokerError);
    expect((failure as BrokerError).message.length).toBeGreaterThan(10);
  }
  await connect(a, b);
  await stillWorks(a, b, '/ok');
});

test('calls in the wrong order do what Broker does and break nothing', async () => {
  eps = endpoints(['a', 'b']);
  const [a, b] = eps;
  const errors = a.makeStatusSubscriber();
  // Publishing before anyone is peered: nobody gets it, nothing fails.
  a.publish('/early', 'lost to nobody');
  // Unpeering before peering: true, with a peer_invalid error event.
  expect(await a.unpeer('127.0.0.1', 1)).toBe(true);
  expect((await nextError(errors, 'peer_invalid')).message).toMatch(/unknown peer/);
  // A subscriber made after the publication does not get it.
  const port = await b.listen();
  expect(await a.peer('127.0.0.1', port)).toBe(true);
  const late = b.makeSubscriber('/early');
  expect(await late.get({ timeout: 50 })).toBeNull();
  // Closing twice, reading after close.
  late.close();
  late.close();
  await expect(late.get()).rejects.toMatchObject({ code: 'end_of_file' });
  // Peering twice with the same address keeps one peering.
  expect(await a.peer('127.0.0.1', port)).toBe(true);
  expect((await a.peers()).length).toBe(1);
  // A master attached twice is the same store.
  const m1 = await a.attachMaster('s', 'memory');
  const m2 = await a.attachMaster('s', 'memory');
  await m1.put('k', count(1));
  expect(await m2.get('k')).toEqual(count(1));
  await stillWorks(a, b, '/order');
  // Shutdown twice.
  await a.shutdown();
  await a.shutdown();
});

test('after shutdown every call says shutting_down', async () => {
  eps = endpoints(['a']);
  const [a] = eps;
  const pub = a.makePublisher('/p');
  const store = await a.attachMaster('s', 'memory');
  await a.shutdown();
  for (const call of [() => a.publish('/t', 1), () => a.makeSubscriber('/t'), () => a.subscribe('/t', () => {})]) {
    expect(call).toThrow(expect.objectContaining({ code: 'shutting_down' }));
  }
  await expect(pub.publish(1)).rejects.toMatchObject({ code: 'shutting_down' });
  await expect(store.put('k', 1)).rejects.toMatchObject({ code: 'shutting_down' });
  await expect(a.peers()).rejects.toMatchObject({ code: 'shutting_down' });
});

test('a peer that dies in the middle of calls: pending reads time out, statuses tell, nothing hangs', async () => {
  eps = endpoints(['a', 'b']);
  const [a, b] = eps;
  const statuses = a.makeStatusSubscriber(true);
  const sub = a.makeSubscriber('/from-b');
  await connect(a, b);
  await awaitPeerSubscriptions(b, '/from-b');
  const pending = sub.get({ timeout: 500 });
  const pendingMany = sub.getMany(10, { timeout: 500 });
  b.publish('/from-b', 'last words');
  await b.shutdown();
  expect(await pending).toEqual(['/from-b', 'last words']);
  expect(await pendingMany).toEqual([]);
  const lost = (await nextEvent(statuses, 'peer_lost')) as Status;
  expect(lost.context.id).toBe(b.id);
  // Calls to the dead peer: a clear false, not a hang.
  expect(await a.peer('127.0.0.1', 1)).toBe(false);
  expect(await a.peers()).toEqual([]);
});

test('a burst far above every buffer: what fits arrives in order, the rest is reported and counted', async () => {
  eps = [...endpoints(['sender'], { publishBufferSize: 20_000 }), ...endpoints(['receiver'])];
  const [sender, receiver] = eps;
  const errors = sender.makeStatusSubscriber();
  const sub = receiver.makeSubscriber('/burst');
  await connect(sender, receiver);
  await awaitPeerSubscriptions(sender, '/burst');
  const n = 100_000;
  for (let i = 0; i < n; i++) sender.publish('/burst', count(i));
  // The loop never yielded: exactly the buffer's worth is kept.
  const report = await nextError(errors, 'unspecified');
  expect(report.message).toMatch(/publish buffer of 20000 messages is full/);
  expect((await sender.stats()).publishDrops).toBe(n - 20_000);
  for (let i = 0; i < 20_000; i++) expect((await sub.get())[1]).toEqual(count(i));
  expect(errors.poll().filter((e) => !isStatus(e))).toEqual([]);
  await stillWorks(sender, receiver, '/after');
});
