/**
 * Where a command-line tool writes: report lines to `out`, errors and statuses to
 * `err`. Tools take one so that tests and embedding programs can capture their output.
 */

/** The two output streams of a tool. */
export interface ToolOutput {
  /** A report line (stdout). */
  out(line: string): void;
  /** An error or status line (stderr). */
  err(line: string): void;
}

/** Writes to the process's stdout and stderr. */
export const processOutput: ToolOutput = {
  out: (line) => void process.stdout.write(`${line}\n`),
  err: (line) => void process.stderr.write(`${line}\n`),
};
