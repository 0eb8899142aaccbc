import { BrokerError, count, Endpoint, EnumValue, ReservedTopics, isStatus, set, storeEventsTopic, type Data, type Store } from '@broker-ts/broker';

async function until(check: () => Promise<boolean> | boolean): Promise<void> {
  while (!(await check())) await new Promise((r) => setImmediate(r));
}

describe('data stores across endpoints', () => {
  let a: Endpoint;
  let b: Endpoint;
  beforeEach(() => {
    a = new Endpoint({ name: 'master-side' });
    b = new Endpoint({ name: 'clone-side' });
  });
  afterEach(async () => {
    await Promise.all([a.shutdown(), b.shutdown()]);
  });

  async function peered(): Promise<void> {
    const port = await a.listen();
    expect(await b.peer('127.0.0.1', port)).toBe(true);
  }

  test('a clone sees the master writes and its own writes go through the master', async () => {
    const master = await a.attachMaster('s', 'memory');
    await master.put('k', count(5));
    await peered();
    const clone = await b.attachClone('s');
    expect(await clone.awaitIdle({ timeout: 20_000 })).toBe(true);
    expect(await clone.get('k')).toEqual(count(5));
    await clone.put('from-clone', 'x');
    await clone.increment('k', count(2));
    expect(await clone.awaitIdle({ timeout: 20_000 })).toBe(true);
    expect(await master.get('from-clone')).toBe('x');
    expect(await master.get('k')).toEqual(count(7));
    await until(async () => (await clone.get('k')) !== undefined && (await clone.get('k') as { value: bigint }).value === 7n);
    expect(await clone.keys()).toEqual(set(['from-clone', 'k']));
    expect(await clone.get('missing')).toBeUndefined();
  });

  test('putUnique: exactly one of the master and a clone wins a key', async () => {
    const master = await a.attachMaster('u', 'memory');
    await peered();
    const clone = await b.attachClone('u');
    expect(await clone.awaitIdle({ timeout: 20_000 })).toBe(true);
    expect(await clone.putUnique('e', 'first')).toBe(true);
    expect(await clone.putUnique('e', 'second')).toBe(false);
    expect(await master.putUnique('e', 'third')).toBe(false);
    expect(await master.get('e')).toBe('first');
  });

  test('attach rules: a clone next to its master is no_such_master; a second master is master_exists', async () => {
    await a.attachMaster('m', 'memory');
    await expect(a.attachClone('m')).rejects.toMatchObject({ code: 'no_such_master' });
    await peered();
    await until(async () => (await b.peerSubscriptions()).includes('m/<$>/data/master'));
    await expect(b.attachMaster('m', 'memory')).rejects.toBeInstanceOf(BrokerError);
    await expect(b.attachMaster('m', 'memory')).rejects.toMatchObject({ code: 'master_exists' });
  });

  test('store events arrive on the master and on the clone; a refused write is an error event', async () => {
    const eventsA = a.makeSubscriber(storeEventsTopic('ev'));
    const errorsA = a.makeStatusSubscriber();
    const master = await a.attachMaster('ev', 'memory');
    await peered();
    const eventsB = b.makeSubscriber(ReservedTopics.storeEvents);
    const clone = await b.attachClone('ev');
    expect(await clone.awaitIdle({ timeout: 20_000 })).toBe(true);
    await master.put('k', 1n);
    const [, insert] = await eventsA.get();
    expect((insert as unknown[]).slice(0, 5)).toEqual(['insert', 'ev', 'k', 1n, null]);
    const [topic, remoteInsert] = await eventsB.get();
    expect(topic).toBe('<$>/local/data/store-events/ev');
    expect((remoteInsert as unknown[]).slice(0, 4)).toEqual(['insert', 'ev', 'k', 1n]);
    await master.append('k', 'not a string target');
    const err = await errorsA.get();
    expect(isStatus(err)).toBe(false);
    expect((err as BrokerError).code).toBe('type_clash');
    expect(await master.get('k')).toBe(1n);
    expect(new EnumValue('x')).toBeInstanceOf(EnumValue);
  });

  test('a clone that lost its peering to the master resyncs as soon as the peering is back, not at its resync interval', async () => {
    const master = await a.attachMaster('back', 'memory');
    await master.put('before', count(1));
    const port = await a.listen();
    expect(await b.peer('127.0.0.1', port)).toBe(true);
    // An interval far beyond the test's timeout: only the returning peering can start the resync.
    const clone = await b.attachClone('back', { resyncInterval: 3_600_000 });
    expect(await clone.awaitIdle({ timeout: 20_000 })).toBe(true);
    expect(await clone.get('before')).toEqual(count(1));
    expect(await b.unpeer('127.0.0.1', port)).toBe(true);
    await until(async () => (await b.peers()).length === 0 && (await a.peers()).length === 0);
    await master.put('while-away', count(2));
    await master.put('before', count(3));
    expect(await b.peer('127.0.0.1', port)).toBe(true);
    const current = async (key: string): Promise<Data | undefined> => {
      try {
        return await clone.get(key);
      } catch (error) {
        if (error instanceof BrokerError && error.code === 'stale_data') return undefined;
        throw error;
      }
    };
    await until(async () => (await current('while-away')) !== undefined);
    expect(await clone.get('while-away')).toEqual(count(2));
    expect(await clone.get('before')).toEqual(count(3));
  }, 60_000);
});

describe('data stores on one endpoint with virtual time', () => {
  test('an entry expires when the endpoint clock passes its expiry, with an expire event', async () => {
    const ep = new Endpoint({ useRealTime: false });
    try {
      const events = ep.makeSubscriber(storeEventsTopic('t'));
      const m: Store = await ep.attachMaster('t', 'memory');
      await m.put('exp', 1n, { expiry: 300 });
      ep.advanceTime(100);
      expect(await m.get('exp')).toBe(1n);
      ep.advanceTime(500);
      await until(async () => (await m.get('exp')) === undefined);
      const kinds: unknown[] = [];
      while (!kinds.includes('expire')) kinds.push(((await events.get())[1] as unknown[])[0]);
      expect(kinds).toEqual(['insert', 'expire']);
    } finally {
      await ep.shutdown();
    }
  });
});
