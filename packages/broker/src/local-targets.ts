/**
 * The local subscriptions of an endpoint and, per topic, the ones its messages go to.
 * The core looks targets up for every message it delivers, so they are cached per topic
 * (bounded), with the last topic's targets at hand; any change of a subscription clears
 * the cache.
 */
import type { LocalSubscription } from './local-subscription';
import { isInternalTopic } from './topic';
import { TopicFilter } from './topic-filter';

/** The subscriptions a message on one topic goes to. */
export interface Targets {
  /** Subscriptions that take it from a peer. */
  remote: LocalSubscription[];
  /** Subscriptions that take it when published here (hubs), status and error subscribers included. */
  local: LocalSubscription[];
}

/** Topics whose targets are cached at most; the cache is cleared when full. */
const TARGET_CACHE_LIMIT = 1024;

/** A subscription with its topics. */
interface Entry {
  sub: LocalSubscription;
  filter: TopicFilter;
  topics: string[];
}

/** Whether a subscription may take local publications (see `targetsFor`). */
function listensLocally(entry: Entry): boolean {
  return entry.sub.seesLocal || entry.topics.some(isInternalTopic);
}

/** Local subscriptions by id; bounded by the subscriptions the application keeps open. */
export class LocalTargets {
  private readonly subs = new Map<number, Entry>();
  /** Topic → its targets; bounded by {@link TARGET_CACHE_LIMIT}. */
  private readonly cache = new Map<string, Targets>();
  /** Subscriptions that may take local publications (see {@link LocalTargets.localListeners}). */
  private listeners = 0;
  /** The last topic looked up, and its targets. */
  private lastTopic: string | undefined;
  private lastTargets: Targets | undefined;

  /** Adds a subscription to `topics`. */
  add(sub: LocalSubscription, topics: string[]): void {
    const old = this.subs.get(sub.id);
    if (old !== undefined && listensLocally(old)) this.listeners--;
    const entry = { sub, filter: new TopicFilter(topics), topics };
    this.subs.set(sub.id, entry);
    if (listensLocally(entry)) this.listeners++;
    this.clear();
  }

  /**
   * Subscriptions that may take the endpoint's own publications: hubs (`seesLocal`), and
   * subscriptions with an internal topic. While there are none, a publication needs no
   * value here, only its bytes for the peers.
   */
  get localListeners(): number {
    return this.listeners;
  }

  /**
   * Replaces the topics of subscription `id`.
   * @returns its previous topics; undefined for an unknown id
   */
  setTopics(id: number, topics: string[]): string[] | undefined {
    const entry = this.subs.get(id);
    if (entry === undefined) return undefined;
    const before = entry.topics;
    if (listensLocally(entry)) this.listeners--;
    entry.topics = topics;
    entry.filter.replace(topics);
    if (listensLocally(entry)) this.listeners++;
    this.clear();
    return before;
  }

  /**
   * Removes subscription `id`.
   * @returns the subscription and its topics; undefined for an unknown id
   */
  remove(id: number): { sub: LocalSubscription; topics: string[] } | undefined {
    const entry = this.subs.get(id);
    if (entry === undefined) return undefined;
    this.subs.delete(id);
    if (listensLocally(entry)) this.listeners--;
    this.clear();
    return { sub: entry.sub, topics: entry.topics };
  }

  /** Every subscription. */
  subscriptions(): IterableIterator<LocalSubscription> {
    return (function* (subs) {
      for (const { sub } of subs.values()) yield sub;
    })(this.subs);
  }

  /** The subscriptions the facade made (ids above 0: the core's own for stores are negative). */
  get facadeCount(): number {
    let n = 0;
    for (const id of this.subs.keys()) if (id > 0) n++;
    return n;
  }

  /** The subscriptions that get messages on `topic`, from peers and from here. */
  targetsFor(topic: string): Targets {
    if (topic === this.lastTopic) return this.lastTargets!;
    let t = this.cache.get(topic);
    if (t !== undefined) {
      this.lastTopic = topic;
      this.lastTargets = t;
      return t;
    }
    t = { remote: [], local: [] };
    const internal = isInternalTopic(topic);
    for (const { sub, filter } of this.subs.values()) {
      if (!filter.matches(topic)) continue;
      t.remote.push(sub);
      if (internal || sub.seesLocal) t.local.push(sub);
    }
    if (this.cache.size >= TARGET_CACHE_LIMIT) this.cache.clear();
    this.cache.set(topic, t);
    this.lastTopic = topic;
    this.lastTargets = t;
    return t;
  }

  private clear(): void {
    this.cache.clear();
    this.lastTopic = undefined;
    this.lastTargets = undefined;
  }
}
