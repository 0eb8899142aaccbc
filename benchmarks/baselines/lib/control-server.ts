/**
 * The child side of the benchmark control protocol (see `bench-child.ts`) for Node
 * participants: answers `sample` with the count and `process.cpuUsage()`, and exits on
 * `stop` or end of input.
 */
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

/** Serves the control protocol on stdin/stdout until `stop` or end of input, then exits. */
export function serveControl(handlers: ControlHandlers): void {
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    lines.close();
    try {
      await handlers.onStop?.();
    } finally {
      process.stdout.write(`total ${handlers.count()}\n`, () => process.exit(0));
    }
  };
  lines.on('line', (line) => {
    if (line === 'sample') {
      const cpu = process.cpuUsage();
      process.stdout.write(`sample ${handlers.count()} ${cpu.user + cpu.system}\n`);
    } else if (line === 'stop') {
      void stop();
    }
  });
  lines.on('close', () => void stop());
}
