/**
 * The frontend of a data store (Broker's `store`): a master's or a clone's. Writes are
 * fire-and-forget as in Broker (their promise resolves once the store actor took them; a
 * refused write is reported as an error event on the status subscriber), or acknowledged
 * with `{ ack: true }` (the promise resolves once the master applied the write and it is
 * durable, and rejects with the master's error); queries answer with the value,
 * `undefined` for a missing key, or a `BrokerError` such as `stale_data`.
 */
import type { ActorRef, ActorSystem } from '@broker-ts/actor';
import { BrokerError, type BrokerSet, type Data, type DataInput, toData } from '@broker-ts/data';
import { optionsObject } from '../argument-checks';
import { type Duration, toMilliseconds } from '../duration';
import type { StoreCommand } from './store-actor';
import { type EntityId, type QueryResult, type StoreQuery, type WriteCommand, writeCommands } from './state';

/** Options of every write. */
export interface AckOptions {
  /**
   * Wait for the master: the promise resolves once the master applied the write and, for
   * a persistent backend, committed it to disk, and rejects with the master's error (e.g.
   * `type_clash`). Default false: fire-and-forget as in Broker, the promise resolves once
   * the store took the write and a refusal goes only to the status subscriber.
   */
  ack?: boolean;
}

/** Options of writes that take an expiry. */
export interface ExpiryOptions extends AckOptions {
  /** The entry expires this long after the master applied the write. */
  expiry?: Duration;
}

/** Options of `awaitIdle`. */
export interface AwaitIdleOptions {
  /** Give up after this long (default 15 s, as Broker). */
  timeout?: Duration;
}

/** How long a query waits for the store actor (Broker's frontend timeout, 10 s). */
const QUERY_TIMEOUT_MS = 10_000;

/** The request options of a request without a deadline. */
const NO_DEADLINE = { timeout: Number.POSITIVE_INFINITY };

function nothing(): void {}

/** A query's value; `undefined` for a missing key; throws its other errors. */
function valueOrUndefined(result: QueryResult): Data | undefined {
  if (result.ok) return result.value;
  if (result.error.code === 'no_such_key') return undefined;
  throw result.error;
}

/** A query's value; throws its error, a missing key's too. */
function valueOrThrow(result: QueryResult): Data {
  if (result.ok) return result.value;
  throw result.error;
}

/** What the endpoint hands a new frontend: the store actor and the runtime that reaches it. */
export interface StoreFrontendLink {
  /** The endpoint's actor system (requests and the node id). */
  system: ActorSystem;
  /** The store's master or clone actor. */
  actor: ActorRef<StoreCommand>;
  /** The store's name. */
  name: string;
  /** Whether the actor is the master or a clone. */
  kind: 'master' | 'clone';
  /** Unique among the endpoint's frontends: the publisher id of this frontend's writes. */
  frontendId: number;
  /** Called once when the frontend closes. */
  onClose: () => void;
}

let construct: (link: StoreFrontendLink) => Store;

/**
 * Builds a store frontend. Internal: the constructor of {@link Store} is private so that
 * the public declarations show nothing of the actor runtime; the endpoint builds frontends
 * through this function, which `index.ts` does not export.
 */
export function openStoreFrontend(link: StoreFrontendLink): Store {
  return construct(link);
}

/** A data store frontend; created by `Endpoint.attachMaster` and `Endpoint.attachClone`. */
export class Store {
  private readonly publisher: EntityId;
  private closed = false;

  static {
    construct = (l) => new Store(l.system, l.actor, l.name, l.kind, l.frontendId, l.onClose);
  }

  private constructor(
    private readonly system: ActorSystem,
    private readonly actor: ActorRef<StoreCommand>,
    /** The store's name. */
    readonly name: string,
    /** Whether this frontend is the master's or a clone's. */
    readonly kind: 'master' | 'clone',
    frontendId: number,
    private readonly onClose: () => void,
  ) {
    this.publisher = { endpoint: system.nodeId, object: frontendId };
  }

