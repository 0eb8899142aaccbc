import type { BenchResult } from '../baselines/lib/bench-result';
import { checkGoals, formatGoals } from './goals';

const rows: BenchResult[] = [
  { system: 'a', msgsPerSec: 100, msgsPerCpuSec: 80 },
  { system: 'b', msgsPerSec: 50, msgsPerCpuSec: 10 },
  { system: 'pa', msgsPerSec: 1, msgsPerCpuSec: 1, latencyUs: { median: 400, p99: 900 } },
  { system: 'pb', msgsPerSec: 1, msgsPerCpuSec: 1, latencyUs: { median: 800, p99: 900 } },
];

describe('throughput goals', () => {
  it('a ratio at or above a >= goal is met, below it is not', () => {
    const [perCpu, perSec] = checkGoals(rows, [
      { name: 'x', subject: 'a', reference: 'b', metric: 'msgsPerCpuSec', direction: '>=', target: 8 },
      { name: 'y', subject: 'a', reference: 'b', metric: 'msgsPerSec', direction: '>=', target: 2.5 },
    ]);
    expect(perCpu).toEqual({ name: 'x', ratio: 8, direction: '>=', target: 8, met: true });
    expect(perSec).toMatchObject({ ratio: 2, met: false });
  });

  it('latency goals compare medians and are met at or below the target', () => {
    const [g] = checkGoals(rows, [{ name: 'rtt', subject: 'pa', reference: 'pb', metric: 'latencyMedian', direction: '<=', target: 1 }]);
    expect(g).toMatchObject({ ratio: 0.5, met: true });
    expect(() => checkGoals(rows, [{ name: 'rtt', subject: 'a', reference: 'pb', metric: 'latencyMedian', direction: '<=', target: 1 }])).toThrow('a has no latency');
  });

  it('a missing row is an error naming it, not a silent pass', () => {
    expect(() => checkGoals(rows, [{ name: 'x', subject: 'zzz', reference: 'b', metric: 'msgsPerSec', direction: '>=', target: 1 }])).toThrow('no row named zzz');
  });

  it('formats one aligned line per goal saying met or NOT met', () => {
    const text = formatGoals(checkGoals(rows, [
      { name: 'short', subject: 'a', reference: 'b', metric: 'msgsPerCpuSec', direction: '>=', target: 7 },
      { name: 'a longer name', subject: 'b', reference: 'a', metric: 'msgsPerCpuSec', direction: '>=', target: 1 },
    ]));
    expect(text.split('\n')).toEqual(['short            8.00  (goal >= 7)  met', 'a longer name    0.13  (goal >= 1)  NOT met']);
  });
});
