/**
 * Acknowledged store writes (`{ ack: true }`) and group commit, end to end through real
 * endpoints: an acknowledged write resolves once the master applied it (and, with a
 * persistent backend, once it is on disk) and rejects with the master's error, on the
 * master and through a clone; the default stays fire-and-forget; a burst of writes on a
 * SQLite master commits in few transactions; a failed commit rejects its writes and the
 * master and its clones go on with what is on disk.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { count, type Data, decodeBinary, Endpoint, isStatus, storeEventsTopic, type StatusSubscriber } from '@broker-ts/broker';
import { storeCluster, type StoreCluster } from './fixtures/store/store-kit';
import { connect, shutdownAll, until } from './helpers';

jest.setTimeout(120_000);

let dir: string;
const eps: Endpoint[] = [];
function endpoint(name: string, useRealTime = true): Endpoint {
  const ep = new Endpoint({ name, useRealTime });
  eps.push(ep);
  return ep;
}
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'broker-ts-acked-'));
});
afterEach(async () => {
  await shutdownAll(eps.splice(0));
  fs.rmSync(dir, { recursive: true, force: true });
});

/** The value of a key as another SQLite connection sees it: only what was committed. */
function committedValue(file: string, key: string): Data | undefined {
  const db = new Database(file, { readonly: true });
  try {
    const keyBytes = Buffer.from([5, key.length, ...Buffer.from(key)]); // Broker binary: string tag 5, varbyte length
    const row = db.prepare('select value from store where key = ?').get(keyBytes) as { value: Buffer } | undefined;
    return row === undefined ? undefined : decodeBinary(row.value);
  } finally {
    db.close();
  }
}

/** SQLite's file change counter (header bytes 24–27): one more per committed write transaction in rollback-journal mode. */
function changeCounter(file: string): number {
  const fd = fs.openSync(file, 'r');
  try {
    const header = Buffer.alloc(28);
    fs.readSync(fd, header, 0, 28, 0);
    return header.readUInt32BE(24);
  } finally {
    fs.closeSync(fd);
  }
}

/** The next error event (statuses skipped). */
async function nextErrorCode(sub: StatusSubscriber): Promise<string> {
  for (;;) {
    const ev = await sub.get();
    if (!isStatus(ev)) return ev.code;
  }
}

describe('acknowledged writes on a master and through a clone', () => {
  let cluster: StoreCluster;
  beforeAll(async () => {
    cluster = await storeCluster('acked', 1);
  });
  afterAll(async () => {
    await cluster.shutdown();
  });

  test('on the master: every write kind resolves once applied, a refused one rejects with the master error', async () => {
    const m = cluster.master;
    const errors = cluster.masterEp.makeStatusSubscriber();
    await m.put('s', 'text', { ack: true });
    await expect(m.increment('s', count(1), { ack: true })).rejects.toMatchObject({ code: 'type_clash', message: expect.stringContaining("store 'acked'") });
    // The refusal still reaches the status subscriber, as every refused write does.
    expect(await nextErrorCode(errors)).toBe('type_clash');
    await expect(m.decrement('missing', count(1), { ack: true })).rejects.toMatchObject({ code: 'no_such_key' });
    await m.increment('n', count(2), { ack: true });
    await m.append('s', '!', { ack: true });
    await m.push('v', 1n, { ack: true });
    await m.pop('v', { ack: true });
    await m.insertInto('t', 'k', 1n, { ack: true });
    await m.removeFrom('t', 'k', { ack: true });
    await m.erase('n', { ack: true });
    expect(await m.get('s')).toBe('text!');
    expect(await m.get('n')).toBeUndefined();
    await m.clear({ ack: true });
    expect((await m.keys()).size).toBe(0);
    errors.close();
  });

  test('the default stays fire-and-forget: a refused write resolves and is reported on the status subscriber only', async () => {
    const m = cluster.master;
    const errors = cluster.masterEp.makeStatusSubscriber();
    await m.put('ff', 'text');
    await expect(m.increment('ff', count(1))).resolves.toBeUndefined();
    await expect(m.increment('ff', count(1), { ack: false })).resolves.toBeUndefined();
    expect(await nextErrorCode(errors)).toBe('type_clash');
    expect(await nextErrorCode(errors)).toBe('type_clash');
    errors.close();
  });

  test('through a clone: resolves once the master applied it, and the master and the replica show it at once', async () => {
    const [clone] = cluster.clones;
    await clone.put('from-clone', count(7), { ack: true });
    expect(await cluster.master.get('from-clone')).toEqual(count(7));
    expect(await clone.get('from-clone')).toEqual(count(7));
    await clone.increment('from-clone', count(1), { ack: true });
    expect(await clone.get('from-clone')).toEqual(count(8));
    await expect(clone.append('from-clone', 'x', { ack: true })).rejects.toMatchObject({ code: 'type_clash' });
    await expect(clone.pop('nothing-here', { ack: true })).rejects.toMatchObject({ code: 'no_such_key' });
    expect(await clone.get('from-clone')).toEqual(count(8));
  });

  test('a burst of acknowledged clone writes: each answers with its own outcome', async () => {
    const [clone] = cluster.clones;
    await clone.put('burst-s', 'text', { ack: true });
    const outcomes = await Promise.allSettled(Array.from({ length: 600 }, (_, i) => (i % 3 === 2 ? clone.increment('burst-s', count(1), { ack: true }) : clone.put(`burst-${i}`, BigInt(i), { ack: true }))));
    const codes = outcomes.map((o) => (o.status === 'fulfilled' ? 'ok' : (o.reason as { code: string }).code));
    expect(codes).toEqual(Array.from({ length: 600 }, (_, i) => (i % 3 === 2 ? 'type_clash' : 'ok')));
    expect(await cluster.master.get('burst-598')).toBe(598n);
    expect(await clone.get('burst-598')).toBe(598n);
  });

  test('a bad ack option is refused at the call', async () => {
    await expect(cluster.master.put('k', 1n, { ack: 'yes' as never })).rejects.toMatchObject({ code: 'invalid_data' });
    await expect(cluster.clones[0].erase('k', { ack: 1 as never })).rejects.toMatchObject({ code: 'invalid_data' });
  });
});