  /** Inserts or overwrites a value; without `expiry` an earlier expiry is cleared. */
  put(key: DataInput, value: DataInput, options: ExpiryOptions = {}): Promise<void> {
    return this.submit(() => writeCommands.put(toData(key), toData(value), this.opts(options)), options);
  }

  /**
   * Inserts a value only if the key is absent.
   * @returns true if this call inserted it (exactly one of many racing callers wins)
   */
  async putUnique(key: DataInput, value: DataInput, options: ExpiryOptions = {}): Promise<boolean> {
    this.checkOpen();
    const { expiry: given } = optionsObject<ExpiryOptions>(options, `store ${this.name}: options`);
    const expiry = given === undefined ? null : toMilliseconds(given, 'expiry');
    return this.ask<boolean>({ type: 'store.put-unique', key: toData(key), value: toData(value), expiry, publisher: this.publisher }, Number.POSITIVE_INFINITY);
  }

  /** Removes a key. */
  erase(key: DataInput, options: AckOptions = {}): Promise<void> {
    return this.submit(() => writeCommands.erase(toData(key), { publisher: this.publisher }), options);
  }

  /** Removes every key (an `erase` event each). */
  clear(options: AckOptions = {}): Promise<void> {
    return this.submit(() => writeCommands.clear({ publisher: this.publisher }), options);
  }

  /**
   * Adds `amount` to a count, integer, real or timespan (same type only), or a timespan to
   * a timestamp; a missing key starts from zero of the amount's type.
   */
  increment(key: DataInput, amount: DataInput, options: ExpiryOptions = {}): Promise<void> {
    return this.submit(() => writeCommands.increment(toData(key), toData(amount), this.opts(options)), options);
  }

  /** Subtracts `amount` (same type only); a missing key is an error. */
  decrement(key: DataInput, amount: DataInput, options: ExpiryOptions = {}): Promise<void> {
    return this.submit(() => writeCommands.decrement(toData(key), toData(amount), this.opts(options)), options);
  }

  /** Appends to a string; a missing key starts from the empty string. */
  append(key: DataInput, str: DataInput, options: ExpiryOptions = {}): Promise<void> {
    return this.submit(() => writeCommands.append(toData(key), toData(str), this.opts(options)), options);
  }

  /**
   * Inserts into a set (`insertInto(key, element)`) or a table (`insertInto(key, index,
   * value)`); a missing key starts an empty set or table.
   */
  insertInto(key: DataInput, index: DataInput, value?: DataInput, options: ExpiryOptions = {}): Promise<void> {
    return this.submit(() => writeCommands.insertInto(toData(key), toData(index), value === undefined ? undefined : toData(value), this.opts(options)), options);
  }

  /** Removes an element of a set or a key of a table (a vector loses its last element). */
  removeFrom(key: DataInput, index: DataInput, options: ExpiryOptions = {}): Promise<void> {
    return this.submit(() => writeCommands.removeFrom(toData(key), toData(index), this.opts(options)), options);
  }

  /** Appends to a vector; a missing key starts an empty vector. */
  push(key: DataInput, value: DataInput, options: ExpiryOptions = {}): Promise<void> {
    return this.submit(() => writeCommands.push(toData(key), toData(value), this.opts(options)), options);
  }

  /** Removes the last element of a vector. */
  pop(key: DataInput, options: ExpiryOptions = {}): Promise<void> {
    return this.submit(() => writeCommands.pop(toData(key), this.opts(options)), options);
  }

