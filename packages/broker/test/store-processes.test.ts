/**
 * Data stores across real processes (child processes running `fixtures/store/store-node.ts`
 * through tsx): a clone two hops away from its master behind a plain relay, a master that
 * appears after its clones, and a persistent master process killed with SIGKILL and
 * restarted under its clone (stale after `staleInterval`, writes buffered within
 * `mutationBufferInterval` and replayed, resync with the right events).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { count, type Data, Endpoint, storeEventsTopic } from '@broker-ts/broker';
import { StoreNode, type RemoteStore } from './fixtures/store/store-node-process';
import { until } from './helpers';

jest.setTimeout(90_000);

const nodes: StoreNode[] = [];
const eps: Endpoint[] = [];
async function startNode(name: string, endpoints = 1): Promise<StoreNode> {
  const node = await StoreNode.start(name, endpoints);
  nodes.push(node);
  return node;
}
function endpoint(name: string): Endpoint {
  const ep = new Endpoint({ name });
  eps.push(ep);
  return ep;
}
afterEach(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.exit()));
  await Promise.all(eps.splice(0).map((ep) => ep.shutdown()));
});

/** Reads a child's store events until one of `kind` on `key` arrived; returns `kind key` of each. */
async function remoteEventsUntil(node: StoreNode, kind: string, key: Data, ep = 0): Promise<string[]> {
  const out: string[] = [];
  for (;;) {
    const ev = await node.nextEvent(ep);
    out.push(`${String(ev[0])} ${String(ev[2])}`);
    if (ev[0] === kind && ev[2] === key) return out;
  }
}

async function remoteShows(store: RemoteStore, key: Data, value: Data | undefined): Promise<void> {
  const show = (v: Data | undefined): string => (v === undefined ? '<absent>' : JSON.stringify(String(v)));
  await until(async () => show(await store.get(key).catch(() => undefined)) === show(value), `${store.name} showing ${String(key)} = ${show(value)}`, 60_000);
}

test('a clone two hops away, behind a plain relay in another process, reaches its master', async () => {
  // A (this process, master) – B (relay process, no stores) – C (clone process)
  const a = endpoint('A');
  const relay = await startNode('B');
  const cNode = await startNode('C');
  const master = await a.attachMaster('hops', 'memory');
  await master.put('before', count(1));
  const aPort = await a.listen();
  await relay.peer(aPort);
  const bPort = await relay.listen();
  await cNode.peer(bPort);
  await cNode.watchEvents('hops');
  await cNode.request('attachClone', { name: 'hops', options: { resyncInterval: 200 } });
  const clone = cNode.store('hops');
  expect(await clone.awaitIdle(30_000)).toBe(true);
  expect(await clone.get('before')).toEqual(count(1));
  expect(await remoteEventsUntil(cNode, 'insert', 'before')).toEqual(['insert before']);
  // Writes both ways across the relay.
  await master.put('from-master', 'm');
  await clone.put('from-clone', 'c');
  await clone.call('increment', ['before', count(2)]);
  expect(await clone.awaitIdle(30_000)).toBe(true);
  expect(await master.get('from-clone')).toBe('c');
  expect(await master.get('before')).toEqual(count(3));
  expect(await clone.get('from-master')).toBe('m');
  expect(await clone.get('before')).toEqual(count(3));
  expect(await clone.putUnique('u', 'clone')).toBe(true);
  expect(await master.putUnique('u', 'master')).toBe(false);
  expect(await master.get('u')).toBe('clone');
});

