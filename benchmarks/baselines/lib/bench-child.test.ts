/// <reference types="jest" />
import { BenchChild } from './bench-child';

/** A child that speaks the control protocol from a few lines of plain JS. */
const PROTOCOL_CHILD = `
  let n = 0;
  const tick = setInterval(() => n++, 1);
  console.error('child starting');
  process.stdout.write('ready 1234\\n');
  require('readline').createInterface({ input: process.stdin }).on('line', (l) => {
    if (l === 'sample') process.stdout.write('sample ' + n + '\\n');
    if (l === 'stop') { clearInterval(tick); process.stdout.write('total ' + n + '\\n'); process.exit(0); }
  });
`;

function node(name: string, script: string): BenchChild {
  return BenchChild.spawn({ name, command: process.execPath, args: ['-e', script] });
}

describe('BenchChild', () => {
  it('reads the announced port, samples count and CPU from /proc, and stops the child', async () => {
    const child = node('protocol', PROTOCOL_CHILD);
    expect(await child.ready()).toBe(1234);
    const first = await child.sample();
    expect(first.cpuSeconds).toBeGreaterThan(0);
    const second = await child.sample();
    expect(second.count).toBeGreaterThanOrEqual(first.count);
    await child.stop();
    expect((await child.exited).code).toBe(0);
  });

  it('uses the CPU time a child reports itself', async () => {
    const child = node('self-reporting', `
      process.stdout.write('ready\\n');
      require('readline').createInterface({ input: process.stdin }).on('line', (l) => {
        if (l === 'sample') process.stdout.write('sample 7 2500000\\n');
        if (l === 'stop') process.exit(0);
      });`);
    expect(await child.ready()).toBeUndefined();
    expect(await child.sample()).toEqual({ count: 7, cpuSeconds: 2.5 });
    await child.stop();
  });

  it('rejects a waiter when the child exits first, quoting its last stderr lines', async () => {
    const child = node('crasher', `console.error('something broke'); process.exit(3);`);
    await expect(child.ready()).rejects.toThrow(/crasher exited \(code 3.*\n.*something broke/s);
    expect((await child.exited).code).toBe(3);
  });

  it('times out a waiter and kills a child that ignores stop', async () => {
    const child = node('deaf', `setInterval(() => undefined, 1000); process.stdin.resume();`);
    await expect(child.waitForLine(/^ready/, 100)).rejects.toThrow(/no line matching/);
    await child.stop(200);
    expect((await child.exited).signal).toBe('SIGKILL');
  });

  it('reports a child that exits with an error on stop', async () => {
    const child = node('failing-check', `
      process.stdout.write('ready\\n');
      require('readline').createInterface({ input: process.stdin }).on('line', (l) => {
        if (l === 'stop') { console.error('last event was not the conn event'); process.exit(1); }
      });`);
    await child.ready();
    await expect(child.stop()).rejects.toThrow(/code 1.*\n.*not the conn event/s);
  });
});