  /**
   * The value of a key.
   * @returns the value, or undefined when the key is absent
   * @throws BrokerError `stale_data` from a clone without a master, `request_timeout`
   */
  get(key: DataInput): Promise<Data | undefined> {
    try {
      return this.query({ op: 'get', key: toData(key) }).then(valueOrUndefined);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** Tells whether a key exists. */
  async exists(key: DataInput): Promise<boolean> {
    return valueOrThrow(await this.query({ op: 'exists', key: toData(key) })) === true;
  }

  /**
   * An element of the value: a vector's element at a position, a set's membership, a
   * table's value under a key (any other type gives the whole value).
   * @returns the element, or undefined when the key or the index is absent
   */
  async getIndexFromValue(key: DataInput, index: DataInput): Promise<Data | undefined> {
    return valueOrUndefined(await this.query({ op: 'getIndexFromValue', key: toData(key), index: toData(index) }));
  }

  /** Every key. */
  async keys(): Promise<BrokerSet> {
    return valueOrThrow(await this.query({ op: 'keys' })) as BrokerSet;
  }

  /**
   * Waits until the store is idle: a master when every clone has every change; a clone
   * when it is connected and the master acknowledged all its writes.
   * @returns true when idle, false when the timeout passed first
   */
  async awaitIdle(options: AwaitIdleOptions = {}): Promise<boolean> {
    this.checkOpen();
    const { timeout } = optionsObject<AwaitIdleOptions>(options, `store ${this.name}: options`);
    const timeoutMs = timeout === undefined ? 15_000 : toMilliseconds(timeout, 'timeout');
    return this.ask<boolean>({ type: 'store.await-idle', timeoutMs }, Number.POSITIVE_INFINITY);
  }

  /**
   * Closes this frontend. The store lives on while another frontend of it (from attaching
   * it again) is open; closing the last one stops the store (a master closes its backend,
   * a clone says goodbye to its master). Later calls on this frontend fail with
   * `shutting_down`. Idempotent.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.onClose();
  }

  private opts(options: ExpiryOptions): { expiry?: number; publisher: EntityId } {
    const { expiry } = optionsObject<ExpiryOptions>(options, `store ${this.name}: options`);
    return { expiry: expiry === undefined ? undefined : toMilliseconds(expiry, 'expiry'), publisher: this.publisher };
  }

  /**
   * Builds a write's command and sends it, a throw (a bad argument, a closed store)
   * becoming the returned promise's rejection, as in an `async` method.
   */
  private submit(make: () => WriteCommand, options: AckOptions): Promise<void> {
    try {
      return this.write(make(), options);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /**
   * Sends a write; throws for a closed store or bad options. Not an `async` method, nor
   * are the write methods ({@link submit} turns a throw into a rejection): an
   * acknowledged write then costs one request and one `then`, not a chain of async
   * frames, which showed in a master's CPU per write.
   */
  private write(cmd: WriteCommand, options: AckOptions): Promise<void> {
    this.checkOpen();
    const ack = optionsObject<AckOptions>(options, `store ${this.name}: options`).ack ?? false;
    if (typeof ack !== 'boolean') throw new BrokerError('invalid_data', `store ${this.name}: option 'ack' must be a boolean, got ${typeof ack}`);
    if (!ack) {
      this.actor.tell({ type: 'store.write', cmd });
      return Promise.resolve();
    }
    // The master answers once the write is durable; a clone waits for it (and may buffer
    // the write while it has no master), so there is no deadline here.
    return this.system.request(this.actor, { type: 'store.write', cmd }, NO_DEADLINE).then(nothing, this.failed);
  }

  /** Sends a query (read its result with `valueOrUndefined` or `valueOrThrow`); throws for a closed store. */
  private query(q: StoreQuery): Promise<QueryResult> {
    this.checkOpen();
    return this.ask<QueryResult>({ type: 'store.query', q }, QUERY_TIMEOUT_MS);
  }

  private ask<R>(msg: StoreCommand, timeout: number): Promise<R> {
    return this.system.request<R>(this.actor, msg, timeout === Number.POSITIVE_INFINITY ? NO_DEADLINE : { timeout }).then(undefined, this.failed);
  }

  /** Throws the `BrokerError` for a failed request to the store actor. */
  private readonly failed = (e: unknown): never => {
    if (e instanceof BrokerError) throw e;
    const err = e as { code?: string; cause?: unknown; message?: string };
    if (err.cause instanceof BrokerError) throw err.cause;
    if (err.code === 'request_timeout') throw new BrokerError('request_timeout', `store ${this.name} did not answer in time`);
    throw new BrokerError(this.closed ? 'shutting_down' : 'unspecified', `store ${this.name}: ${err.message ?? String(e)}`, {}, { cause: e });
  };

  private checkOpen(): void {
    if (this.closed) throw new BrokerError('shutting_down', `store ${this.name} is closed`);
  }
}
