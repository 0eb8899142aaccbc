import { formatRoundTripLine, parseRoundTripLine, ROUND_TRIP_LINE, summarizeNanosLines, summarizeRoundTrips } from './round-trips';

describe('round-trip summaries', () => {
  it('takes nearest-rank quantiles of the sorted samples', () => {
    const samples = Array.from({ length: 100 }, (_, i) => 100 - i); // 100 .. 1, unsorted
    expect(summarizeRoundTrips(samples)).toEqual({ n: 100, median: 50, p90: 90, p99: 99, mean: 50.5 });
    expect(summarizeRoundTrips([7])).toEqual({ n: 1, median: 7, p90: 7, p99: 7, mean: 7 });
    expect(() => summarizeRoundTrips([])).toThrow(RangeError);
  });

  it('prints a line that parses back', () => {
    const r = { n: 3, median: 12.5, p90: 20, p99: 31.25, mean: 15 };
    const match = formatRoundTripLine(r).match(ROUND_TRIP_LINE);
    expect(match).not.toBeNull();
    expect(parseRoundTripLine(match!)).toEqual({ ...r, p99: 31.3 });
  });

  it('reads broker-node ping output in nanoseconds, skipping the warm-up and other lines', () => {
    const out = 'connected\n5000000\n1000\n2000\n3000\nAVG: 2us\n';
    expect(summarizeNanosLines(out, 1)).toEqual({ n: 3, median: 2, p90: 3, p99: 3, mean: 2 });
    expect(() => summarizeNanosLines('nothing\n')).toThrow(RangeError);
  });
});
