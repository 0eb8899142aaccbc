/**
 * Store events end to end (Broker's `store_event.hh`): `insert`, `update`, `erase` and `expire` in
 * Broker's layout, on `<$>/local/data/store-events/<store>`, published by the master and
 * by every clone for every change, whoever wrote it; the publisher fields name the
 * endpoint and frontend that wrote (the master for expiries).
 */
import { count, type Data, Endpoint, ReservedTopics, storeEventsTopic, type Subscriber, timespan } from '@broker-ts/broker';
import { storeCluster, type StoreCluster } from './fixtures/store/store-kit';
import { connect } from './helpers';

describe('store events on the master and on every clone', () => {
  let cluster: StoreCluster;
  let subs: Subscriber[];
  let topics: string[][];

  beforeAll(async () => {
    subs = [];
    cluster = await storeCluster('ev', 2, (masterEp: Endpoint, cloneEps: Endpoint[]) => {
      subs = [masterEp, ...cloneEps].map((ep) => ep.makeSubscriber(storeEventsTopic('ev')));
    });
    topics = subs.map(() => []);
  });
  afterAll(() => cluster.shutdown());

  /** Reads `n` events from every endpoint's subscriber. */
  async function nextEvents(n: number): Promise<Data[][][]> {
    return Promise.all(
      subs.map(async (sub, i) => {
        const out: Data[][] = [];
        while (out.length < n) {
          const [topic, ev] = await sub.get();
          topics[i].push(topic);
          out.push(ev as Data[]);
        }
        return out;
      }),
    );
  }

  test('every endpoint sees the same events, in order, in Broker layout and topic', async () => {
    const { master, clones, masterEp, cloneEps } = cluster;
    const m = [masterEp.id];
    const c0 = [cloneEps[0].id];
    // Writes of different frontends have no order between them: each clone write is
    // awaited (awaitIdle: the master applied it) before the next write, and so is each
    // master write ({ ack: true }): the master applies its own frontend's writes in a group
    // commit after a turn of the event loop, which a clone's write may overtake.
    const fromClone = async (write: Promise<void>): Promise<void> => {
      await write;
      expect(await clones[0].awaitIdle()).toBe(true);
    };
    await master.put('a', count(1), { ack: true });
    await fromClone(clones[0].put('b', 'x', { expiry: 60_000 }));
    await master.increment('a', count(2), { ack: true });
    await fromClone(clones[0].append('b', 'y'));
    await master.erase('missing', { ack: true }); // no change: no event (newer Broker)
    await fromClone(clones[0].erase('a'));
    await master.put('short', true, { expiry: 200 }); // expires in real time: the master publishes it
    const all = await nextEvents(6);
    for (const evs of all) {
      expect(evs[0]).toEqual(['insert', 'ev', 'a', count(1), null, ...m, expect.anything()]);
      expect(evs[1]).toEqual(['insert', 'ev', 'b', 'x', timespan(60_000), ...c0, expect.anything()]);
      expect(evs[2]).toEqual(['update', 'ev', 'a', count(1), count(3), null, ...m, expect.anything()]);
      expect(evs[3]).toEqual(['update', 'ev', 'b', 'x', 'xy', null, ...c0, expect.anything()]);
      expect(evs[4]).toEqual(['erase', 'ev', 'a', ...c0, expect.anything()]);
      expect(evs[5]).toEqual(['insert', 'ev', 'short', true, timespan(200), ...m, expect.anything()]);
    }
    // The publisher object is the writing frontend's number, the same everywhere.
    const objects = all.map((evs) => [evs[0][6], evs[1][6]]);
    expect(objects[1]).toEqual(objects[0]);
    expect(objects[2]).toEqual(objects[0]);
    const [expired] = await nextEvents(1);
    for (const evs of [expired]) expect(evs[0].slice(0, 4)).toEqual(['expire', 'ev', 'short', masterEp.id]);
    for (const t of topics.flat()) expect(t).toBe(`${ReservedTopics.storeEvents}/ev`);
  });

  test('clear emits one erase event per key on every endpoint', async () => {
    const { master, clones } = cluster;
    await master.put('c1', 1n);
    await master.put('c2', 2n);
    await nextEvents(2);
    await clones[1].clear();
    const all = await nextEvents(2);
    for (const evs of all) {
      expect(evs.map((e) => e.slice(0, 4))).toEqual([
        ['erase', 'ev', 'b', cluster.cloneEps[1].id],
        ['erase', 'ev', 'c1', cluster.cloneEps[1].id],
      ]);
    }
    const more = await nextEvents(1);
    for (const evs of more) expect(evs[0].slice(0, 4)).toEqual(['erase', 'ev', 'c2', cluster.cloneEps[1].id]);
  });

  test('a rejected write emits no event anywhere', async () => {
    const { master, clones } = cluster;
    await master.put('n', count(1), { ack: true }); // applied before the clone's write
    await clones[0].append('n', 'no'); // type clash
    expect(await clones[0].awaitIdle()).toBe(true);
    await master.decrement('absent', count(1)); // no such key
    await master.put('after', 1n);
    const all = await nextEvents(2);
    for (const evs of all) expect(evs.map((e) => `${String(e[0])} ${String(e[2])}`)).toEqual(['insert n', 'insert after']);
  });
});

describe('a clone that joins a store with data', () => {
  test('gets an insert event per existing key from the snapshot, published by the master', async () => {
    let late: Subscriber | undefined;
    const cluster = await storeCluster('snap', 0);
    try {
      await cluster.master.put('x', 1n);
      await cluster.master.put('y', 2n);
      const ep = new Endpoint({ name: 'late' });
      cluster.cloneEps.push(ep);
      late = ep.makeSubscriber(storeEventsTopic('snap'));
      await connect(ep, cluster.masterEp);
      const c = await ep.attachClone('snap', { resyncInterval: 100 });
      expect(await c.awaitIdle({ timeout: 20_000 })).toBe(true);
      const evs = [(await late.get())[1], (await late.get())[1]] as Data[][];
      expect(evs.map((e) => e.slice(0, 5))).toEqual([
        ['insert', 'snap', 'x', 1n, null],
        ['insert', 'snap', 'y', 2n, null],
      ]);
      expect(evs[0][5]).toBe(cluster.masterEp.id);
    } finally {
      await cluster.shutdown();
    }
  });
});
