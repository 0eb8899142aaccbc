/**
 * Throughput beside the newest Broker with Broker's own benchmark tool: the newest
 * Broker's `broker-throughput` (C++) and broker-ts's (`packages/cli`), as server and client
 * in all four pairings, over plain TCP and over Broker's default anonymous TLS. The client
 * publishes conn-log events (`-t 2`) as fast as its publisher's credit allows (`-r 0`);
 * the server counts them and prints its rate once a second. For each pairing: the median
 * of the server's per-second rates in the counted window, and events per CPU-second of
 * both processes together (utime + stime from /proc over the same window). Broker's
 * client runs with `--peer-buffer-size=1000000` (see runPair).
 *
 * Usage: tsx --conditions=@broker-ts/source benchmarks/newest-broker.ts [--seconds N] [--warmup N] [--tls-only | --plain-only]
 *
 * Finds the newest Broker as the tests do (`BROKER_NEWEST_BUILD` or /work/ref/BROKER_NEWEST.env,
 * see docs/interop.md) and says so and exits when it is absent.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BenchChild } from './baselines/lib/bench-child';
import { median } from './baselines/lib/bench-result';
import { procCpuSeconds } from './baselines/lib/proc-cpu';
import { connectWhenListening, findReferenceBroker, freePort } from '../tools/reference-broker';

const CLI_TOOL = join(__dirname, '..', 'packages', 'cli', 'src', 'broker-throughput.ts');

type Side = 'broker' | 'broker-ts';

interface PairResult {
  name: string;
  eventsPerSec: number;
  eventsPerCpuSec: number;
}

function start(side: Side, name: string, args: string[], brokerTool: string): BenchChild {
  if (side === 'broker-ts') return BenchChild.spawnNode(name, CLI_TOOL, args);
  return BenchChild.spawn({ name, command: brokerTool, args });
}

/** Runs one pairing and measures it. */
async function runPair(server: Side, client: Side, tls: boolean, seconds: number, warmup: number, brokerTool: string): Promise<PairResult> {
  const port = await freePort();
  const ssl = tls ? [] : ['--disable-ssl'];
  const srv = start(server, `${server}-server`, [...ssl, '--verbose', '--server', `127.0.0.1:${port}`], brokerTool);
  let cli: BenchChild | undefined;
  try {
    // Broker's tool prints its listening line without flushing stdout: wait for the port.
    if (server === 'broker-ts') await srv.waitForLine(/^listening on /, 60_000);
    else (await connectWhenListening(port)).destroy();
    // Broker's client gets a larger peer buffer: with its default (2,048 messages,
    // disconnect) a flat-out sender cuts off any receiver that falls behind for a moment,
    // a Node process whose JIT is still cold included; the row is to measure the rate a
    // receiver sustains. broker-ts's client waits for its peer's credit instead.
    const clientArgs = client === 'broker' ? ['--peer-buffer-size=1000000'] : [];
    cli = start(client, `${client}-client`, [...ssl, ...clientArgs, '-t', '2', '-r', '0', `127.0.0.1:${port}`], brokerTool);
    // Warm-up: the first rate lines after events started to arrive.
    let seen = 0;
    while (seen < warmup) {
      const m = await srv.waitForLine(/^rate: (\d+)/, 60_000);
      if (Number(m[1]) > 0) seen++;
    }
    const pids = [srv.pid!, cli.pid!];
    const cpu0 = pids.reduce((sum, pid) => sum + procCpuSeconds(pid), 0);
    const rates: number[] = [];
    for (let i = 0; i < seconds; i++) rates.push(Number((await srv.waitForLine(/^rate: (\d+)/, 60_000))[1]));
    const cpu1 = pids.reduce((sum, pid) => sum + procCpuSeconds(pid), 0);
    const events = rates.reduce((a, b) => a + b, 0);
    const label = (s: Side): string => (s === 'broker' ? 'newest Broker' : 'broker-ts');
    return {
      name: `${label(client)} → ${label(server)} (${tls ? 'default TLS' : 'no SSL'})`,
      eventsPerSec: median(rates),
      eventsPerCpuSec: events / (cpu1 - cpu0),
    };
  } finally {
    await cli?.kill('SIGKILL');
    await srv.kill('SIGKILL');
  }
}

function fmt(n: number): string {
  return n >= 1000 ? `${(n / 1000).toFixed(1)} k` : n.toFixed(0);
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { seconds: { type: 'string', default: '8' }, warmup: { type: 'string', default: '3' }, 'tls-only': { type: 'boolean' }, 'plain-only': { type: 'boolean' } } });
  const found = findReferenceBroker();
  if ('reason' in found) {
    console.log(`skipped: no newest Broker here: ${found.reason}`);
    return;
  }
  const tool = found.broker.throughput;
  const seconds = Number(values.seconds);
  const warmup = Number(values.warmup);
  console.log(`newest Broker ${found.broker.version} (${found.broker.commit.slice(0, 8)}), ${seconds} s counted after ${warmup} s of events`);
  const modes = values['tls-only'] ? [true] : values['plain-only'] ? [false] : [false, true];
  for (const tls of modes) {
    const results: PairResult[] = [];
    for (const [server, client] of [['broker', 'broker'], ['broker-ts', 'broker-ts'], ['broker-ts', 'broker'], ['broker', 'broker-ts']] as Array<[Side, Side]>) {
      results.push(await runPair(server, client, tls, seconds, warmup, tool));
    }
    const base = results[0];
    console.log(`\n${'pairing (client → server)'.padEnd(44)}${'events/s'.padStart(12)}${'events/CPU-s'.padStart(14)}${'x Broker /s'.padStart(13)}${'x Broker /CPU-s'.padStart(17)}`);
    for (const r of results) {
      console.log(`${r.name.padEnd(44)}${fmt(r.eventsPerSec).padStart(12)}${fmt(r.eventsPerCpuSec).padStart(14)}${(r.eventsPerSec / base.eventsPerSec).toFixed(2).padStart(13)}${(r.eventsPerCpuSec / base.eventsPerCpuSec).toFixed(2).padStart(17)}`);
    }
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
