/**
 * putUnique races end to end: eight clones on eight endpoints in two child processes
 * (four each), all peered with the master's endpoint, race for the same keys at once;
 * for every key exactly one caller gets `true`, and every store ends with the winner's value.
 */
import { Endpoint } from '@broker-ts/broker';
import { StoreNode, type RemoteStore } from './fixtures/store/store-node-process';

jest.setTimeout(120_000);

test('eight clones in two processes racing for one key: exactly one wins, for each of several keys', async () => {
  const masterEp = new Endpoint({ name: 'race-master' });
  const nodes: StoreNode[] = [];
  try {
    const master = await masterEp.attachMaster('race', 'memory');
    const port = await masterEp.listen();
    nodes.push(...(await Promise.all([StoreNode.start('racers-a', 4), StoreNode.start('racers-b', 4)])));
    const clones: { store: RemoteStore; who: string }[] = [];
    for (const [n, node] of nodes.entries()) {
      for (let ep = 0; ep < 4; ep++) {
        await node.peer(port, ep);
        await node.request('attachClone', { name: 'race', options: { resyncInterval: 200 } }, ep);
        clones.push({ store: node.store('race', ep), who: `p${n}e${ep}` });
      }
    }
    for (const c of clones) expect(await c.store.awaitIdle(30_000)).toBe(true);

    for (const key of ['k1', 'k2', 'k3', 'k4', 'k5']) {
      const results = await Promise.all(clones.map((c) => c.store.putUnique(key, c.who)));
      const winners = clones.filter((_, i) => results[i]).map((c) => c.who);
      expect(winners).toHaveLength(1);
      expect(await master.get(key)).toBe(winners[0]);
      // A clone's putUnique answers once its replica shows the outcome.
      for (const c of clones) expect(await c.store.get(key)).toBe(winners[0]);
    }
    // The master itself loses against the clones' winner.
    expect(await master.putUnique('k1', 'master')).toBe(false);
  } finally {
    await Promise.all(nodes.map((n) => n.exit()));
    await masterEp.shutdown();
  }
});
