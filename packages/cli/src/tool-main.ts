/**
 * How a tool runs as a program: SIGINT and SIGTERM end it cleanly through an abort
 * signal, its status becomes the exit code once stdout is flushed, and an unexpected
 * error exits 1 with its stack on stderr.
 */
import { processOutput, type ToolOutput } from './tool-output';

/** A tool's entry: arguments after the program name, where to write, and a stop signal. */
export type ToolMain = (argv: readonly string[], io: ToolOutput, signal: AbortSignal) => Promise<number>;

/** Runs `main` on the process's arguments and exits with its status. */
export function runAsMain(name: string, main: ToolMain): void {
  const stop = new AbortController();
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => stop.abort());
  // A tool runs until its work is done, even while it only waits for peers (the
  // runtime's own timers do not keep a process alive).
  const keepAlive = setInterval(() => undefined, 1 << 30);
  main(process.argv.slice(2), processOutput, stop.signal).then(
    (status) => {
      clearInterval(keepAlive);
      process.exitCode = status;
      // Leave once stdout is flushed, whatever a library may still hold open.
      process.stdout.write('', () => process.exit(status));
    },
    (error: unknown) => {
      console.error(`${name}: ${(error as Error).stack ?? String(error)}`);
      process.exit(1);
    },
  );
}
