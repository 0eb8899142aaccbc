import { Timespan } from '@broker-ts/data';
import { OutboundPeerings } from './outbound-peerings';

/** A table whose established peerings are the ids in `up`. */
function table(up = new Set<string>()): { t: OutboundPeerings; up: Set<string> } {
  return { t: new OutboundPeerings(10_000, (id) => up.has(id)), up };
}

/** Records how a waiter settled (undefined while pending). */
function watch(p: Promise<boolean>): { outcome: boolean | undefined } {
  const w: { outcome: boolean | undefined } = { outcome: undefined };
  void p.then((ok) => {
    w.outcome = ok;
  });
  return w;
}

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('OutboundPeerings', () => {
  test('a first request starts attempt 1 with its handshake timeout; a second joins it', () => {
    const { t } = table();
    const first = t.request('h', 1, 0, undefined);
    expect(first).toEqual({ key: 'h:1', peered: false, step: { key: 'h:1', timer: { kind: 'handshake', attempt: 1, ms: 10_000 }, connect: { attempt: 1, host: 'h', port: 1, via: undefined } } });
    expect(t.request('h', 1, 500, undefined)).toEqual({ key: 'h:1', peered: false, step: undefined });
    expect(t.pending()).toEqual([{ network: { address: 'h', port: 1, retry: Timespan.fromMilliseconds(500) }, reconnecting: false }]);
  });

  test('a linked node is dialed through `via`', () => {
    const { t } = table();
    expect(t.request('w', 0, 0, 'node-w').step?.connect).toEqual({ attempt: 1, host: 'w', port: 0, via: 'node-w' });
  });

  test('success settles the waiters with true, cancels the timer, and a later request sees it up', async () => {
    const { t, up } = table();
    t.request('h', 1, 0, undefined);
    const w = watch(t.wait('h:1'));
    t.reached('h:1', 1, 'B');
    expect(t.handshaking('B')).toEqual({ key: 'h:1', attempt: 1, network: { address: 'h', port: 1, retry: Timespan.fromMilliseconds(0) } });
    t.peered('h:1', 'B');
    up.add('B');
    expect(t.succeeded('h:1')).toEqual({ key: 'h:1', timer: { kind: 'none' }, event: undefined });
    await turn();
    expect(w.outcome).toBe(true);
    expect(t.handshaking('B')).toBeUndefined();
    expect(t.request('h', 1, 0, undefined).peered).toBe(true);
    expect(t.pending()).toEqual([]);
  });

  test('a failure without retry reports the error once, forgets the peering and settles false', async () => {
    const { t } = table();
    t.request('h', 1, 0, undefined);
    const w = watch(t.wait('h:1'));
    expect(t.failed('h:1', 1, 'peer_timeout', 'peering handshake timed out')).toEqual({
      key: 'h:1',
      timer: { kind: 'none' },
      error: { code: 'peer_unavailable', network: { address: 'h', port: 1, retry: Timespan.fromMilliseconds(0) }, message: 'peering handshake timed out', level: 'warn' },
    });
    await turn();
    expect(w.outcome).toBe(false);
    expect(t.pending()).toEqual([]);
    expect(t.attempt('h:1')).toBeUndefined();
  });

  test('failures with a retry interval warn once, then log at debug, and retry; recovery is logged', async () => {
    const { t, up } = table();
    t.request('h', 1, 200, undefined);
    const w = watch(t.wait('h:1'));
    const f1 = t.failed('h:1', 1, 'peer_unavailable', 'refused');
    expect(f1).toMatchObject({ timer: { kind: 'retry', ms: 200 }, error: { code: 'peer_unavailable', message: 'refused (retrying every 200 ms)', level: 'warn' } });
    expect(t.attempt('h:1')).toMatchObject({ timer: { kind: 'handshake', attempt: 2 }, connect: { attempt: 2 } });
    // The first attempt's late continuations are ignored.
    expect(t.isCurrent('h:1', 1)).toBe(false);
    expect(t.failed('h:1', 1, 'peer_unavailable', 'late')).toBeUndefined();
    expect(t.failed('h:1', 2, 'peer_unavailable', 'refused')).toMatchObject({ error: { level: 'debug' } });
    t.attempt('h:1');
    t.peered('h:1', 'B');
    up.add('B');
    expect(t.succeeded('h:1').event).toBe('recovered');
    await turn();
    expect(w.outcome).toBe(true);
    // Once up, a late failure of the same attempt changes nothing.
    expect(t.failed('h:1', 3, 'peer_unavailable', 'late')).toBeUndefined();
  });

  test('a lost peer is reconnected after retryMs when asked, and forgotten otherwise', () => {
    const { t, up } = table();
    t.request('h', 1, 100, undefined);
    t.peered('h:1', 'B');
    up.add('B');
    t.succeeded('h:1');
    up.delete('B');
    expect(t.peerEnded('h:1', true)).toEqual({ key: 'h:1', timer: { kind: 'retry', ms: 100 }, event: 'reconnecting' });
    expect(t.pending()).toEqual([{ network: { address: 'h', port: 1, retry: Timespan.fromMilliseconds(100) }, reconnecting: true }]);
    expect(t.peerEnded('h:1', false)).toEqual({ key: 'h:1', timer: { kind: 'none' } });
    expect(t.pending()).toEqual([]);
    expect(t.peerEnded('h:1', true)).toBeUndefined();
  });

  test('a peering without retry interval is forgotten when its peer is lost', () => {
    const { t } = table();
    t.request('h', 1, 0, undefined);
    expect(t.peerEnded('h:1', true)).toEqual({ key: 'h:1', timer: { kind: 'none' } });
  });

  test('remove (unpeer) settles the waiters with false; an unknown key gives undefined', async () => {
    const { t } = table();
    t.request('h', 1, 100, undefined);
    const w = watch(t.wait('h:1'));
    expect(t.remove('h:1')).toEqual({ key: 'h:1', timer: { kind: 'none' } });
    expect(t.remove('h:1')).toBeUndefined();
    await turn();
    expect(w.outcome).toBe(false);
    expect(await t.wait('h:1')).toBe(false);
  });

  test('after stop: waiters hear false, no attempt starts, failures and lost peers are not retried', async () => {
    const { t } = table();
    t.request('a', 1, 100, undefined);
    t.request('b', 2, 100, undefined);
    const w = watch(t.wait('a:1'));
    expect(t.stop()).toEqual(['a:1', 'b:2']);
    await turn();
    expect(w.outcome).toBe(false);
    expect(t.attempt('a:1')).toBeUndefined();
    expect(t.failed('a:1', 1, 'peer_unavailable', 'refused')).toMatchObject({ timer: { kind: 'none' }, error: { message: 'refused' } });
    expect(t.peerEnded('b:2', true)).toEqual({ key: 'b:2', timer: { kind: 'none' } });
  });
});
