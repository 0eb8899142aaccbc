import { compare as compareData, type Data } from '@broker-ts/data';

/** Most entries of a leaf and most children of an inner node. */
const FANOUT = 64;

interface Leaf<V, K> {
  /** The tree generation that may change this node in place (see {@link OrderedRows.view}). */
  owner: object;
  readonly leaf: true;
  keys: K[];
  values: V[];
}

interface Branch<V, K> {
  owner: object;
  readonly leaf: false;
  /** `keys[i]` is at most every key under `children[i]` (`keys[0]` is not consulted). */
  keys: K[];
  children: Node<V, K>[];
}

type Node<V, K> = Leaf<V, K> | Branch<V, K>;

/** Where a key lies under a branch: the last child whose lower bound is at most the key. */
function childIndex<V, K>(b: Branch<V, K>, key: K, compare: (a: K, b: K) => number): number {
  let lo = 1;
  let hi = b.keys.length - 1;
  let found = 0;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (compare(b.keys[mid], key) <= 0) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/** Where a key is in a leaf (`found`), or where it would go. */
function leafIndex<V, K>(l: Leaf<V, K>, key: K, compare: (a: K, b: K) => number): { index: number; found: boolean } {
  let lo = 0;
  let hi = l.keys.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const c = compare(l.keys[mid], key);
    if (c === 0) return { index: mid, found: true };
    if (c < 0) lo = mid + 1;
    else hi = mid - 1;
  }
  return { index: lo, found: false };
}

/**
 * A copy-on-write B+ tree from keys to values, in an order given by a comparison: by
 * default Broker keys in Broker's total order of data (`compare`), the order a snapshot
 * of a store travels in. {@link OrderedRows.view} hands
 * out the entries as they are now in constant time; the tree keeps changing in place
 * until the next write reaches a node the view shares, which that write copies first
 * (one path of nodes per write, once per view). So a master can send a snapshot of a
 * large store in many short turns while it goes on taking writes.
 *
 * Leaves that shrink are not merged with their neighbours (a leaf that empties is
 * removed), so after many erasures the tree holds more, sparser leaves than a balanced
 * one; its height only grows with inserts.
 */
export class OrderedRows<V, K = Data> {
  private root: Node<V, K>;
  /** The current generation: nodes with another owner are shared with a view. */
  private owner: object = {};
  private count = 0;
  /** The greatest key, for appending keys that arrive in order without a search. */
  private last: K | undefined = undefined;
  /**
   * The rightmost leaf, kept while keys arrive in order (null once another write may have
   * moved it): a key beyond {@link last} goes straight into it while this generation owns
   * it and it has room, with no walk from the root (a clone fills its replica so).
   */
  private tail: Leaf<V, K> | null = null;

  /**
   * @param compare - the order of the keys (negative, zero or positive, as `compare` of
   *   `@broker-ts/data`, the default, which only suits Broker data)
   */
  constructor(private readonly compare: (a: K, b: K) => number = compareData as unknown as (a: K, b: K) => number) {
    this.root = { owner: this.owner, leaf: true, keys: [], values: [] };
  }

  /** The number of entries. */
  get size(): number {
    return this.count;
  }

  /**
   * The current generation: it changes whenever a view is taken or the tree is cleared. A
   * value stored in this generation is seen by no view yet, so its owner may still change
   * it in place.
   */
  get generation(): object {
    return this.owner;
  }

  /**
   * Inserts or replaces the value of a key.
   * @param key - the key, used to search
   * @param value - the value
   * @param ownKey - the key to keep when it is new (a copy the tree owns; defaults to `key`)
   */
  set(key: K, value: V, ownKey?: () => K): void {
    const compare = this.compare;
    const append = this.last !== undefined && compare(key, this.last) > 0;
    const tail = this.tail;
    if (append && tail !== null && tail.owner === this.owner && tail.keys.length < FANOUT) {
      // Its ancestors are this generation's too (a node is owned only through its path),
      // and a key at the right end changes no lower bound above it.
      const kept = ownKey === undefined ? key : ownKey();
      tail.keys.push(kept);
      tail.values.push(value);
      this.count++;
      this.last = kept;
      return;
    }
    this.tail = null;
    const path: Array<{ node: Branch<V, K>; index: number }> = [];
    let node = this.own(this.root, null, 0);
    while (!node.leaf) {
      const index = append ? node.children.length - 1 : childIndex(node, key, compare);
      path.push({ node, index });
      node = this.own(node.children[index], node, index);
    }
    let at: number;
    if (append) at = node.keys.length;
    else {
      const { index, found } = leafIndex(node, key, compare);
      if (found) {
        node.values[index] = value;
        return;
      }
      at = index;
    }
    const kept = ownKey === undefined ? key : ownKey();
    node.keys.splice(at, 0, kept);
    node.values.splice(at, 0, value);
    this.count++;
    if (this.last === undefined || append) this.last = kept;
    if (node.keys.length > FANOUT) this.split(node, path);
    if (append) this.tail = this.rightmostLeaf();
  }