test('a clone without a master rejects an acknowledged write with no_such_master once the mutation buffer interval is over', async () => {
  const ep = endpoint('lonely', false);
  const clone = await ep.attachClone('nobody', { mutationBufferInterval: 1000 });
  const pending = clone.put('k', 1n, { ack: true });
  let settled = false;
  void pending.catch(() => undefined).finally(() => (settled = true));
  // A query behind the write: once answered, the write is buffered in the clone.
  await expect(clone.get('k')).rejects.toMatchObject({ code: 'stale_data' });
  expect(settled).toBe(false);
  ep.advanceTime(1200);
  await expect(pending).rejects.toMatchObject({ code: 'no_such_master' });
  // And a write after the interval is refused at once.
  await expect(clone.put('k', 2n, { ack: true })).rejects.toMatchObject({ code: 'no_such_master' });
});

test('closing a clone rejects the acknowledged writes still waiting with shutting_down', async () => {
  const ep = endpoint('closing');
  const clone = await ep.attachClone('nobody2');
  const pending = clone.put('k', 1n, { ack: true });
  await expect(clone.get('k')).rejects.toMatchObject({ code: 'stale_data' });
  await clone.close();
  await expect(pending).rejects.toMatchObject({ code: 'shutting_down' });
});

describe('group commit on a SQLite master with Broker defaults (synchronous FULL, journal DELETE)', () => {
  test('an acknowledged write is committed when it resolves: another connection reads it', async () => {
    const file = path.join(dir, 'acked.sqlite');
    const m = await endpoint('sq').attachMaster('sq', 'sqlite', { path: file });
    await m.put('a', count(1), { ack: true });
    expect(committedValue(file, 'a')).toEqual(count(1));
    await m.increment('a', count(41), { ack: true });
    expect(committedValue(file, 'a')).toEqual(count(42));
    await m.erase('a', { ack: true });
    expect(committedValue(file, 'a')).toBeUndefined();
  });

  test('a burst of 3,000 writes commits in a few transactions, each acknowledged write only once on disk', async () => {
    const file = path.join(dir, 'burst.sqlite');
    const ep = endpoint('sq-burst');
    const m = await ep.attachMaster('burst', 'sqlite', { path: file });
    await m.put('first', 0n, { ack: true });
    const before = changeCounter(file);
    const N = 3000;
    const acks: Promise<void>[] = [];
    for (let i = 0; i < N; i++) {
      if (i % 10 === 0) acks.push(m.put(`k${i}`, BigInt(i), { ack: true }));
      else void m.put(`k${i}`, BigInt(i));
    }
    await Promise.all(acks);
    const commits = changeCounter(file) - before;
    // One transaction per put would be 3,000; group commit takes at most one per 512 writes
    // (GROUP_COMMIT_LIMIT) plus the ends of the bursts the mailbox delivered.
    expect(commits).toBeGreaterThanOrEqual(1);
    expect(commits).toBeLessThan(N / 50);
    for (const i of [0, 10, 1500, 2990]) expect(committedValue(file, `k${i}`)).toBe(BigInt(i));
  });

  test('a commit that fails (the file stays locked by a reader) rejects its writes; master and clone go on with what is on disk', async () => {
    const file = path.join(dir, 'locked.sqlite');
    const a = endpoint('lock-master');
    const b = endpoint('lock-clone');
    const m = await a.attachMaster('locked', 'sqlite', { path: file });
    await m.put('before', 1n, { ack: true });
    await connect(b, a);
    const clone = await b.attachClone('locked', { resyncInterval: 200 });
    expect(await clone.awaitIdle({ timeout: 20_000 })).toBe(true);
    const errors = a.makeStatusSubscriber();
    const events = a.makeSubscriber(storeEventsTopic('locked'));
    // A reader holding a shared lock: the writer cannot commit in rollback-journal mode, and
    // gives up after its busy timeout (1 s by default).
    const reader = new Database(file, { readonly: true });
    reader.exec('begin');
    reader.prepare('select count(*) from store').get();
    try {
      await expect(m.put('lost', 2n, { ack: true })).rejects.toMatchObject({ code: 'backend_failure', message: expect.stringContaining('locked') });
    } finally {
      reader.exec('commit');
      reader.close();
    }
    expect(await nextErrorCode(errors)).toBe('backend_failure');
    await m.put('after', 3n, { ack: true });
    // The failed commit's write has no store event: the next event is the next write's.
    const [, event] = await events.get();
    expect((event as unknown[]).slice(0, 4)).toEqual(['insert', 'locked', 'after', 3n]);
    events.close();
    expect(committedValue(file, 'lost')).toBeUndefined();
    expect(committedValue(file, 'after')).toBe(3n);
    expect([...(await m.keys())].sort()).toEqual(['after', 'before']);
    // The clone resyncs from the master's backend: it ends without the write that was not
    // committed, and its own writes still reach the master.
    await clone.put('from-clone', 4n, { ack: true });
    await until(async () => [...(await clone.keys())].sort().join() === 'after,before,from-clone', 'the clone showing what is on disk', 30_000);
    expect(committedValue(file, 'from-clone')).toBe(4n);
    errors.close();
  });
});
