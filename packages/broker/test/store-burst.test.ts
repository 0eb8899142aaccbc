/**
 * Bursts of store writes against the peers' bounded buffers: protocol messages produced
 * together travel in batches, so a burst far larger than a peer buffer (2,048 items,
 * overflow policy `disconnect`) neither disconnects the clone's endpoint nor loses a write.
 */
import { count } from '@broker-ts/broker';
import { storeCluster } from './fixtures/store/store-kit';

jest.setTimeout(120_000);

test('20,000 master writes and 2,000 clone writes at once reach every store without a disconnect', async () => {
  const cluster = await storeCluster('burst', 1);
  const { master, clones, masterEp, cloneEps } = cluster;
  try {
    const statuses = cloneEps[0].makeStatusSubscriber(true);
    for (let i = 0; i < 20_000; i++) void master.put(`m${i % 5000}`, count(i));
    for (let i = 0; i < 2_000; i++) void clones[0].increment('hits', count(1));
    expect(await clones[0].awaitIdle({ timeout: 60_000 })).toBe(true);
    expect(await master.awaitIdle({ timeout: 60_000 })).toBe(true);
    expect(await master.get('hits')).toEqual(count(2000));
    expect(await clones[0].get('hits')).toEqual(count(2000));
    expect(await clones[0].get('m4999')).toEqual(count(19_999));
    expect((await clones[0].keys()).size).toBe(5001);
    expect((await masterEp.stats()).peerDrops).toBe(0);
    // Nothing happened to the peering.
    expect(statuses.poll().map((s) => s.code)).not.toContain('peer_lost');
    expect((await cloneEps[0].peers()).map((p) => p.status)).toEqual(['peered']);
    statuses.close();
  } finally {
    await cluster.shutdown();
  }
});
