/**
 * The server of `broker-throughput`: counts the events clients publish on
 * `/benchmark/events`, prints the rate once per second and publishes Broker 1.4's
 * `stats_update` on `/benchmark/stats`; with `maxReceived`, publishes `quit_benchmark`
 * on `/benchmark/terminate` once it has that many and exits.
 */
import { Endpoint, parseZeekMessage } from '@broker-ts/broker';
import type { Data } from '@broker-ts/data';

import type { MetricsServer } from './metrics-server';
import { startToolMetrics } from './tool-endpoint';
import { watchStatuses } from './watch-statuses';
import { toolLogger } from './tool-logger';
import { BENCHMARK_TOPICS, eventCount, makeQuitBenchmark, makeStatsUpdate } from './throughput-protocol';
import type { ThroughputServerOptions } from './throughput-options';
import type { ToolOutput } from './tool-output';

/** What the last message received was, for the final line: `event_2 with 18 args`. */
function describeLast(value: Data | undefined): string {
  if (value === undefined) return 'none';
  try {
    const msg = parseZeekMessage(value);
    if (msg.kind === 'event') return `${msg.name} with ${msg.args.length} args`;
    return `a Zeek ${msg.kind} message`;
  } catch {
    return 'not a Zeek message';
  }
}

/**
 * Runs the server until it has received `options.maxReceived` events or `signal` aborts.
 * Prints `listening on <host>:<port>` once bound, `rate: <N> events/s total=<M>` every
 * second and `received <M> events (last: ...)` at the end.
 * @returns the exit status: 0 done, 1 when the address cannot be bound
 */
export async function runThroughputServer(options: ThroughputServerOptions, io: ToolOutput, signal?: AbortSignal): Promise<number> {
  const ep = new Endpoint({ name: 'broker-throughput-server', disableSsl: options.disableSsl, ssl: options.ssl, logger: toolLogger(options.verbose) });
  const statuses = options.verbose ? watchStatuses(ep, io, { verbose: true }) : undefined;
  let total = 0;
  let sinceLast = 0;
  let last: Data | undefined;
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  ep.subscribe(BENCHMARK_TOPICS.events, (_topic, value) => {
    const n = eventCount(value);
    total += n;
    sinceLast += n;
    last = value;
    if (options.maxReceived !== undefined && total >= options.maxReceived) finish();
  });
  const onAbort = (): void => finish();
  signal?.addEventListener('abort', onAbort);
  let timer: NodeJS.Timeout | undefined;
  let metrics: MetricsServer | undefined;
  try {
    if (options.metricsPort !== undefined) {
      metrics = await startToolMetrics({ endpoint: ep, port: options.metricsPort }, 'broker-throughput', io);
      if (metrics === undefined) return 1;
    }
    const host = options.host === '' ? '0.0.0.0' : options.host;
    let port: number;
    try {
      port = await ep.listen(host, options.port);
    } catch (error) {
      io.err(`broker-throughput: cannot listen on ${host}:${options.port}: ${(error as Error).message}`);
      return 1;
    }
    io.out(`listening on ${host}:${port}`);
    let lastTick = process.hrtime.bigint();
    timer = setInterval(() => {
      const now = process.hrtime.bigint();
      const intervalNs = now - lastTick;
      lastTick = now;
      const received = sinceLast;
      sinceLast = 0;
      ep.publish(BENCHMARK_TOPICS.stats, makeStatsUpdate({ at: BigInt(Date.now()) * 1_000_000n, intervalNs, received }));
      io.out(`rate: ${Math.round((received * 1e9) / Number(intervalNs))} events/s total=${total}`);
    }, 1000);
    await finished;
    if (options.maxReceived !== undefined && total >= options.maxReceived) ep.publish(BENCHMARK_TOPICS.terminate, makeQuitBenchmark());
    io.out(`received ${total} events (last: ${describeLast(last)})`);
    return 0;
  } finally {
    await metrics?.close();
    clearInterval(timer);
    signal?.removeEventListener('abort', onAbort);
    // Delivers the quit message before saying goodbye to the clients.
    await ep.shutdown();
    await statuses;
  }
}
