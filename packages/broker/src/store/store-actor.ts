/**
 * The actor hosting a data store master or clone on an endpoint's runtime. It feeds the
 * state machine (`MasterState` / `CloneState`) with the store channel messages the core
 * delivers, ticks it every 100 ms on the endpoint clock, answers the frontend's writes and
 * queries, and carries out its outputs: store events and errors published locally, store
 * protocol messages published to peers.
 */
import { Actor, type ActorContext, type ActorRef, type Behavior, type Cancellable, type ResponsePromise } from '@broker-ts/actor';
import { BrokerError, type Data, Timestamp } from '@broker-ts/data';
import type { CoreCommand } from '../endpoint-core';
import { cloneTopic, masterTopic, storeEventsTopic, Topics } from '../topic';
import type { Backend } from './backend';
import { STORE_TICK_INTERVAL_MS } from './channel';
import type { ActorSink, InboundMessage } from './actor-sink';
import { dropIncomingStoreMessage } from './store-fault-injection';
import { CloneState, type EntityId, MasterState, type QueryResult, type StoreQuery, type WriteCommand, type WriteOutcome, writeCommands } from './state';

/** What a store actor hosts. */
export type StoreSpec =
  | { kind: 'master'; name: string; backend: Backend }
  | { kind: 'clone'; name: string; resyncInterval: number; staleInterval: number; mutationBufferInterval: number };

/** Messages of the store frontend (the `Store` facade) to its actor. */
export type StoreCommand =
  | { type: 'store.write'; cmd: WriteCommand }
  | { type: 'store.put-unique'; key: Data; value: Data; expiry: number | null; publisher: EntityId }
  | { type: 'store.query'; q: StoreQuery }
  | { type: 'store.await-idle'; timeoutMs: number }
  | { type: 'store.close' }
  /** From the core: a direct peer is gone (a clone whose master lived there lost it). */
  | { type: 'store.peer-lost'; peer: string };

type StoreMessage = StoreCommand | InboundMessage | { type: 'store.tick' } | { type: 'store.flush' };

/**
 * Most protocol messages sent to peers in one store payload. Messages produced while the
 * actor works through its mailbox go out together, so that a burst of writes takes a few
 * slots of a peer's bounded buffer instead of one each (a burst of thousands of writes
 * would otherwise overflow it and disconnect the peer).
 */
export const STORE_BATCH_LIMIT = 256;

/** One `awaitIdle` caller. */
interface IdleWaiter {
  rp: ResponsePromise<boolean>;
  timer: Cancellable;
}

/** Converts the endpoint's wall-clock milliseconds into a Broker timestamp. */
function timestampOf(ms: number): Timestamp {
  return new Timestamp(BigInt(Math.round(ms * 1000)) * 1000n);
}

/** Hosts one store master or clone. */
export class StoreActor extends Actor<StoreMessage> {
  /** The state machine (master or clone). */
  private readonly state: MasterState | CloneState;
  /** putUnique calls of a clone waiting for the master's answer, by request id. */
  private readonly putUniques = new Map<number, ResponsePromise<boolean>>();
  private nextRequestId = 1;
  /** awaitIdle callers, answered at the next tick that finds the store idle. */
  private idleWaiters: IdleWaiter[] = [];
  private closed = false;
  /** The topic this actor's protocol messages go to (the master's: clones; a clone's: the master). */
  private readonly outTopic: string;
  /** Protocol messages not yet handed to the core; at most {@link STORE_BATCH_LIMIT}. */
  private outbox: unknown[] = [];
  /** Whether a `store.flush` is queued behind the messages in the mailbox. */
  private flushQueued = false;

  /**
   * @param spec - master (with its backend) or clone (with its intervals)
   * @param core - the endpoint's core actor
   * @param sink - the subscription sink through which the core feeds this actor
   * @param wallNow - the endpoint's wall clock in ms since the epoch
   */
  constructor(
    ctx: ActorContext<StoreMessage>,
    private readonly spec: StoreSpec,
    private readonly core: ActorRef<CoreCommand>,
    private readonly sink: ActorSink,
    private readonly wallNow: () => number,
  ) {
    super(ctx);
    const name = spec.name;
    const id: EntityId = { endpoint: ctx.system.nodeId, object: ctx.self.id };
    const common = {
      event: (ev: Data) => core.tell({ type: 'publish', topic: storeEventsTopic(name), value: ev }),
      error: (err: BrokerError) => {
        ctx.log.info({ event: 'store-error', store: name, code: err.code }, err.message);
        core.tell({ type: 'publish', topic: Topics.errors, value: err.toData() });
      },
    };
    this.outTopic = spec.kind === 'master' ? cloneTopic(name) : masterTopic(name);
    const now = this.now();
    if (spec.kind === 'master') {
      this.state = new MasterState({
        name,
        id,
        backend: spec.backend,
        now,
        callbacks: { ...common, send: (msg) => this.send(msg) },
      });
    } else {
      this.state = new CloneState({
        name,
        id,
        now,
        resyncInterval: spec.resyncInterval,
        staleInterval: spec.staleInterval,
        mutationBufferInterval: spec.mutationBufferInterval,
        callbacks: {
          ...common,
          send: (msg) => this.send(msg),
          putUniqueResult: (requestId, outcome) => this.answerPutUnique(requestId, outcome),
          notice: (n) => ctx.log.info({ event: `clone-${n.kind}`, store: name }, 'clone state changed'),
        },
      });
    }
    ctx.schedule(STORE_TICK_INTERVAL_MS, { type: 'store.tick' });
  }

