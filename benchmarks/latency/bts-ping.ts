/**
 * broker-ts latency, timing side: peers with the pong endpoint (a process over plain
 * TCP, or a worker thread it starts with `Endpoint.spawnWorkerEndpoint`), then sends a
 * ping on `/benchmark/ping` and waits on a subscriber of `/benchmark/pong` for its
 * answer before sending the next: one message in flight, as `broker-node --mode=ping`
 * does. After `warmup` round trips it times `count`, prints the round-trip line
 * (`round-trips.ts`) and waits for `stop`. Prints `ready` once the pong endpoint's
 * subscription is known; `sample` answers the round trips done so far.
 * Usage: bts-ping.ts tcp:<port>|worker <count> <warmup> <shape>
 */
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { Endpoint } from '@broker-ts/broker';

import { announceReady, serveControl } from '../baselines/lib/control-server';
import { LATENCY_TOPICS } from '../throughput/latency-topics';
import { quietLogger } from '../throughput/quiet-logger';
import { makePing, parsePingShape, replyId } from './ping-message';
import { RoundTripLog } from './round-trips';

/** Peers with the pong endpoint; returns what to do at the end. */
async function peerWithPong(ep: Endpoint, target: string): Promise<() => Promise<void>> {
  if (target === 'worker') {
    const worker = await ep.spawnWorkerEndpoint(join(__dirname, 'bts-pong-worker.ts'), { name: 'bts-pong-worker' });
    return () => worker.terminate();
  }
  const m = /^tcp:(\d+)$/.exec(target);
  if (!m) throw new Error(`target must be tcp:<port> or worker, got ${target}`);
  if (!(await ep.peer('127.0.0.1', Number(m[1])))) throw new Error(`cannot peer with 127.0.0.1:${m[1]}`);
  return async () => undefined;
}

async function main(): Promise<void> {
  const [target, totalText, warmupText, shapeText] = process.argv.slice(2, 6);
  const [total, warmup] = [Number(totalText), Number(warmupText)];
  const shape = parsePingShape(shapeText);
  const ep = new Endpoint({ name: 'bts-ping', logger: quietLogger(), disableSsl: true });
  const pongs = ep.makeSubscriber(LATENCY_TOPICS.pong);
  const end = await peerWithPong(ep, target);
  while (!(await ep.peerSubscriptions()).includes(LATENCY_TOPICS.ping)) await sleep(10);
  const log = new RoundTripLog(warmup);
  serveControl({
    count: () => log.done,
    onStop: async () => {
      await ep.shutdown();
      await end();
    },
  });
  announceReady();
  for (let id = 0; id < warmup + total; id++) {
    const started = process.hrtime.bigint();
    ep.publish(LATENCY_TOPICS.ping, makePing(shape, id));
    const [, reply] = await pongs.get();
    const elapsed = process.hrtime.bigint() - started;
    if (replyId(shape, reply) !== id) throw new Error(`unexpected reply to ping ${id}: ${String(reply).slice(0, 80)}`);
    log.add(id, elapsed);
  }
  log.print();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
