import { procRssBytes, RssTracker } from './rss-tracker';

describe('RssTracker', () => {
  it("reads a live process's resident memory from /proc", () => {
    const rss = procRssBytes(process.pid);
    // Within a factor of two of what Node itself reports (they are read at different instants).
    expect(rss).toBeGreaterThan(process.memoryUsage().rss / 2);
    expect(rss).toBeLessThan(process.memoryUsage().rss * 2);
  });

  it('reports start, end and max of the window between its two marks, and nothing before the second', () => {
    const tracker = new RssTracker(process.pid);
    try {
      tracker.mark();
      expect(tracker.result()).toBeUndefined();
      tracker.mark();
      const r = tracker.result()!;
      expect(r.startMiB).toBeGreaterThan(1);
      expect(r.endMiB).toBeGreaterThan(1);
      expect(r.maxMiB).toBe(Math.max(r.startMiB, r.endMiB));
      tracker.mark();
      expect(tracker.result()).toBe(r);
    } finally {
      tracker.stop();
    }
  });

  it('a process that is gone reads as 0 instead of throwing mid-run', () => {
    expect(() => procRssBytes(2 ** 22 + 12345)).toThrow();
    const tracker = new RssTracker(2 ** 22 + 12345);
    tracker.mark();
    tracker.mark();
    expect(tracker.result()).toEqual({ startMiB: 0, endMiB: 0, maxMiB: 0 });
    tracker.stop();
  });
});
