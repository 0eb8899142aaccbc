/// <reference types="jest" />
import { median, medianResult } from './bench-result';

describe('bench-result', () => {
  it('takes the middle value, or the mean of the middle two', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(() => median([])).toThrow(RangeError);
  });

  it('combines runs field by field, latency included when present', () => {
    const row = medianResult([
      { system: 's', msgsPerSec: 10, msgsPerCpuSec: 300, latencyUs: { median: 5, p99: 50 } },
      { system: 's', msgsPerSec: 30, msgsPerCpuSec: 100, latencyUs: { median: 7, p99: 70 } },
      { system: 's', msgsPerSec: 20, msgsPerCpuSec: 200, latencyUs: { median: 6, p99: 90 } },
    ]);
    expect(row).toEqual({ system: 's', msgsPerSec: 20, msgsPerCpuSec: 200, latencyUs: { median: 6, p99: 70 } });
    expect(medianResult([{ system: 't', msgsPerSec: 1, msgsPerCpuSec: 2 }]).latencyUs).toBeUndefined();
  });
});
