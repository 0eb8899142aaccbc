import { ActorError } from './actor-error';
import { PendingRequests, toActorError } from './pending-requests';
import { VirtualClock } from './virtual-clock';

describe('PendingRequests', () => {
  const setup = () => {
    const clock = new VirtualClock();
    const table = new PendingRequests(clock);
    const outcomes: unknown[] = [];
    const add = (owner: { pendingRequests: number } | null, node: string, timeout: number): number =>
      table.add(owner, node, timeout, (v) => outcomes.push(['ok', v]), (e) => outcomes.push(['err', e.code]));
    return { clock, table, outcomes, add };
  };

  test('settles each request once, by response or by timeout', () => {
    const { clock, table, outcomes, add } = setup();
    const r1 = add(null, 'n', 100);
    const r2 = add(null, 'n', 100);
    expect(r1).not.toBe(r2);
    expect(table.settle(r1, true, 'v')).toBe(true);
    expect(table.settle(r1, true, 'again')).toBe(false);
    clock.advance(100);
    expect(table.settle(r2, true, 'late')).toBe(false);
    expect(outcomes).toEqual([['ok', 'v'], ['err', 'request_timeout']]);
    expect(table.size).toBe(0);
    expect(clock.pendingCount).toBe(0);
  });

  test('timeouts of different lengths fire in deadline order from one clock timer at a time', () => {
    const { clock, table, outcomes } = setup();
    const order: string[] = [];
    const add = (name: string, timeout: number): number =>
      table.add(null, 'n', timeout, () => order.push(`${name} ok`), (e) => order.push(`${name} ${e.code}@${clock.now()}`));
    add('long', 300);
    expect(clock.pendingCount).toBe(1);
    clock.advance(50);
    add('short', 100); // due at 150, before the long one at 300
    add('untimed', Infinity);
    const settled = add('settled', 100);
    add('short2', 100);
    expect(clock.pendingCount).toBe(1);
    table.settle(settled, true, 'v');
    clock.advance(99);
    expect(order).toEqual(['settled ok']);
    clock.advance(1);
    expect(order).toEqual(['settled ok', 'short request_timeout@150', 'short2 request_timeout@150']);
    clock.advance(149);
    expect(order).toHaveLength(3);
    clock.advance(1);
    expect(order[3]).toBe('long request_timeout@300');
    expect(table.size).toBe(1); // the untimed one
    expect(clock.pendingCount).toBe(0);
    expect(outcomes).toEqual([]);
  });

  test('requests answered out of order leave no timer and a bounded heap behind', () => {
    const { clock, table } = setup();
    const first = table.add(null, 'n', 1000, () => undefined, () => undefined);
    // 10,000 requests answered at once while the first stays pending: their heap slots
    // are compacted away, and the one timer stays the first's.
    for (let i = 0; i < 10_000; i++) table.settle(table.add(null, 'n', 1000, () => undefined, () => undefined), true, i);
    expect(table.size).toBe(1);
    expect(clock.pendingCount).toBe(1);
    const heap = (table as unknown as { deadlines: { items: unknown[] } }).deadlines;
    expect(heap.items.length).toBeLessThan(1100);
    table.settle(first, true, 'late but in time');
    expect(clock.pendingCount).toBe(0);
    expect(heap.items).toHaveLength(0);
  });

  test('requests with timeouts of many different lengths time out in deadline order', () => {
    const { clock, table } = setup();
    const order: number[] = [];
    // Timeouts 1..500 ms, added in a scrambled order; every third one answered in time.
    const timeouts = Array.from({ length: 500 }, (_, i) => ((i * 7919) % 500) + 1);
    const rids = timeouts.map((t) => table.add(null, 'n', t, () => undefined, () => order.push(t)));
    rids.forEach((rid, i) => {
      if (i % 3 === 0) table.settle(rid, true, i);
    });
    expect(clock.pendingCount).toBe(1);
    clock.advance(500);
    const expected = timeouts.filter((_, i) => i % 3 !== 0).sort((a, b) => a - b);
    expect(order).toEqual(expected);
    expect(table.size).toBe(0);
    expect(clock.pendingCount).toBe(0);
  });

  test('error responses become ActorErrors', () => {
    const { table, outcomes, add } = setup();
    table.settle(add(null, 'n', Infinity), false, new ActorError('mailbox_full'));
    table.settle(add(null, 'n', Infinity), false, new Error('plain'));
    table.settle(add(null, 'n', Infinity), false, 'text');
    expect(outcomes).toEqual([['err', 'mailbox_full'], ['err', 'runtime_error'], ['err', 'runtime_error']]);
    expect(toActorError('x').message).toBe('x');
  });

  test('dropping an owner forgets its requests without settling them; node loss and shutdown reject', () => {
    const { clock, table, outcomes, add } = setup();
    const owner = { pendingRequests: 0 };
    add(owner, 'n', 100);
    add(null, 'lost', Infinity);
    add(null, 'kept', Infinity);
    expect(owner.pendingRequests).toBe(1);
    table.dropOwner(owner);
    expect(owner.pendingRequests).toBe(0);
    clock.advance(1000);
    table.failNodes((n) => n === 'lost');
    expect(outcomes).toEqual([['err', 'unreachable']]);
    table.rejectAll(new ActorError('system_shutdown'));
    expect(outcomes).toEqual([['err', 'unreachable'], ['err', 'system_shutdown']]);
    expect(table.size).toBe(0);
  });
});
