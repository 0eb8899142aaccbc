/**
 * A peering opened with a retry is re-established after any loss but an explicit unpeer:
 * here, a slow-peer disconnect, on whichever side the slow peer was.
 */
import type { Endpoint, Status } from '@broker-ts/broker';
import { awaitPeerSubscriptions, endpoints, nextEvent, shutdownAll, until } from './helpers';

jest.setTimeout(60_000);

let eps: Endpoint[] = [];

afterEach(async () => {
  await shutdownAll(eps);
  eps = [];
});

const options = { peerBufferSize: 16, peerStallTimeout: 300 };

test('the originator with a retry reconnects after it disconnected a stalled responder', async () => {
  eps = endpoints(['origin', 'stalled'], options);
  const [origin, stalled] = eps;
  const statuses = origin.makeStatusSubscriber(true);
  const sub = stalled.makeSubscriber('/s', { queueSize: 1 });
  const port = await stalled.listen();
  expect(await origin.peer('127.0.0.1', port, { retry: 100 })).toBe(true);
  await nextEvent(statuses, 'peer_added');
  await awaitPeerSubscriptions(origin, '/s');
  for (let i = 0; i < 2000; i++) origin.publish('/s', i);
  const removed = (await nextEvent(statuses, 'peer_removed')) as Status;
  expect(removed.message).toMatch(/slow peer/);
  // The stalled side reads again; the peering comes back by itself.
  void (async () => {
    for await (const _ of sub);
  })();
  const added = (await nextEvent(statuses, 'peer_added')) as Status;
  expect(added.context.id).toBe(stalled.id);
  expect((await origin.peers()).map((p) => p.status)).toEqual(['peered']);
});

test('the originator with a retry reconnects after the responder disconnected it as a slow peer', async () => {
  eps = endpoints(['origin', 'sender'], options);
  const [origin, sender] = eps;
  const statuses = origin.makeStatusSubscriber(true);
  const sub = origin.makeSubscriber('/s', { queueSize: 1 });
  const port = await sender.listen();
  expect(await origin.peer('127.0.0.1', port, { retry: 100 })).toBe(true);
  await nextEvent(statuses, 'peer_added');
  await awaitPeerSubscriptions(sender, '/s');
  const senderStatuses = sender.makeStatusSubscriber(true);
  for (let i = 0; i < 2000; i++) sender.publish('/s', i);
  expect(((await nextEvent(senderStatuses, 'peer_removed')) as Status).message).toMatch(/slow peer/);
  // peer_lost comes after the last message the sender got through: read them.
  let lost = false;
  void nextEvent(statuses, 'peer_lost').then(() => (lost = true));
  await until(() => {
    sub.poll();
    return lost;
  }, 'peer_lost');
  const added = (await nextEvent(statuses, 'peer_added')) as Status;
  expect(added.context.id).toBe(sender.id);
});
