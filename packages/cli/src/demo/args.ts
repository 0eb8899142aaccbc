/**
 * The demo's command line, parsed with commander: `--help` prints the flags, an unknown
 * flag or a bad value is an error (exit code 1) with a message.
 */
import { Command, InvalidArgumentError } from 'commander';
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
 * Parses the demo's arguments. Prints help or an error and exits the process, as a
 * command line does, for `--help` and for bad arguments.
 * @param argv - `process.argv`
 */
export function parseDemoArgs(argv: string[]): DemoArgs {
  const d = DEFAULT_OPTIONS;
  const program = new Command('demo')
    .description('A broker-ts cluster on localhost: a manager, proxies and workers (processes and worker threads) exchange Zeek events and share data stores; one worker is killed and restarted mid-run.')
    .option('-w, --workers <n>', 'number of workers (at least 3)', integer(3), d.workers)
    .option('-p, --proxies <n>', 'number of proxies', integer(1), d.proxies)
    .option('-d, --duration <seconds>', 'how long the workers publish', positive, d.durationMs / 1000)
    .option('-r, --rate <n>', 'connections per second per worker', integer(1), d.rate)
    .option('--topology', 'print who peers with whom, and exit')
    .showHelpAfterError('(--help lists the flags)')
    .allowExcessArguments(false);
  program.parse(argv);
  const o = program.opts<{ workers: number; proxies: number; duration: number; rate: number; topology?: boolean }>();
  return { options: { workers: o.workers, proxies: o.proxies, durationMs: Math.round(o.duration * 1000), rate: o.rate }, topology: o.topology === true };
}
