import { escapeXml, renderThroughputSvg } from './throughput-svg';
import type { ThroughputReport } from './throughput-report';

const report: ThroughputReport = {
  date: '2026-11-29T19:00:00.000Z',
  commit: 'abc1234',
  machine: { cores: 2, loadBefore: [2, 2, 2], loadAfter: [2, 2, 2], node: 'v20.20.2', cborNative: true },
  options: { runs: 3, warmupMs: 3000, measureMs: 10000, latencyCount: 500 },
  rows: [
    { system: 'broker-ts TCP, 2 processes', msgsPerSec: 120_000, msgsPerCpuSec: 125_000 },
    { system: 'Broker 1.4 C++ TCP (no SSL)', msgsPerSec: 100_000, msgsPerCpuSec: 80_000 },
    { system: 'NATS <&> "x"', msgsPerSec: 150_000, msgsPerCpuSec: 150_000 },
    { system: 'broker-ts ping/pong (TCP)', msgsPerSec: 1300, msgsPerCpuSec: 1300, latencyUs: { median: 400, p99: 5000 } },
  ],
  goals: [],
  rss: [],
};

describe('throughput chart', () => {
  it('escapes the five XML specials it can meet in names', () => {
    expect(escapeXml('a<b>&"c"')).toBe('a&lt;b&gt;&amp;&quot;c&quot;');
  });

  it('draws one bar per throughput row in each rate panel and one per latency row, with value labels', () => {
    const svg = renderThroughputSvg(report);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    // 3 throughput rows × 2 panels + 1 latency row + 4 legend squares + the background.
    expect(svg.match(/<rect /g)!.length).toBe(3 * 2 + 1 + 4 + 1);
    expect(svg).toContain('>125.0 k<');
    expect(svg).toContain('>400 µs<');
    expect(svg).toContain('NATS &lt;&amp;&gt; &quot;x&quot;');
    expect(svg).not.toContain('NATS <&>');
  });

  it('a row with failed runs says how many in its label', () => {
    const svg = renderThroughputSvg({ ...report, failures: [{ system: 'NATS <&> "x"', run: 2, error: 'nothing received' }] });
    expect(svg).toContain('NATS &lt;&amp;&gt; &quot;x&quot; [1 run(s) failed]');
  });

  it('marks the goals on the per-CPU-second panel at 7× Broker 1.4, 1.5× NATS', () => {
    const svg = renderThroughputSvg(report);
    expect(svg).toContain('goal: 7× Broker 1.4');
    expect(svg).toContain('goal: 1.5× NATS');
    expect(svg).not.toContain('raw TCP<');
  });
});
