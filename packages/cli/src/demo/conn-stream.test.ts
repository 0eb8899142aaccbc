import { Count, toString } from '@broker-ts/broker';
import { CLIENT_COUNT, ConnStream, SERVER_COUNT } from './conn-stream';

/** The fields of the next `n` connections that do not depend on the clock. */
function take(seed: string, n: number): string[] {
  const s = new ConnStream(seed);
  return Array.from({ length: n }, () => {
    const c = s.next();
    return `${toString(c.origH)} ${toString(c.respH)} ${c.service} ${c.bytes}`;
  });
}

test('the same seed gives the same connections, another seed others', () => {
  expect(take('worker-1#1', 200)).toEqual(take('worker-1#1', 200));
  expect(take('worker-1#2', 200)).not.toEqual(take('worker-1#1', 200));
});

test('connections come from the local clients to the servers, popular servers far more often', () => {
  const s = new ConnStream('seed');
  const clients = new Set<string>();
  const perServer = new Map<string, number>();
  for (let i = 0; i < 5_000; i++) {
    const c = s.next();
    clients.add(toString(c.origH));
    perServer.set(toString(c.respH), (perServer.get(toString(c.respH)) ?? 0) + 1);
  }
  expect(clients.size).toBe(CLIENT_COUNT);
  expect(perServer.size).toBeLessThanOrEqual(SERVER_COUNT);
  const counts = [...perServer.values()].sort((a, b) => b - a);
  expect(counts[0]).toBeGreaterThan(5 * counts[counts.length - 1]);
});

test('the record has conn.log fields in order: ts, uid, conn id, proto, service, duration, bytes, state', () => {
  const c = new ConnStream('x').next();
  const r = c.record as unknown[];
  expect(r).toHaveLength(9);
  expect(typeof r[1] === 'string' && /^C[0-9A-Za-z]{17}$/.test(r[1])).toBe(true);
  expect(toString((r[2] as never[])[0])).toBe(toString(c.origH));
  expect(r[4]).toBe(c.service);
  expect(Number((r[6] as Count).value) + Number((r[7] as Count).value)).toBe(c.bytes);
});