  /**
   * Removes a key.
   * @param key - the key
   * @returns whether it was present
   */
  delete(key: K): boolean {
    const compare = this.compare;
    // Search without copying; copy the path only when there is something to remove.
    const indices: number[] = [];
    let probe = this.root;
    while (!probe.leaf) {
      const i = childIndex(probe, key, compare);
      indices.push(i);
      probe = probe.children[i];
    }
    const { index, found } = leafIndex(probe, key, compare);
    if (!found) return false;
    const path: Array<{ node: Branch<V, K>; index: number }> = [];
    let node = this.own(this.root, null, 0);
    for (const i of indices) {
      const branch = node as Branch<V, K>;
      path.push({ node: branch, index: i });
      node = this.own(branch.children[i], branch, i);
    }
    const leaf = node as Leaf<V, K>;
    this.tail = null;
    leaf.keys.splice(index, 1);
    leaf.values.splice(index, 1);
    this.count--;
    if (this.count === 0) {
      this.clear();
      return true;
    }
    // Remove emptied nodes upwards, then shorten a root with a single child.
    let empty = leaf.keys.length === 0;
    for (let p = path.length - 1; p >= 0 && empty; p--) {
      const { node: parent, index: i } = path[p];
      parent.keys.splice(i, 1);
      parent.children.splice(i, 1);
      empty = parent.children.length === 0;
    }
    while (!this.root.leaf && this.root.children.length === 1) this.root = this.root.children[0];
    if (this.last !== undefined && compare(key, this.last) === 0) this.last = this.lastKey();
    return true;
  }

  /** Removes every entry (views keep theirs). */
  clear(): void {
    this.owner = {};
    this.root = { owner: this.owner, leaf: true, keys: [], values: [] };
    this.count = 0;
    this.last = undefined;
    this.tail = null;
  }

  /**
   * The entries as they are now, in key order. Constant time; later writes to the tree
   * do not change what the view yields.
   */
  view(): OrderedView<V, K> {
    const root = this.root;
    // The view shares every node from now on: the next write to one copies it.
    this.owner = {};
    return new OrderedView(root, this.count);
  }

  /** A node this generation may change: `node` itself, or a copy linked into `parent` in its place. */
  private own<N extends Node<V, K>>(node: N, parent: Branch<V, K> | null, index: number): N {
    if (node.owner === this.owner) return node;
    const copy = (node.leaf
      ? { owner: this.owner, leaf: true, keys: node.keys.slice(), values: node.values.slice() }
      : { owner: this.owner, leaf: false, keys: node.keys.slice(), children: node.children.slice() }) as N;
    if (parent === null) this.root = copy;
    else parent.children[index] = copy;
    return copy;
  }

  /** Splits an overfull node, then its ancestors as they overflow. */
  private split(node: Node<V, K>, path: Array<{ node: Branch<V, K>; index: number }>): void {
    let full: Node<V, K> = node;
    for (let p = path.length; ; p--) {
      const half = full.keys.length >>> 1;
      const right: Node<V, K> = full.leaf
        ? { owner: this.owner, leaf: true, keys: full.keys.splice(half), values: full.values.splice(half) }
        : { owner: this.owner, leaf: false, keys: full.keys.splice(half), children: full.children.splice(half) };
      const bound = right.keys[0];
      if (p === 0) {
        this.root = { owner: this.owner, leaf: false, keys: [full.keys[0], bound], children: [full, right] };
        return;
      }
      const { node: parent, index } = path[p - 1];
      parent.keys.splice(index + 1, 0, bound);
      parent.children.splice(index + 1, 0, right);
      if (parent.children.length <= FANOUT) return;
      full = parent;
    }
  }

  private rightmostLeaf(): Leaf<V, K> {
    let node = this.root;
    while (!node.leaf) node = node.children[node.children.length - 1];
    return node;
  }

  private lastKey(): K | undefined {
    const leaf = this.rightmostLeaf();
    return leaf.keys.length === 0 ? undefined : leaf.keys[leaf.keys.length - 1];
  }
}

/** A fixed set of entries of an {@link OrderedRows}, read in key order. */
export class OrderedView<V, K = Data> implements Iterable<[K, V]> {
  /**
   * @param root - the tree's root when the view was taken (never changed again)
   * @param size - how many entries it holds
   */
  constructor(
    private readonly root: Node<V, K>,
    /** How many entries it holds. */
    readonly size: number,
  ) {}

  /** The values in key order. */
  *values(): IterableIterator<V> {
    for (const leaf of this.leaves()) yield* leaf.values;
  }

  /** The entries in key order. */
  *[Symbol.iterator](): IterableIterator<[K, V]> {
    for (const leaf of this.leaves()) for (let i = 0; i < leaf.keys.length; i++) yield [leaf.keys[i], leaf.values[i]];
  }

  private *leaves(): IterableIterator<Leaf<V, K>> {
    const stack: Array<{ node: Branch<V, K>; next: number }> = [];
    let node: Node<V, K> = this.root;
    for (;;) {
      while (!node.leaf) {
        stack.push({ node, next: 1 });
        node = node.children[0];
      }
      yield node;
      let top = stack[stack.length - 1];
      while (top !== undefined && top.next >= top.node.children.length) {
        stack.pop();
        top = stack[stack.length - 1];
      }
      if (top === undefined) return;
      node = top.node.children[top.next++];
    }
  }
}
