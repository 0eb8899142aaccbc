/**
 * broker-ts round-trip latency, timing side (as `broker14-ping`): peers with the pong
 * process, then sends `[count seq, conn event]` on `/benchmark/ping` and waits for the
 * same sequence number on `/benchmark/pong` before sending the next: one message in
 * flight. After the warm-up it times `count` round trips and prints
 * `latency n=<count> median_us=<m> p99_us=<p> mean_us=<a>`, then waits for `stop`.
 * Prints `ready` once peered; `sample` answers the round trips done so far.
 * Usage: bts-ping.ts <port> <count> <warmup>
 */
import { Endpoint } from '@broker-ts/broker';
import { count, Count } from '@broker-ts/data';
import { makeConnEvent } from '@broker-ts/cli';

import { announceReady, serveControl } from '../baselines/lib/control-server';
import { peeringTransport } from './peering-transport';
import { quietLogger } from './quiet-logger';
import { LATENCY_TOPICS } from './latency-topics';

async function main(): Promise<void> {
  const [port, total, warmup] = process.argv.slice(2, 5).map(Number);
  const ep = new Endpoint({ name: 'bts-ping', logger: quietLogger(), ...peeringTransport() });
  const pongs = ep.makeSubscriber(LATENCY_TOPICS.pong);
  if (!(await ep.peer('127.0.0.1', port))) throw new Error(`cannot peer with 127.0.0.1:${port}`);
  while (!(await ep.peerSubscriptions()).includes(LATENCY_TOPICS.ping)) await new Promise((r) => setTimeout(r, 10));
  let done = 0;
  serveControl({ count: () => done, onStop: () => ep.shutdown() });
  announceReady();
  const samples: number[] = [];
  for (let seq = 0; seq < warmup + total; seq++) {
    const started = process.hrtime.bigint();
    ep.publish(LATENCY_TOPICS.ping, [count(seq), makeConnEvent(seq)]);
    const [, reply] = await pongs.get();
    const echoedSeq = Array.isArray(reply) && reply[0] instanceof Count ? Number(reply[0].value) : -1;
    if (echoedSeq !== seq) throw new Error(`pong ${echoedSeq} for ping ${seq}`);
    if (seq >= warmup) samples.push(Number(process.hrtime.bigint() - started) / 1000);
    done++;
  }
  samples.sort((a, b) => a - b);
  const at = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))];
  const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
  process.stdout.write(`latency n=${samples.length} median_us=${at(0.5).toFixed(1)} p99_us=${at(0.99).toFixed(1)} mean_us=${mean.toFixed(1)}\n`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
