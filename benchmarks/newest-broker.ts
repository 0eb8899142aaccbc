/**
 * Throughput beside the newest Broker with Broker's own benchmark tool: the newest
 * Broker's `broker-throughput` (C++) and broker-ts's (`packages/cli`), as server and client
 * in all four pairings, over plain TCP and over Broker's default anonymous TLS. The client
 * publishes conn-log events (`-t 2`) as fast as its publisher's credit allows (`-r 0`);
 * the server counts them and prints its rate once a second. For each pairing: the median
 * of the server's per-second rates in the counted window, and events per CPU-second of
 * both processes together (utime + stime from /proc over the same window); then per side,
 * the client's and the server's CPU per event and the client's events per write system
 * call (`syscw` of /proc/PID/io). Broker's client runs with `--peer-buffer-size=1000000`
 * (see runPair).
 *
 * Then, on Broker's defaults: Broker's client, flat out with its default peer buffer (2,048
 * messages, policy disconnect), into a receiver that starts cold, for `--cutoff-seconds`
 * (default 30; 0 skips it): the newest Broker's server as the reference, then broker-ts's.
 * Broker drops a peer whose buffer overflows (`peer_removed ... backpressure_overflow`);
 * each line says whether that happened, and the check is printed as met when the
 * broker-ts receiver was not cut off (with the reference's outcome beside it: on a
 * loaded machine Broker cuts off its own receiver too).
 *
 * Usage: tsx --conditions=@broker-ts/source benchmarks/newest-broker.ts [--seconds N] [--warmup N] [--cutoff-seconds N] [--cutoff-only] [--tls-only | --plain-only]
 *
 * Finds the newest Broker as the tests do (`BROKER_NEWEST_BUILD` or /work/ref/BROKER_NEWEST.env,
 * see docs/interop.md) and says so and exits when it is absent.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BenchChild } from './baselines/lib/bench-child';
import { median } from './baselines/lib/bench-result';
import { procCpuSeconds, procWriteCalls } from './baselines/lib/proc-cpu';
import { connectWhenListening, findReferenceBroker, freePort } from '../tools/reference-broker';

const CLI_TOOL = join(__dirname, '..', 'packages', 'cli', 'src', 'broker-throughput.ts');

type Side = 'broker' | 'broker-ts';

interface PairResult {
  name: string;
  eventsPerSec: number;
  eventsPerCpuSec: number;
  /** Microseconds of CPU per event of the client alone, and of the server alone. */
  clientUsPerEvent: number;
  serverUsPerEvent: number;
  /** Events per write system call of the client. */
  clientEventsPerWrite: number;
}

function start(side: Side, name: string, args: string[], brokerTool: string): BenchChild {
  if (side === 'broker-ts') return BenchChild.spawnNode(name, CLI_TOOL, args);
  return BenchChild.spawn({ name, command: brokerTool, args });
}

/** A server of either tool, listening on a free port, and the TLS arguments of both sides. */
interface Server {
  srv: BenchChild;
  port: number;
  ssl: string[];
}

/** Starts a server and waits until it listens (killed again when it does not). */
async function startServer(server: Side, tls: boolean, brokerTool: string): Promise<Server> {
  const port = await freePort();
  const ssl = tls ? [] : ['--disable-ssl'];
  const srv = start(server, `${server}-server`, [...ssl, '--verbose', '--server', `127.0.0.1:${port}`], brokerTool);
  try {
    // Broker's tool prints its listening line without flushing stdout: wait for the port.
    if (server === 'broker-ts') await srv.waitForLine(/^listening on /, 60_000);
    else (await connectWhenListening(port)).destroy();
  } catch (e) {
    await srv.kill('SIGKILL');
    throw e;
  }
  return { srv, port, ssl };
}

/** Runs one pairing and measures it. */
async function runPair(server: Side, client: Side, tls: boolean, seconds: number, warmup: number, brokerTool: string): Promise<PairResult> {
  const { srv, port, ssl } = await startServer(server, tls, brokerTool);
  let cli: BenchChild | undefined;
  try {
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
    const [srvCpu0, cliCpu0, cliWrites0] = [procCpuSeconds(srv.pid!), procCpuSeconds(cli.pid!), procWriteCalls(cli.pid!)];
    const rates: number[] = [];
    for (let i = 0; i < seconds; i++) rates.push(Number((await srv.waitForLine(/^rate: (\d+)/, 60_000))[1]));
    const [srvCpu1, cliCpu1, cliWrites1] = [procCpuSeconds(srv.pid!), procCpuSeconds(cli.pid!), procWriteCalls(cli.pid!)];
    const events = rates.reduce((a, b) => a + b, 0);
    const label = (s: Side): string => (s === 'broker' ? 'newest Broker' : 'broker-ts');
    return {
      name: `${label(client)} → ${label(server)} (${tls ? 'default TLS' : 'no SSL'})`,
      eventsPerSec: median(rates),
      eventsPerCpuSec: events / (srvCpu1 - srvCpu0 + cliCpu1 - cliCpu0),
      clientUsPerEvent: ((cliCpu1 - cliCpu0) * 1e6) / events,
      serverUsPerEvent: ((srvCpu1 - srvCpu0) * 1e6) / events,
      clientEventsPerWrite: events / (cliWrites1 - cliWrites0),
    };
  } finally {
    await cli?.kill('SIGKILL');
    await srv.kill('SIGKILL');
  }
}

