/**
 * Waiting for a publisher to hand its last messages to the endpoint before a tool shuts
 * the endpoint down.
 */
import { setTimeout as sleep } from 'node:timers/promises';

import type { Publisher } from '@broker-ts/broker';

/**
 * Waits until the publisher's buffer is empty. Messages in it were accepted by
 * `publish()`, but the endpoint passes them on only while a peer has room, and an
 * endpoint that shuts down sends what its peers' buffers hold, not what still waits in
 * a publisher: a tool that stops before this point loses up to a publisher's capacity.
 * @param timeoutMs - how long to wait at most
 * @returns the messages still buffered when the wait ended (0 unless it timed out)
 */
export async function drainPublisher(pub: Publisher, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (pub.buffered > 0 && Date.now() < deadline) await sleep(5);
  return pub.buffered;
}
