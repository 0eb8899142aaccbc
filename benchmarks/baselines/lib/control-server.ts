/**
 * The child side of the benchmark control protocol (see `bench-child.ts`) for Node
 * participants: answers `sample` with the count and `process.cpuUsage()`, `memory` with
 * `process.memoryUsage()` and the size of V8's young generation, and exits on `stop` or end of input.
 */
import { getHeapSpaceStatistics } from 'node:v8';
import { createInterface } from 'node:readline';

/** What a Node participant tells the runner. */
export interface ControlHandlers {
  /** Messages received or sent so far. */
  count(): number;
  /** Called once before exiting on `stop` (close sockets, workers). */
  onStop?(): void | Promise<void>;
}

/** Prints `ready` (with the port a listener bound, if any): the runner may now measure. */
export function announceReady(port?: number): void {
  process.stdout.write(port === undefined ? 'ready\n' : `ready ${port}\n`);
}

/**
 * Serves the control protocol on stdin/stdout until `stop` or end of input, then exits
 * (status 1 if `onStop` throws).
 */
export function serveControl(handlers: ControlHandlers): void {
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    lines.close();
    let status = 0;
    try {
      await handlers.onStop?.();
    } catch (error) {
      // A failed final check (e.g. the last event did not decode to the conn event)
      // must fail the run, not pass as throughput.
      console.error(error);
      status = 1;
    }
    process.stdout.write(`total ${handlers.count()}\n`, () => process.exit(status));
  };
  lines.on('line', (line) => {
    if (line === 'sample') {
      const cpu = process.cpuUsage();
      process.stdout.write(`sample ${handlers.count()} ${cpu.user + cpu.system}\n`);
    } else if (line === 'memory') {
      const m = process.memoryUsage();
      // The young generation's reserved size: V8 grows it under sustained allocation.
      const young = getHeapSpaceStatistics().find((x) => x.space_name === 'new_space')?.space_size ?? 0;
      process.stdout.write(`memory ${m.rss} ${m.heapTotal} ${m.heapUsed} ${m.external} ${m.arrayBuffers} ${young}\n`);
    } else if (line === 'stop') {
      void stop();
    }
  });
  lines.on('close', () => void stop());
}
