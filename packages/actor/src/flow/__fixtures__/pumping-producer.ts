/**
 * Test actor: on `start`, opens a stream to `to` and pushes the numbers 0..count-1 as fast
 * as the stream takes them (waiting on `ready()` when it refuses), then closes it and
 * resolves `result` with what it observed. `flowing` is called once items have been sent.
 */
import type { ActorContext } from '../../actor-context';
import type { ActorRef } from '../../actor-ref';
import type { Behavior } from '../../behavior';
import type { AnyMessage } from '../../message';
import type { FlowError } from '../flow-error';
import { FlowHost, withFlows, type Stream } from '../flow-host';
import type { SourceOptions } from '../stream-source';

/** What the producer saw. */
export interface ProducerResult {
  error: FlowError | undefined;
  maxBuffered: number;
  sent: number;
  dropped: number;
  pushed: number;
}

/** Start message of the pumping producer. */
export interface StartPumping {
  type: 'start';
  to: ActorRef;
  count: number;
  options: SourceOptions;
}

/** Items pushed per turn before letting other actors (and the sockets) run. */
const CHUNK = 1024;

export function pumpingProducer(ctx: ActorContext<AnyMessage>, result: (r: ProducerResult) => void, flowing?: () => void): Behavior<StartPumping | { type: 'pump' }> {
  const host = new FlowHost(ctx);
  let s: Stream<number>;
  let next = 0;
  let count = 0;
  let maxBuffered = 0;
  const pump = (): void => {
    if (s.state === 'closed') return;
    const end = Math.min(count, next + CHUNK);
    while (next < end) {
      // Under block a refused item is kept and retried; the other policies dealt with it.
      if (!s.push(next) && s.policy === 'block') break;
      next++;
      if (s.buffered > maxBuffered) maxBuffered = s.buffered;
    }
    if (s.sent > 0 && flowing !== undefined) {
      flowing();
      flowing = undefined;
    }
    if (next === count) s.close();
    else if (s.policy !== 'block' || s.freeCapacity > 0) ctx.send(ctx.self, { type: 'pump' });
    else void s.ready().then(() => ctx.self.tell({ type: 'pump' }));
  };
  return withFlows<StartPumping | { type: 'pump' }>(host, {
    start: (m) => {
      count = m.count;
      s = host.open<number>(m.to, m.options);
      void s.done().then((error) => result({ error, maxBuffered, sent: s.sent, dropped: s.dropped, pushed: s.pushed }));
      pump();
    },
    pump,
  });
}
