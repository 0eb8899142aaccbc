/**
 * Test wiring of one StreamSource to one StreamSink through two in-memory message queues,
 * standing in for the actor host: messages are delivered one per step, and a source's
 * requested flush runs after the step that requested it (as after an actor turn).
 */
import { FlowError } from '../flow-error';
import type { FlowToSink, FlowToSource } from '../flow-protocol';
import { StreamSink, type SinkOptions } from '../stream-sink';
import { StreamSource, type SourceOptions } from '../stream-source';

export class StreamPair<T> {
  toSink: FlowToSink<string>[] = [];
  toSource: FlowToSource[] = [];
  /** Every message sent, in order, for assertions on the protocol. */
  log: (FlowToSink<string> | FlowToSource)[] = [];
  received: T[] = [];
  completed = false;
  sinkError: FlowError | undefined;
  sourceClosed: (FlowError | undefined)[] = [];
  sinkClosed: (FlowError | undefined)[] = [];
  flushRequested = false;
  now = 0;
  source: StreamSource<T, string>;
  sink: StreamSink<T> | undefined;

  constructor(sourceOptions: SourceOptions = {}, private readonly sinkOptions: SinkOptions = {}, private readonly onItems?: (items: T[], sink: StreamSink<T>) => void) {
    this.source = new StreamSource<T, string>(
      7,
      {
        send: (m) => {
          this.log.push(m);
          this.toSink.push(m);
        },
        scheduleFlush: () => {
          this.flushRequested = true;
        },
        now: () => this.now,
        closed: (e) => this.sourceClosed.push(e),
      },
      sourceOptions,
    );
    this.toSink.push({ type: 'flow.open', psid: 7, source: 'producer', meta: null });
  }

  /** Delivers one queued message (sink side first); returns false when both queues are empty. */
  step(): boolean {
    const m = this.toSink.shift();
    if (m !== undefined) this.deliverToSink(m);
    else {
      const r = this.toSource.shift();
      if (r === undefined) return this.runFlush();
      this.deliverToSource(r);
    }
    this.runFlush();
    return true;
  }

  /** Steps until no message is in flight. */
  run(): void {
    while (this.step());
  }

  /** Batches the sink received, by size. */
  batchSizes(): number[] {
    return this.log.filter((m) => m.type === 'flow.batch').map((m) => (m as { items: unknown[] }).items.length);
  }

  private runFlush(): boolean {
    if (!this.flushRequested) return false;
    this.flushRequested = false;
    this.source.flush();
    return true;
  }

  private deliverToSink(m: FlowToSink<string>): void {
    switch (m.type) {
      case 'flow.open':
        this.sink = new StreamSink<T>(3, m.psid, m.meta, {
          send: (r) => {
            this.log.push(r);
            this.toSource.push(r);
          },
          closed: (e) => this.sinkClosed.push(e),
        }, this.sinkOptions);
        this.sink.accept({
          onItems: (items, sink) => {
            this.received.push(...items);
            this.onItems?.(items, sink);
          },
          onComplete: () => {
            this.completed = true;
          },
          onError: (e) => {
            this.sinkError = e;
          },
        });
        break;
      case 'flow.batch':
        this.sink!.onBatch(m.items as T[]);
        break;
      case 'flow.complete':
        this.sink!.onComplete();
        break;
      case 'flow.abort':
        this.sink!.onAbort(FlowError.fromData(m.error));
        break;
    }
  }

  private deliverToSource(m: FlowToSource): void {
    switch (m.type) {
      case 'flow.accept':
        this.source.onAccept(m.csid, m.credit);
        break;
      case 'flow.demand':
        this.source.onDemand(m.credit);
        break;
      case 'flow.cancel':
        this.source.onCancel(FlowError.fromData(m.error));
        break;
    }
  }
}
