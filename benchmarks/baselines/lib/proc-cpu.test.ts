/// <reference types="jest" />
import { clockTicksPerSecond, parseProcStatCpuTicks, procCpuSeconds } from './proc-cpu';

describe('proc-cpu', () => {
  const line = (comm: string) => `4242 (${comm}) S 1 4242 4242 0 -1 4194560 1000 0 0 0 250 75 0 0 20 0 9 0 12345 1000000 500 ` + '0 '.repeat(30);

  it('sums utime and stime from a stat line', () => {
    expect(parseProcStatCpuTicks(line('node'))).toBe(325);
  });

  it('counts fields after the last parenthesis when the command name has spaces and parentheses', () => {
    expect(parseProcStatCpuTicks(line('we ird) (x'))).toBe(325);
  });

  it('rejects text that is not a stat line', () => {
    expect(() => parseProcStatCpuTicks('garbage')).toThrow(/not a \/proc stat line/);
    expect(() => parseProcStatCpuTicks('1 (x) S 1 2')).toThrow(/not a \/proc stat line/);
  });

  it('reads this process and agrees with process.cpuUsage() within a few ticks', () => {
    const end = Date.now() + 200;
    let spin = 0;
    while (Date.now() < end) spin++;
    const fromProc = procCpuSeconds(process.pid);
    const usage = process.cpuUsage();
    const fromNode = (usage.user + usage.system) / 1e6;
    expect(spin).toBeGreaterThan(0);
    expect(Math.abs(fromProc - fromNode)).toBeLessThan(5 / clockTicksPerSecond() + 0.05);
  });

  it('throws for a process that does not exist', () => {
    expect(() => procCpuSeconds(2 ** 30)).toThrow();
  });
});
