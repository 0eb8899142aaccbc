/**
 * A set of topic prefixes kept minimal as Broker's `filter_extend` does: adding `/foo`
 * when `/foo/bar` is present replaces it, adding `/foo/bar` when `/foo` is present changes
 * nothing. Matching a topic is a raw prefix test against any entry.
 */

/** Most topics seen in practice repeat; matches are cached up to this many topics. */
const MATCH_CACHE_LIMIT = 1024;

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

/** A minimal set of topic prefixes with a fast, cached `matches`. */
export class TopicFilter {
  /** The minimal, sorted prefixes. */
  private prefixes: string[];
  /**
   * Topic → match result. Bounded by {@link MATCH_CACHE_LIMIT}: cleared when full, so the
   * cost is one recomputation per distinct topic after a clear.
   */
  private readonly cache = new Map<string, boolean>();

  /** @param topics - initial topics, minimized */
  constructor(topics: Iterable<string> = []) {
    this.prefixes = minimalTopics(topics);
  }

  /** The minimal, sorted prefixes (a copy). */
  toArray(): string[] {
    return [...this.prefixes];
  }

  /** Number of prefixes. */
  get size(): number {
    return this.prefixes.length;
  }

  /** Tells whether the filter has no prefix at all (matches nothing). */
  isEmpty(): boolean {
    return this.prefixes.length === 0;
  }

  /**
   * Adds a topic, keeping the filter minimal.
   * @returns true when the set of matched topics grew
   */
  extend(topic: string): boolean {
    if (this.prefixes.some((p) => topic.startsWith(p))) return false;
    this.prefixes = minimalTopics([...this.prefixes.filter((p) => !p.startsWith(topic)), topic]);
    this.cache.clear();
    return true;
  }

  /**
   * Replaces the whole filter.
   * @returns true when the prefixes changed
   */
  replace(topics: Iterable<string>): boolean {
    const next = minimalTopics(topics);
    if (next.length === this.prefixes.length && next.every((t, i) => t === this.prefixes[i])) return false;
    this.prefixes = next;
    this.cache.clear();
    return true;
  }

  /** Tells whether any prefix of the filter is a prefix of `topic`. */
  matches(topic: string): boolean {
    const cached = this.cache.get(topic);
    if (cached !== undefined) return cached;
    let result = false;
    for (const prefix of this.prefixes) {
      if (topic.startsWith(prefix)) {
        result = true;
        break;
      }
    }
    if (this.cache.size >= MATCH_CACHE_LIMIT) this.cache.clear();
    this.cache.set(topic, result);
    return result;
  }

  /** Tells whether two filters hold the same prefixes. */
  equals(other: TopicFilter): boolean {
    return other.prefixes.length === this.prefixes.length && other.prefixes.every((t, i) => t === this.prefixes[i]);
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
