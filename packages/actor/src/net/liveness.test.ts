import { Liveness } from './liveness';
import { NetError } from './net-error';

const options = { handshakeTimeout: 500, heartbeatInterval: 100, missedHeartbeats: 3 };

function reason(verdict: unknown): string {
  return verdict instanceof NetError ? verdict.reason : String(verdict);
}

describe('Liveness', () => {
  test('a connection that never completes its handshake times out', () => {
    const l = new Liveness(options, 1000);
    expect(l.check(1499)).toBe('ok');
    expect(reason(l.check(1500))).toBe('handshake_timeout');
  });

  test('no heartbeats are due while the handshake runs', () => {
    const l = new Liveness(options, 0);
    expect(l.check(400)).toBe('ok');
  });

  test('an idle side sends a heartbeat after one interval', () => {
    const l = new Liveness(options, 0);
    l.established(10);
    expect(l.check(109)).toBe('ok');
    expect(l.check(110)).toBe('send_heartbeat');
    l.sent(110);
    l.received(110);
    expect(l.check(150)).toBe('ok');
  });

  test('a side that keeps sending needs no heartbeat', () => {
    const l = new Liveness(options, 0);
    l.established(0);
    for (let t = 50; t <= 1000; t += 50) {
      l.sent(t);
      l.received(t);
      expect(l.check(t)).toBe('ok');
    }
  });

  test('a peer silent for N intervals is declared dead', () => {
    const l = new Liveness(options, 0);
    l.established(0);
    l.received(100);
    for (let t = 100; t < 400; t += 100) {
      l.sent(t);
      expect(reason(l.check(t))).toBe('ok');
    }
    expect(reason(l.check(399))).not.toBe('heartbeat_timeout');
    expect(reason(l.check(400))).toBe('heartbeat_timeout');
  });

  test('any frame from the peer postpones its death', () => {
    const l = new Liveness(options, 0);
    l.established(0);
    l.received(250);
    expect(reason(l.check(549))).not.toBe('heartbeat_timeout');
    expect(reason(l.check(550))).toBe('heartbeat_timeout');
  });

  test('the check interval is short enough to notice a missed heartbeat in time', () => {
    expect(new Liveness(options, 0).checkInterval).toBe(50);
    expect(new Liveness({ ...options, handshakeTimeout: 20 }, 0).checkInterval).toBe(10);
  });
});

describe('Liveness after this node was blocked', () => {
  test('a check that runs late does not count the stall as the peer’s silence', () => {
    const l = new Liveness(options, 0);
    l.established(0);
    expect(l.check(50)).toBe('ok');
    // The event loop was blocked for 27 s: the check due at 100 runs at 27_000, and the
    // 26.9 s it was late are credited to the peer.
    l.checkRan(27_000, 100);
    expect(l.check(27_000)).not.toBeInstanceOf(NetError);
    // Silence after the stall still counts: the peer must speak within the limit.
    l.checkRan(27_199, 27_150);
    expect(l.check(27_199)).not.toBeInstanceOf(NetError);
    expect(reason(l.check(27_200))).toBe('heartbeat_timeout');
  });

  test('a late check does not time out a handshake either', () => {
    const l = new Liveness(options, 0);
    l.checkRan(10_000, 50);
    expect(l.check(10_000)).toBe('ok');
    expect(reason(l.check(10_450))).toBe('handshake_timeout');
  });

  test('a check late by less than one heartbeat interval changes nothing', () => {
    const l = new Liveness(options, 0);
    l.established(0);
    l.checkRan(300, 250);
    expect(reason(l.check(300))).toBe('heartbeat_timeout');
  });
});
