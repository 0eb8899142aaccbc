/**
 * NATS baseline: `nats-server` (Debian's 2.9) on a free loopback port, a Node publisher
 * and a Node subscriber (the `nats` npm client), the event cbor-x-encoded per message.
 * The server's CPU, read from /proc, counts with the clients'.
 */
import { join } from 'node:path';

import { DEFAULT_ACK_EVERY, DEFAULT_WINDOW } from '../lib/ack-window-defaults';
import { BenchChild } from '../lib/bench-child';
import { procCpuSeconds } from '../lib/proc-cpu';
import { ThroughputSystem } from '../lib/measure-throughput';

/** Options of {@link natsThroughput}. */
export interface NatsOptions {
  /** Most events in flight (default {@link DEFAULT_WINDOW}). */
  window?: number;
  /** Subscriber acknowledges every this many (default {@link DEFAULT_ACK_EVERY}). */
  ackEvery?: number;
  /** Echo the processes' stderr (default false). */
  verbose?: boolean;
}

/** Publisher → nats-server → subscriber, each its own process, over loopback TCP. */
export function natsThroughput(options: NatsOptions = {}): ThroughputSystem {
  return {
    name: 'NATS 2.9 + nats.js, cbor-x',
    async start() {
      // `-p -1` lets the server pick a free port; it names it in its log.
      const server = BenchChild.spawn({ name: 'nats-server', command: 'nats-server', args: ['-a', '127.0.0.1', '-p', '-1'] });
      const started: BenchChild[] = [server];
      try {
        const m = await server.waitForLine(/Listening for client connections on [\d.]+:(\d+)/, 30_000, 'stderr');
        const port = m[1];
        const subscriber = BenchChild.spawnNode('nats-subscriber', join(__dirname, '..', 'node', 'nats-subscriber.ts'), [port, String(options.ackEvery ?? DEFAULT_ACK_EVERY)], options.verbose);
        started.push(subscriber);
        await subscriber.ready();
        const publisher = BenchChild.spawnNode('nats-publisher', join(__dirname, '..', 'node', 'nats-publisher.ts'), [port, String(options.window ?? DEFAULT_WINDOW)], options.verbose);
        started.push(publisher);
        await publisher.ready();
        const serverCpu = { name: 'nats-server', cpuSeconds: async () => procCpuSeconds(server.pid) };
        return {
          receiver: subscriber,
          others: [publisher, serverCpu],
          stop: async () => {
            await Promise.all([publisher.stop(), subscriber.stop()]);
            await server.kill('SIGTERM');
          },
        };
      } catch (error) {
        await Promise.all(started.map((c) => c.kill('SIGKILL')));
        throw error;
      }
    },
  };
}
