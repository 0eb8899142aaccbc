/**
 * The demo's command line, parsed with commander: `--help` prints the flags; an unknown
 * flag, a bad or missing value or an extra argument is a usage error (`error: ...` and a
 * pointer to `--help` on stderr, exit code 2), as for the package's tools.
 */
import { Command, CommanderError, InvalidArgumentError } from 'commander';

import { USAGE_EXIT } from '../tool-options';
import { DEFAULT_OPTIONS, type DemoOptions } from './layout';

/** The parsed command line. */
export interface DemoArgs {
  /** The run's options. */
  options: DemoOptions;
  /** Print the topology and exit. */
  topology: boolean;
}

/** A parser of integers of at least `min`, for commander. */
function integer(min: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`expected an integer of at least ${min}`);
    return n;
  };
}

/** A parser of positive numbers, for commander. */
function positive(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a positive number');
  return n;
}

/**
 * Parses the demo's arguments. Help goes to stdout; a usage error (`error: ...` and the
 * pointer to `--help`) goes to stderr. Neither exits the process: the caller does, with
 * the status returned.
 * @param argv - `process.argv`
 * @returns the parsed command line, or the exit status after printing the help (0) or a
 *   usage error (2)
 */
export function parseDemoArgs(argv: string[]): DemoArgs | number {
  const d = DEFAULT_OPTIONS;
  const program = new Command('demo')
    .description('A broker-ts cluster on localhost: a manager, proxies and workers (processes and worker threads) exchange Zeek events and share data stores; one worker is killed and restarted mid-run.')
    .option('-w, --workers <n>', 'number of workers (at least 3)', integer(3), d.workers)
    .option('-p, --proxies <n>', 'number of proxies', integer(1), d.proxies)
    .option('-d, --duration <seconds>', 'how long the workers publish', positive, d.durationMs / 1000)
    .option('-r, --rate <n>', 'connections per second per worker', integer(1), d.rate)
    .option('--topology', 'print who peers with whom, and exit')
    .showHelpAfterError('(--help lists the flags)')
    .allowExcessArguments(false)
    // Commander would exit the process itself (status 1 on an error); it throws instead.
    .exitOverride();
  try {
    program.parse(argv);
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    return error.code === 'commander.helpDisplayed' || error.code === 'commander.help' || error.code === 'commander.version' ? 0 : USAGE_EXIT;
  }
  const o = program.opts<{ workers: number; proxies: number; duration: number; rate: number; topology?: boolean }>();
  return { options: { workers: o.workers, proxies: o.proxies, durationMs: Math.round(o.duration * 1000), rate: o.rate }, topology: o.topology === true };
}