  private now(): Timestamp {
    return timestampOf(this.wallNow());
  }

  behavior(): Behavior<StoreMessage> {
    return {
      'store.inbound': (m) => {
        try {
          this.state.advance(this.now());
          // A payload carries one message or a batch of them (see STORE_BATCH_LIMIT).
          for (const msg of Array.isArray(m.value) ? m.value : [m.value]) {
            if (dropIncomingStoreMessage(this.ctx.system.nodeId)) {
              this.ctx.log.warn({ event: 'store-fault-drop', store: this.spec.name }, 'test fault injection dropped a store message');
              continue;
            }
            this.state.handle(msg);
          }
        } finally {
          this.sink.processed();
        }
      },
      'store.flush': () => {
        this.flushQueued = false;
        this.flush();
      },
      'store.tick': () => {
        if (this.closed) return;
        this.state.tick(this.now());
        if (this.state.idle) this.wakeIdle(true);
        this.ctx.schedule(STORE_TICK_INTERVAL_MS, { type: 'store.tick' });
      },
      'store.write': (m) => {
        this.state.advance(this.now());
        this.state.write(m.cmd);
      },
      'store.put-unique': (m) => {
        this.state.advance(this.now());
        const requestId = this.nextRequestId++;
        const cmd = writeCommands.putUnique(m.key, m.value, requestId, { expiry: m.expiry ?? undefined, publisher: m.publisher });
        // A rejection answers the caller; a throw here would stop the store actor.
        if (this.state instanceof MasterState) return answerOf(this.state.write(cmd));
        const rp = this.ctx.promise<boolean>();
        this.putUniques.set(requestId, rp);
        this.state.write(cmd);
        return undefined;
      },
      'store.query': (m): QueryResult => {
        this.state.advance(this.now());
        return this.state.query(m.q);
      },
      'store.await-idle': (m) => {
        if (this.state.idle) return true;
        const rp = this.ctx.promise<boolean>();
        const waiter: IdleWaiter = {
          rp,
          timer: this.ctx.system.clock.setTimer(m.timeoutMs, () => {
            this.idleWaiters = this.idleWaiters.filter((w) => w !== waiter);
            rp.deliver(false);
          }),
        };
        this.idleWaiters.push(waiter);
        return undefined;
      },
      'store.peer-lost': (m) => {
        if (this.state instanceof CloneState && this.state.master?.endpoint === m.peer) {
          this.state.advance(this.now());
          this.state.masterLost();
        }
      },
      'store.close': () => {
        this.close();
        this.ctx.stop();
      },
    };
  }

  override onStop(): void {
    this.close();
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    this.wakeIdle(false);
    for (const rp of this.putUniques.values()) rp.reject(new BrokerError('shutting_down', `store ${this.spec.name} was closed`));
    this.putUniques.clear();
    try {
      this.state.close();
      this.flush(); // a clone's goodbye
    } catch (e) {
      this.ctx.log.warn({ event: 'store-close-failed', store: this.spec.name, detail: (e as Error).message }, 'closing the store failed');
    }
  }

  /** Queues a protocol message; the batch goes out after the messages now in the mailbox. */
  private send(msg: unknown): void {
    this.outbox.push(msg);
    if (this.outbox.length >= STORE_BATCH_LIMIT) this.flush();
    else if (!this.flushQueued && !this.closed) {
      this.flushQueued = true;
      this.ctx.self.tell({ type: 'store.flush' });
    }
  }

  private flush(): void {
    if (this.outbox.length === 0) return;
    const msgs = this.outbox;
    this.outbox = [];
    this.core.tell({ type: 'publish-store', topic: this.outTopic, msg: msgs.length === 1 ? msgs[0] : msgs });
  }

  private wakeIdle(idle: boolean): void {
    for (const w of this.idleWaiters.splice(0)) {
      w.timer.cancel();
      w.rp.deliver(idle);
    }
  }

  private answerPutUnique(requestId: number, outcome: WriteOutcome): void {
    const rp = this.putUniques.get(requestId);
    if (rp === undefined) return;
    this.putUniques.delete(requestId);
    if (outcome.ok) rp.deliver(outcome.inserted === true);
    else rp.reject(outcome.error);
  }
}

/** A putUnique outcome as the frontend sees it: inserted or not; a refusal is an error. */
function answerOf(outcome: WriteOutcome): Promise<boolean> {
  return outcome.ok ? Promise.resolve(outcome.inserted === true) : Promise.reject(outcome.error);
}
