/**
 * The broker-ts demo, the README's first command (`npx --yes pnpm@12.4.2 run demo`): a
 * live cluster on localhost built like a Zeek cluster. `--help` lists the flags; the
 * walk-through is docs/cluster.md. The pieces live in `./demo/`:
 *
 * - `layout.ts`: which nodes exist and who peers with whom;
 * - `manager.ts`, `proxy.ts`, `worker.ts`: the roles; `member.ts`: what every non-manager
 *   node does; `node-process.ts`, `worker-thread.ts`: a node in a process, in a thread;
 * - `launcher.ts`: starting and killing processes; `cluster.ts`: the run, step by step;
 * - `view.ts`: the live view; `summary.ts`: the checks at the end.
 *
 * Exit code 0 when every check passed, 1 when one failed, 2 when the run broke down or
 * the command line is bad (as for the package's tools: `error: ...` on stderr).
 */
import { parseDemoArgs } from './demo/args';
import { runCluster } from './demo/cluster';
import { clusterLayout, topologyPicture } from './demo/layout';

/**
 * Runs the demo.
 * @param argv - the command line (`process.argv`)
 * @returns the process exit code: 0 every check passed (or help or the topology was
 *   printed), 1 a check failed, 2 the run broke down or the command line is bad
 */
export async function main(argv: string[] = process.argv): Promise<number> {
  const args = parseDemoArgs(argv);
  if (typeof args === 'number') return args;
  const { options, topology } = args;
  if (topology) {
    process.stdout.write(`${topologyPicture(clusterLayout(options))}\n`);
    return 0;
  }
  process.stdout.write(
    `broker-ts cluster demo: ${options.workers} workers, ${options.proxies} prox${options.proxies === 1 ? 'y' : 'ies'}, ` +
      `${options.durationMs / 1000} s of traffic (--help for the flags, --topology for the picture)\n`,
  );
  try {
    const summary = await runCluster(options, process.stdout);
    return summary.ok ? 0 : 1;
  } catch (e) {
    process.stderr.write(`\ndemo failed: ${e instanceof Error ? e.message : String(e)}\n`);
    return 2;
  }
}

if (require.main === module) void main().then((code) => (process.exitCode = code));
