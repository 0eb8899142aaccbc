import type { Data } from '@broker-ts/data';
import { LocalSubscription } from './local-subscription';
import { LocalTargets } from './local-targets';

function sub(id: number, seesLocal = false): LocalSubscription {
  return new LocalSubscription(id, seesLocal, { freeCapacity: 1, push: (_m: [string, Data]) => true, close: () => {} });
}

describe('LocalTargets', () => {
  test('remote messages go to every matching subscription, local ones to hubs only', () => {
    const t = new LocalTargets();
    const plain = sub(1);
    const hub = sub(2, true);
    t.add(plain, ['/a']);
    t.add(hub, ['/a/b']);
    expect(t.targetsFor('/a/b/c')).toEqual({ remote: [plain, hub], local: [hub] });
    expect(t.targetsFor('/x')).toEqual({ remote: [], local: [] });
  });

  test('internal topics (statuses, errors) reach their subscribers from here', () => {
    const t = new LocalTargets();
    const status = sub(1);
    t.add(status, ['<$>/local/data/statuses']);
    expect(t.targetsFor('<$>/local/data/statuses').local).toEqual([status]);
  });

  test('counts the subscriptions that may take local publications: hubs and internal topics', () => {
    const t = new LocalTargets();
    t.add(sub(1), ['/a']);
    expect(t.localListeners).toBe(0);
    t.add(sub(2, true), ['/a']);
    expect(t.localListeners).toBe(1);
    t.add(sub(3), ['/b']);
    expect(t.setTopics(3, ['/b', '<$>/local/data/statuses'])).toEqual(['/b']);
    expect(t.localListeners).toBe(2);
    expect(t.setTopics(3, ['/c'])).toEqual(['/b', '<$>/local/data/statuses']);
    expect(t.localListeners).toBe(1);
    // The same id added again replaces its entry without counting it twice.
    t.add(sub(2, true), ['/z']);
    expect(t.localListeners).toBe(1);
    t.remove(2);
    t.remove(2);
    expect(t.localListeners).toBe(0);
  });

  test('changing topics or removing a subscription updates cached targets', () => {
    const t = new LocalTargets();
    const s = sub(1);
    t.add(s, ['/a']);
    expect(t.targetsFor('/a').remote).toEqual([s]);
    expect(t.setTopics(1, ['/b'])).toEqual(['/a']);
    expect(t.targetsFor('/a').remote).toEqual([]);
    expect(t.targetsFor('/b').remote).toEqual([s]);
    expect(t.setTopics(9, ['/b'])).toBeUndefined();
    expect(t.remove(1)).toEqual({ sub: s, topics: ['/b'] });
    expect(t.remove(1)).toBeUndefined();
    expect(t.targetsFor('/b').remote).toEqual([]);
  });

  test('counts the facade subscriptions only (the core gives its own negative ids)', () => {
    const t = new LocalTargets();
    t.add(sub(1), ['/a']);
    t.add(sub(-1), ['/a']);
    expect(t.facadeCount).toBe(1);
    expect([...t.subscriptions()].map((s) => s.id)).toEqual([1, -1]);
  });

  test('the cache stays bounded and correct past its limit', () => {
    const t = new LocalTargets();
    const s = sub(1);
    t.add(s, ['/t']);
    for (let i = 0; i < 3000; i++) expect(t.targetsFor(`/t/${i}`).remote).toEqual([s]);
    expect(t.targetsFor('/u').remote).toEqual([]);
  });
});
