/**
 * A set of topic prefixes kept minimal as Broker's `filter_extend` does: adding `/foo`
 * when `/foo/bar` is present replaces it, adding `/foo/bar` when `/foo` is present changes
 * nothing. Matching a topic is a raw prefix test against any entry.
 */
import { PrefixTree } from './prefix-tree';

/**
 * Reduces a list of topics to its minimal prefix cover, sorted.
 * @param topics - any topics, duplicates allowed
 * @returns the sorted topics that no other topic of the list is a prefix of
 */
export function minimalTopics(topics: Iterable<string>): string[] {
  const sorted = [...new Set(topics)].sort();
  const out: string[] = [];
  for (const topic of sorted) {
    // In sorted order a prefix comes before every topic it covers, and the closest
    // kept entry is the only candidate that can cover this one.
    const last = out[out.length - 1];
    if (last !== undefined && topic.startsWith(last)) continue;
    out.push(topic);
  }
  return out;
}

/**
 * A minimal set of topic prefixes. Matching walks a radix tree over the topic
 * ({@link PrefixTree}): its cost grows with the topic's length, not with the number of
 * prefixes, so a peer may subscribe to 100,000 topics without slowing every publication.
 */
export class TopicFilter {
  /** The prefixes, for matching. */
  private readonly tree = new PrefixTree();
  /** The minimal, sorted prefixes; recomputed from the tree after a change. */
  private sorted: string[] | undefined;

  /** @param topics - initial topics, minimized */
  constructor(topics: Iterable<string> = []) {
    for (const t of topics) this.tree.add(t);
  }

  /** The minimal, sorted prefixes (a copy). */
  toArray(): string[] {
    return [...this.prefixes()];
  }

  /** Number of prefixes. */
  get size(): number {
    return this.tree.size;
  }

  /** Tells whether the filter has no prefix at all (matches nothing). */
  isEmpty(): boolean {
    return this.tree.size === 0;
  }

  /**
   * Adds a topic, keeping the filter minimal.
   * @returns true when the set of matched topics grew
   */
  extend(topic: string): boolean {
    if (!this.tree.add(topic)) return false;
    this.sorted = undefined;
    return true;
  }

  /**
   * Replaces the whole filter.
   * @returns true when the prefixes changed
   */
  replace(topics: Iterable<string>): boolean {
    const next = minimalTopics(topics);
    const current = this.prefixes();
    if (next.length === current.length && next.every((t, i) => t === current[i])) return false;
    this.tree.clear();
    for (const t of next) this.tree.add(t);
    this.sorted = next;
    return true;
  }

  /** Tells whether any prefix of the filter is a prefix of `topic`. */
  matches(topic: string): boolean {
    return this.tree.hasPrefixOf(topic);
  }

  /** Tells whether two filters hold the same prefixes. */
  equals(other: TopicFilter): boolean {
    const mine = this.prefixes();
    const theirs = other.prefixes();
    return theirs.length === mine.length && theirs.every((t, i) => t === mine[i]);
  }

  private prefixes(): string[] {
    return (this.sorted ??= this.tree.toArray());
  }
}

/**
 * Topics contributed by many sources (subscribers, `forward()`, stores), reference-counted,
 * whose union is an endpoint's advertised filter. Unlike Broker 1.4, removing the last
 * source of a topic shrinks the filter again.
 */
export class FilterSources {
  /** Topic → number of sources that asked for it. */
  private readonly counts = new Map<string, number>();
  /** The minimal union of all topics with a nonzero count. */
  readonly filter = new TopicFilter();

  /**
   * Adds one reference to each topic.
   * @returns true when the advertised filter changed
   */
  add(topics: Iterable<string>): boolean {
    for (const t of topics) this.counts.set(t, (this.counts.get(t) ?? 0) + 1);
    return this.filter.replace(this.counts.keys());
  }

  /**
   * Drops one reference from each topic.
   * @returns true when the advertised filter changed
   */
  remove(topics: Iterable<string>): boolean {
    for (const t of topics) {
      const n = this.counts.get(t);
      if (n === undefined) continue;
      if (n <= 1) this.counts.delete(t);
      else this.counts.set(t, n - 1);
    }
    return this.filter.replace(this.counts.keys());
  }
}
