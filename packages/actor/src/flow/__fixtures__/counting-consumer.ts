/**
 * Test actor (also loaded in worker threads): accepts every stream, checks that the items
 * are 0, 1, 2, ... in order, and reports to `report` when the stream ends.
 * With `everyMs`, it consumes one item per `everyMs` (manual credit), like a slow reader.
 */
import type { ActorContext } from '../../actor-context';
import type { ActorRef } from '../../actor-ref';
import type { Behavior } from '../../behavior';
import type { AnyMessage } from '../../message';
import type { FlowError } from '../flow-error';
import { FlowHost, withFlows } from '../flow-host';
import type { StreamSink } from '../stream-sink';

/** What the consumer reports when its stream ends. */
export interface ConsumerReport {
  type: 'report';
  received: number;
  inOrder: boolean;
  completed: boolean;
  error: { code: string; message: string } | null;
  maxBacklog: number;
}

/** Options of the counting consumer. */
export interface CountingConsumerOptions {
  highWatermark?: number;
  everyMs?: number;
  /** Stop the whole thread (worker crash) after this many items. */
  exitAfter?: number;
}

export function countingConsumer(ctx: ActorContext<AnyMessage>, report: ActorRef, options: CountingConsumerOptions = {}): Behavior<AnyMessage> {
  let received = 0;
  let inOrder = true;
  let backlog = 0;
  let maxBacklog = 0;
  let sink: StreamSink<number> | undefined;
  const done = (completed: boolean, error: FlowError | null): void =>
    ctx.send(report, { type: 'report', received, inOrder, completed, error: error === null ? null : { code: error.code, message: error.message }, maxBacklog } satisfies ConsumerReport);
  const manual = options.everyMs !== undefined;
  const host = new FlowHost(ctx, {
    onOpen: () => ({
      highWatermark: options.highWatermark ?? 1024,
      ack: manual ? 'manual' : 'auto',
      onItems: (items: number[], s: StreamSink<number>) => {
        sink = s;
        for (let i = 0; i < items.length; i++) if (items[i] !== received + i) inOrder = false;
        received += items.length;
        if (manual) maxBacklog = Math.max(maxBacklog, (backlog += items.length));
        if (options.exitAfter !== undefined && received >= options.exitAfter) process.exit(3);
      },
      onComplete: () => done(true, null),
      onError: (e: FlowError) => done(false, e),
    }),
  });
  if (manual) ctx.schedule(options.everyMs as number, { type: 'tick' });
  return withFlows(host, {
    tick: () => {
      if (backlog > 0) {
        backlog--;
        sink?.consumed(1);
      }
      ctx.schedule(options.everyMs as number, { type: 'tick' });
    },
  });
}
