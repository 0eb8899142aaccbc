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
