/**
 * A radix tree over the UTF-16 code units of topic strings that holds a prefix-free set
 * (no entry is a prefix of another), as Broker's filters are after `filter_extend`.
 * Newer Broker keeps its filters in a radix tree as well
 * (libbroker/broker/internal/radix_filter.hh in github.com/zeek/broker).
 *
 * "Is some entry a prefix of this topic?" walks the topic once: its cost grows with the
 * length of the topic, not with the number of entries. Because the set is prefix-free,
 * every entry ends at a leaf, so the walk stops at the first entry it reaches.
 */

/** A node of the tree: the edge label that leads to it, and its children by first code unit. */
interface PrefixNode {
  /** The code units on the edge from the parent to this node (empty only at the root). */
  label: string;
  /** Children keyed by the first code unit of their label; undefined on leaves. */
  children: Map<number, PrefixNode> | undefined;
  /** True when an entry ends here (then the node has no children). */
  entry: boolean;
}

function leaf(label: string): PrefixNode {
  return { label, children: undefined, entry: true };
}

/** Length of the common start of `a` (from `aPos`) and `b`. */
function commonLength(a: string, aPos: number, b: string): number {
  const n = Math.min(a.length - aPos, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(aPos + i) === b.charCodeAt(i)) i++;
  return i;
}

/** Number of entries at or below a node (without recursion: a chain may be long). */
function countEntries(node: PrefixNode): number {
  let n = 0;
  const stack = [node];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    if (next.entry) n++;
    else if (next.children !== undefined) for (const child of next.children.values()) stack.push(child);
  }
  return n;
}

/** A prefix-free set of strings answering "which entry is a prefix of `s`" in O(|s|). */
export class PrefixTree {
  private root: PrefixNode = { label: '', children: undefined, entry: false };
  private count = 0;

  /** Number of entries. */
  get size(): number {
    return this.count;
  }

  /** Removes every entry. */
  clear(): void {
    this.root = { label: '', children: undefined, entry: false };
    this.count = 0;
  }

  /** Tells whether some entry is a prefix of `s` (raw code-unit prefix, as `startsWith`). */
  hasPrefixOf(s: string): boolean {
    let node = this.root;
    let pos = 0;
    for (;;) {
      if (node.entry) return true;
      if (node.children === undefined || pos >= s.length) return false;
      const child = node.children.get(s.charCodeAt(pos));
      if (child === undefined || !s.startsWith(child.label, pos)) return false;
      pos += child.label.length;
      node = child;
    }
  }

  /**
   * Adds `s` keeping the set prefix-free, as Broker's `filter_extend`: nothing changes
   * when an entry is already a prefix of `s`; entries that `s` is a prefix of are replaced
   * by `s`.
   * @returns true when the set of strings that have a prefix in the tree grew
   */
  add(s: string): boolean {
    let node = this.root;
    let pos = 0;
    for (;;) {
      if (node.entry) return false;
      if (pos === s.length) {
        // `s` ends here: it covers everything below, which it replaces.
        this.count -= countEntries(node);
        node.children = undefined;
        node.entry = true;
        this.count++;
        return true;
      }
      const code = s.charCodeAt(pos);
      const child = node.children?.get(code);
      if (child === undefined) {
        (node.children ??= new Map()).set(code, leaf(s.slice(pos)));
        this.count++;
        return true;
      }
      const common = commonLength(s, pos, child.label);
      if (common === child.label.length) {
        pos += common;
        node = child;
        continue;
      }
      if (pos + common === s.length) {
        // `s` ends inside the edge: the new leaf takes the child's place and its subtree.
        this.count -= countEntries(child);
        node.children!.set(code, leaf(s.slice(pos)));
        this.count++;
        return true;
      }
      // The edge and `s` part ways inside the label: split the edge.
      const middle: PrefixNode = { label: child.label.slice(0, common), children: new Map(), entry: false };
      child.label = child.label.slice(common);
      middle.children!.set(child.label.charCodeAt(0), child);
      const rest = s.slice(pos + common);
      middle.children!.set(rest.charCodeAt(0), leaf(rest));
      node.children!.set(code, middle);
      this.count++;
      return true;
    }
  }

  /**
   * The entries in ascending code-unit order (the order of `Array.prototype.sort`).
   * Walks without recursion: entries such as `b`, `ab`, `aab`, ... make a chain as deep
   * as there are entries.
   */
  toArray(): string[] {
    const out: string[] = [];
    const stack: Array<{ node: PrefixNode; prefix: string }> = [{ node: this.root, prefix: '' }];
    for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
      const path = next.prefix + next.node.label;
      if (next.node.entry) out.push(path);
      else if (next.node.children !== undefined) {
        // Pushed in descending order, so that the smallest child is taken first.
        const children = [...next.node.children.entries()].sort((a, b) => b[0] - a[0]);
        for (const [, child] of children) stack.push({ node: child, prefix: path });
      }
    }
    return out;
  }
}