/** Whether a flat-out Broker client on its defaults cut a cold receiver off, and what it received. */
interface CutoffResult {
  cutOff: boolean;
  /** The status line of the cut-off, if any. */
  status: string | undefined;
  /** Events the server received per second, in order. */
  rates: number[];
}

/** Runs Broker's client with its default peer buffer into a cold server for `seconds`. */
async function runCutoff(server: Side, tls: boolean, seconds: number, brokerTool: string): Promise<CutoffResult> {
  const { srv, port, ssl } = await startServer(server, tls, brokerTool);
  let cli: BenchChild | undefined;
  try {
    cli = start('broker', 'broker-client', [...ssl, '--verbose', '-t', '2', '-r', '0', `127.0.0.1:${port}`], brokerTool);
    let status: string | undefined;
    void cli.waitForLine(/^(?:\*\*\* )?(peer_removed|peer_lost)\(.*$/, (seconds + 10) * 1000).then(
      (m) => (status = m[0]),
      () => undefined,
    );
    // Counted from the first second with events.
    const rates: number[] = [];
    while (rates.length < seconds) {
      const rate = Number((await srv.waitForLine(/^rate: (\d+)/, 60_000))[1]);
      if (rate > 0 || rates.length > 0) rates.push(rate);
      if (status !== undefined) break;
    }
    return { cutOff: status !== undefined, status, rates };
  } finally {
    await cli?.kill('SIGKILL');
    await srv.kill('SIGKILL');
  }
}

function fmt(n: number): string {
  return n >= 1000 ? `${(n / 1000).toFixed(1)} k` : n.toFixed(0);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '8' },
      warmup: { type: 'string', default: '3' },
      'cutoff-seconds': { type: 'string', default: '30' },
      'cutoff-only': { type: 'boolean' },
      'tls-only': { type: 'boolean' },
      'plain-only': { type: 'boolean' },
    },
  });
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
  for (const tls of values['cutoff-only'] === true ? [] : modes) {
    const results: PairResult[] = [];
    for (const [server, client] of [['broker', 'broker'], ['broker-ts', 'broker-ts'], ['broker-ts', 'broker'], ['broker', 'broker-ts']] as Array<[Side, Side]>) {
      results.push(await runPair(server, client, tls, seconds, warmup, tool));
    }
    const base = results[0];
    console.log(`\n${'pairing (client → server)'.padEnd(44)}${'events/s'.padStart(12)}${'events/CPU-s'.padStart(14)}${'x Broker /s'.padStart(13)}${'x Broker /CPU-s'.padStart(17)}`);
    for (const r of results) {
      console.log(`${r.name.padEnd(44)}${fmt(r.eventsPerSec).padStart(12)}${fmt(r.eventsPerCpuSec).padStart(14)}${(r.eventsPerSec / base.eventsPerSec).toFixed(2).padStart(13)}${(r.eventsPerCpuSec / base.eventsPerCpuSec).toFixed(2).padStart(17)}`);
    }
    console.log(`\n${'per side (client → server)'.padEnd(44)}${'client µs/event'.padStart(17)}${'server µs/event'.padStart(17)}${'client events/write'.padStart(21)}`);
    for (const r of results) {
      console.log(`${r.name.padEnd(44)}${r.clientUsPerEvent.toFixed(2).padStart(17)}${r.serverUsPerEvent.toFixed(2).padStart(17)}${r.clientEventsPerWrite.toFixed(1).padStart(21)}`);
    }
  }
  const cutoffSeconds = Number(values['cutoff-seconds']);
  if (cutoffSeconds <= 0) return;
  console.log(`\nnewest Broker's client flat out on its defaults (peer buffer 2,048, disconnect) into a cold server, ${cutoffSeconds} s`);
  for (const tls of modes) {
    const mode = tls ? 'default TLS' : 'no SSL';
    const results: Array<[string, CutoffResult]> = [];
    for (const server of ['broker', 'broker-ts'] as Side[]) {
      const r = await runCutoff(server, tls, cutoffSeconds, tool);
      const name = `newest Broker → ${server === 'broker' ? 'newest Broker' : 'broker-ts'} (${mode})`;
      results.push([name, r]);
      const kept = r.rates.length === 0 ? 0 : median(r.rates);
      console.log(`${name.padEnd(44)}${(r.cutOff ? `cut off after ${r.rates.length} s` : `kept for ${r.rates.length} s`).padEnd(24)}median ${fmt(kept)} events/s${r.status === undefined ? '' : `  [${r.status}]`}`);
    }
    const [, reference] = results[0];
    const [, ours] = results[1];
    console.log(`${ours.cutOff ? 'not met' : 'met    '}  broker-ts receiver not cut off by a flat-out newest Broker on defaults, ${mode}, ${cutoffSeconds} s (reference Broker → Broker: ${reference.cutOff ? 'cut off' : 'not cut off'})`);
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
