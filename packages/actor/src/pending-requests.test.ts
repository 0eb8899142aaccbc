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
