/**
 * A plain loop of publish() calls with default options: every message arrives, in order,
 * however far the sender runs ahead of its peer; past the publish buffer's bound the loss
 * is reported (an error event, the count in stats()), never silent.
 */
import { type Endpoint, isStatus } from '@broker-ts/broker';
import { awaitPeerSubscriptions, connect, endpoints, nextError, shutdownAll, turn } from './helpers';

jest.setTimeout(120_000);

let eps: Endpoint[] = [];

afterEach(async () => {
  await shutdownAll(eps);
  eps = [];
});

test('100,000 publish() calls in a loop to a healthy peer all arrive, in order, with default options', async () => {
  eps = endpoints(['sender', 'receiver']);
  const [sender, receiver] = eps;
  const statuses = sender.makeStatusSubscriber(true);
  const sub = receiver.makeSubscriber('/burst');
  await connect(sender, receiver);
  await awaitPeerSubscriptions(sender, '/burst');
  const n = 100_000;
  for (let i = 0; i < n; i++) sender.publish('/burst', i);
  let expected = 0;
  while (expected < n) {
    const [, v] = await sub.get();
    expect(v).toBe(expected);
    expected++;
  }
  const stats = await sender.stats();
  expect([stats.publishDrops, stats.peerDrops]).toEqual([0, 0]);
  expect((await sender.peers()).map((p) => p.peer.id)).toEqual([receiver.id]);
  expect(statuses.poll().filter((e) => !isStatus(e) || (e.code !== 'peer_added' && e.code !== 'endpoint_discovered'))).toEqual([]);
});

test('beyond the publish buffer the loss is loud: one error event, the count in stats(), the peer kept', async () => {
  eps = [...endpoints(['sender'], { publishBufferSize: 1000, peerBufferSize: 64 }), ...endpoints(['receiver'])];
  const [sender, receiver] = eps;
  const errors = sender.makeStatusSubscriber();
  const sub = receiver.makeSubscriber('/over', { queueSize: 1 });
  await connect(sender, receiver);
  await awaitPeerSubscriptions(sender, '/over');
  for (let i = 0; i < 5000; i++) sender.publish('/over', i);
  const err = await nextError(errors, 'unspecified');
  expect(err.message).toMatch(/publish buffer of 1000 messages is full/);
  const drops = (await sender.stats()).publishDrops;
  expect(drops).toBeGreaterThan(0);
  await turn();
  // One report per episode, not one per dropped message.
  expect(errors.poll()).toEqual([]);
  // The receiver reads: what was kept arrives in order, and the peering stayed up.
  const got: number[] = [];
  while (got.length < 5000 - drops) got.push((await sub.get())[1] as number);
  expect(got).toEqual([...got].sort((x, y) => x - y));
  expect(got[0]).toBe(0);
  expect((await sender.peers()).length).toBe(1);
});