test('a master that appears after its clones: buffered clone writes are replayed, every clone syncs', async () => {
  // Two clone processes peer with this endpoint before it has a master.
  const hub = endpoint('hub');
  const port = await hub.listen();
  const c1 = await startNode('C1');
  const c2 = await startNode('C2');
  for (const node of [c1, c2]) {
    await node.peer(port);
    await node.request('attachClone', { name: 'late', options: { resyncInterval: 200, mutationBufferInterval: 120_000 } });
  }
  const s1 = c1.store('late');
  const s2 = c2.store('late');
  await expect(s1.get('x')).rejects.toMatchObject({ code: 'stale_data' });
  await s1.put('early', 'buffered-1');
  await s2.call('increment', ['n', count(5)]);
  expect(await s1.awaitIdle(300)).toBe(false); // no master yet
  const events = hub.makeSubscriber(storeEventsTopic('late'));
  const master = await hub.attachMaster('late', 'memory');
  expect(await s1.awaitIdle(30_000)).toBe(true);
  expect(await s2.awaitIdle(30_000)).toBe(true);
  await until(async () => (await master.get('early')) === 'buffered-1' && (await master.get('n')) !== undefined, 'replayed writes on the master');
  expect(await master.get('n')).toEqual(count(5));
  await remoteShows(s1, 'n', count(5));
  await remoteShows(s2, 'early', 'buffered-1');
  const kinds = [(await events.get())[1], (await events.get())[1]].map((e) => `${String((e as Data[])[0])} ${String((e as Data[])[2])}`);
  expect(kinds.sort()).toEqual(['insert early', 'insert n']);
});

describe.each(['sqlite', 'lmdb'] as const)('a persistent %s master process killed and restarted', (kind) => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), `broker-ts-kill-${kind}-`));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('the clone turns stale after staleInterval, buffers writes, replays them to the restarted master and resyncs', async () => {
    const staleInterval = 2000;
    const options = { path: path.join(dir, kind === 'sqlite' ? 'm.sqlite' : 'm.lmdb') };
    const cNode = await startNode('clone');
    const cPort = await cNode.listen();
    await cNode.watchStatuses();
    await cNode.watchEvents('pk');
    await cNode.request('attachClone', { name: 'pk', options: { resyncInterval: 200, staleInterval, mutationBufferInterval: 120_000 } });
    const clone = cNode.store('pk');

    const m1 = await startNode('master1');
    await m1.request('attachMaster', { name: 'pk', backend: kind, options });
    await m1.peer(cPort, 0, 200);
    const master1 = m1.store('pk');
    await master1.put('a', count(1));
    await master1.put('exp', 'soon', { expiry: 1000 });
    expect(await clone.awaitIdle(30_000)).toBe(true);
    expect(await remoteEventsUntil(cNode, 'insert', 'exp')).toEqual(['insert a', 'insert exp']);

    await m1.kill();
    // The clone's endpoint sees its peer go; the clone keeps answering until staleInterval.
    for (;;) if ((await cNode.nextStatus()).code === 'peer_lost') break;
    const lostAt = Date.now();
    const early = await clone.get('a').catch((e: { code: string }) => e.code);
    if (Date.now() - lostAt < staleInterval / 2) expect(early).toEqual(count(1));
    await until(async () => (await clone.get('a').catch((e: { code: string }) => e.code)) === 'stale_data', 'the clone turning stale', 30_000);
    expect(Date.now() - lostAt).toBeGreaterThanOrEqual(staleInterval - 100);
    // Written while no master is known: buffered.
    await clone.put('buffered', count(2));
    await clone.call('increment', ['a', count(10)]);
    expect(await clone.awaitIdle(200)).toBe(false);

    // The master comes back on the same file; `exp` expired while it was down.
    const m2 = await startNode('master2');
    await m2.watchEvents('pk');
    await m2.request('attachMaster', { name: 'pk', backend: kind, options });
    expect(await remoteEventsUntil(m2, 'expire', 'exp')).toEqual(['expire exp']);
    await m2.peer(cPort, 0, 200);
    expect(await clone.awaitIdle(30_000)).toBe(true);
    const master2 = m2.store('pk');
    expect(await master2.get('buffered')).toEqual(count(2));
    expect(await master2.get('a')).toEqual(count(11));
    expect(await master2.get('exp')).toBeUndefined();
    expect(await clone.get('a')).toEqual(count(11));
    expect(await clone.get('buffered')).toEqual(count(2));
    // Resync: the snapshot erases what vanished (no publisher), then the replayed writes arrive.
    const resync = await remoteEventsUntil(cNode, 'update', 'a');
    expect(resync).toEqual(['erase exp', 'insert buffered', 'update a']);
  });
});
