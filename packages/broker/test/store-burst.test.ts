/**
 * Bursts of store writes against the peers' bounded buffers: protocol messages produced
 * together travel in batches, so a burst far larger than a peer buffer (2,048 items,
 * overflow policy `disconnect`) neither disconnects the clone's endpoint nor loses a write.
 * And against the event loop: a burst on a SQLite master with Broker's durable defaults
 * commits in bounded group commits, so the endpoint's peering and timers keep running.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { count, Endpoint } from '@broker-ts/broker';
import { storeCluster } from './fixtures/store/store-kit';
import { StoreNode } from './fixtures/store/store-node-process';

jest.setTimeout(120_000);

test('20,000 master writes and 2,000 clone writes at once reach every store without a disconnect', async () => {
  const cluster = await storeCluster('burst', 1);
  const { master, clones, masterEp, cloneEps } = cluster;
  try {
    const statuses = cloneEps[0].makeStatusSubscriber(true);
    for (let i = 0; i < 20_000; i++) void master.put(`m${i % 5000}`, count(i));
    for (let i = 0; i < 2_000; i++) void clones[0].increment('hits', count(1));
    const cloneIdle = await clones[0].awaitIdle({ timeout: 60_000 });
    // A lost peering explains a clone that never goes idle: say so first, and why.
    expect(statuses.poll().map((s) => `${s.code}: ${s.message}`).filter((s) => s.startsWith('peer_lost'))).toEqual([]);
    expect(cloneIdle).toBe(true);
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

test('30,000 puts on a SQLite master with Broker defaults (synchronous FULL, journal DELETE): the peering to another process stays up and timers keep firing', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'broker-ts-burst-sqlite-'));
  const ep = new Endpoint({ name: 'burst-sqlite-master' });
  const node = await StoreNode.start('burst-sqlite-clone');
  try {
    const master = await ep.attachMaster('durable', 'sqlite', { path: path.join(dir, 'store.sqlite') });
    await node.peer(await ep.listen());
    await node.request('attachClone', { name: 'durable', options: { resyncInterval: 200 } });
    const clone = node.store('durable');
    expect(await clone.awaitIdle(30_000)).toBe(true);
    const statuses = ep.makeStatusSubscriber(true);
    // A timer on the same event loop fires as long as the loop gets turns; an immediate
    // rescheduling itself counts the turns.
    let fired = 0;
    const timer = setInterval(() => fired++, 5);
    let turns = 0;
    let counting = true;
    const countTurn = (): void => {
      turns++;
      if (counting) setImmediate(countTurn);
    };
    setImmediate(countTurn);
    const N = 30_000;
    for (let i = 0; i < N; i++) void master.put(`k${i % 10_000}`, count(i));
    // Writes are applied in order: once the last one is acknowledged, every one is on disk.
    await master.put('last', count(N), { ack: true });
    const firedDuringBurst = fired;
    const turnsDuringBurst = turns;
    clearInterval(timer);
    counting = false;
    expect(firedDuringBurst).toBeGreaterThan(0);
    // The writes were applied in slices of at most 512 (one transaction each) with a turn
    // of the loop between slices: at least 30,001 / 512 turns.
    expect(turnsDuringBurst).toBeGreaterThanOrEqual(Math.ceil((N + 1) / 512));
    expect(await master.get('k9999')).toEqual(count(N - 1));
    // Every clone has every change once the master is idle.
    expect(await master.awaitIdle({ timeout: 60_000 })).toBe(true);
    // The peering never dropped (the status says why if it did).
    expect(statuses.poll().map((s) => `${s.code}: ${s.message}`).filter((s) => s.startsWith('peer_lost'))).toEqual([]);
    expect(await clone.get('last')).toEqual(count(N));
    expect(await clone.get('k0')).toEqual(count(N - 10_000));
    expect((await ep.peers()).map((p) => [p.peer.id, p.status])).toEqual([[node.ids[0], 'peered']]);
    statuses.close();
  } finally {
    await node.exit();
    await ep.shutdown();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
