/**
 * The rows of `latency.ts`, each one run of one ping/pong pair with one message in
 * flight: broker-ts over plain TCP between two processes, broker-ts between the main
 * thread and a worker-thread endpoint, the newest Broker's own `broker-node` ping/pong,
 * and raw Node TCP with cbor-x (the floor for a Node process).
 */
import { join } from 'node:path';

import { BenchChild } from '../baselines/lib/bench-child';
import { findReferenceBroker, connectWhenListening, freePort, startBroker } from '../../tools/reference-broker';
import { formatPingShape, type PingShape } from './ping-message';
import { parseRoundTripLine, ROUND_TRIP_LINE, type RoundTrips, summarizeNanosLines } from './round-trips';

/** What one run measures. */
export interface RunOptions {
  /** Round trips timed. */
  count: number;
  /** Round trips before timing. */
  warmup: number;
  /** Message shape. */
  shape: PingShape;
  /** Echo the children's stderr. */
  verbose: boolean;
}

/** A run's round trips, and the CPU both sides spent per round trip when known. */
export interface RunResult extends RoundTrips {
  /** CPU microseconds (ping + pong, all threads) per round trip, warm-up included. */
  cpuUsPerTrip?: number;
}

/** One latency row. */
export interface LatencySystem {
  /** Display name. */
  name: string;
  /** One run; resolves with its round trips. */
  run(options: RunOptions): Promise<RunResult>;
}

/** Longest a run may take (a stalled round trip fails the run instead of hanging). */
const RUN_TIMEOUT_MS = 600_000;

/** A ping program against an optional pong process, both speaking the control protocol. */
async function pingPong(names: [string, string], scripts: [string, string | undefined], target: (port: number | undefined) => string, o: RunOptions): Promise<RunResult> {
  const pong = scripts[1] === undefined ? undefined : BenchChild.spawnNode(names[1], join(__dirname, scripts[1]), [], o.verbose);
  let ping: BenchChild | undefined;
  try {
    const port = await pong?.ready();
    ping = BenchChild.spawnNode(names[0], join(__dirname, scripts[0]), [target(port), String(o.count), String(o.warmup), formatPingShape(o.shape)], o.verbose);
    await ping.ready(60_000);
    const participants = pong === undefined ? [ping] : [ping, pong];
    const cpu = async (): Promise<number> => (await Promise.all(participants.map((c) => c.cpuSeconds()))).reduce((a, b) => a + b, 0);
    const before = await cpu();
    const trips = parseRoundTripLine(await ping.waitForLine(ROUND_TRIP_LINE, RUN_TIMEOUT_MS));
    return { ...trips, cpuUsPerTrip: ((await cpu()) - before) * 1e6 / (o.count + o.warmup) };
  } finally {
    await Promise.all([ping?.stop(), pong?.stop()]);
  }
}

/** broker-ts, two processes over loopback TCP (`disableSsl: true`). */
export const brokerTsTcp: LatencySystem = {
  name: 'broker-ts ping/pong, TCP, 2 processes',
  run: (o) => pingPong(['bts-ping', 'bts-pong'], ['bts-ping.ts', 'bts-pong.ts'], (port) => `tcp:${port}`, o),
};

/** broker-ts, main thread ↔ worker-thread endpoint (`spawnWorkerEndpoint`, MessagePort). */
export const brokerTsWorker: LatencySystem = {
  name: 'broker-ts ping/pong, main ↔ worker thread',
  run: (o) => pingPong(['bts-ping', ''], ['bts-ping.ts', undefined], () => 'worker', o),
};

/** Raw Node TCP, cbor-x per message, one write per frame. */
export const rawNodeTcp: LatencySystem = {
  name: 'Node raw TCP ping/pong, cbor-x',
  run: (o) => pingPong(['raw-ping', 'raw-pong'], ['raw-ping.ts', 'raw-pong.ts'], (port) => String(port), o),
};

/**
 * The newest Broker's `broker-node --mode=ping/pong` over plain TCP, found as the tests
 * find it (`packages/broker/test/native/reference-broker.ts`).
 * @returns the row, or why it cannot run here
 */
export function newestBroker(): LatencySystem | { reason: string } {
  const found = findReferenceBroker();
  if ('reason' in found) return found;
  const { broker } = found;
  return {
    name: `newest Broker ${broker.version} broker-node ping/pong, TCP`,
    async run(o) {
      if (o.shape.kind !== 'broker-node') throw new Error('broker-node sends its own ping shape only');
      const port = await freePort();
      const topics = '--topics=["/benchmark/ping"]';
      const pong = startBroker(broker.node, ['--mode=pong', topics, '--disable-ssl'], { BROKER_PORT: `${port}/tcp` });
      try {
        (await connectWhenListening(port)).destroy();
        const ping = startBroker(broker.node, [
          '--mode=ping', topics, '--disable-ssl', `--num-messages=${o.warmup + o.count}`, `--payload-size=${o.shape.payloadBytes}`,
          `--peers=[<tcp://127.0.0.1:${port}>]`,
        ]);
        try {
          const [code] = (await Promise.race([
            new Promise((resolve) => ping.child.once('close', (c) => resolve([c]))),
            new Promise((_, reject) => setTimeout(() => reject(new Error('broker-node ping did not finish')), RUN_TIMEOUT_MS).unref()),
          ])) as [number | null];
          if (code !== 0) throw new Error(`broker-node ping exited with ${code}: ${ping.stderr().slice(-500)}`);
          return summarizeNanosLines(ping.stdout(), o.warmup);
        } finally {
          await ping.kill();
        }
      } finally {
        await pong.kill();
      }
    },
  };
}
