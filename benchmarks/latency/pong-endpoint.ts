/**
 * The echoing side of the broker-ts latency rows, shared by the pong process and the
 * pong worker: answers every ping on `/benchmark/ping` with its reply on
 * `/benchmark/pong` from a subscription callback, the way `broker-node --mode=pong`
 * answers from its subscriber loop.
 */
import { Endpoint } from '@broker-ts/broker';

import { LATENCY_TOPICS } from '../throughput/latency-topics';
import { quietLogger } from '../throughput/quiet-logger';
import { answerPing } from './ping-message';

/** A plain-TCP endpoint (`disableSsl: true`) that answers pings; `answered()` counts them. */
export function startPongEndpoint(name: string): { ep: Endpoint; answered(): number } {
  const ep = new Endpoint({ name, logger: quietLogger(), disableSsl: true });
  let answered = 0;
  ep.subscribe(LATENCY_TOPICS.ping, (_topic, value) => {
    ep.publish(LATENCY_TOPICS.pong, answerPing(value));
    answered++;
  });
  return { ep, answered: () => answered };
}
