import { NetError } from './net-error';
import type { HandshakeRole } from './handshake';

/** One connection known to a {@link PeerTable}. */
interface Entry<C> {
  /** The connection handle. */
  conn: C;
  /** Which end this node is. */
  role: HandshakeRole;
  /** `admitted`: handshake under way; `established`: carrying messages. */
  phase: 'admitted' | 'established';
}

/** Outcome of an admission. */
export interface Admission<C> {
  /** Set when the new connection must be refused. */
  refuse?: NetError;
  /** Other connections to the same node that lose to the new one and must be closed. */
  evict: C[];
}

/**
 * The connections of this node per remote node, and the rule that keeps exactly one per
 * pair of nodes. I/O-free; the transport asks it during every handshake.
 *
 * Rule: an established connection always wins over a new one. When two handshakes race
 * (both nodes dial each other at once), the connection dialled by the node with the
 * smaller id wins. Both nodes apply the same rule to the same pair, so they keep the same
 * connection without talking about it.
 */
export class PeerTable<C> {
  /** Connections per remote node id. */
  private readonly byNode = new Map<string, Entry<C>[]>();

  /** @param localNode - this node's id */
  constructor(private readonly localNode: string) {}

  /**
   * The established connection to a node.
   * @param node - the remote node id
   */
  established(node: string): C | undefined {
    return this.byNode.get(node)?.find((e) => e.phase === 'established')?.conn;
  }

  /** Remote nodes with an established connection. */
  nodes(): string[] {
    return [...this.byNode.keys()].filter((n) => this.established(n) !== undefined);
  }

  /**
   * Acceptor side, on HELLO: refuses when an established connection to `node` exists.
   * @param conn - the new connection
   * @param node - the node it claims to be
   */
  admitHello(conn: C, node: string): Admission<C> {
    if (this.established(node) !== undefined) {
      return { refuse: new NetError('duplicate_connection', `already connected to node ${node}`), evict: [] };
    }
    this.add(node, { conn, role: 'acceptor', phase: 'admitted' });
    return { evict: [] };
  }

  /**
   * Initiator side, on WELCOME: the last decision of the handshake. On success the
   * connection counts as established and racing handshakes that lose are returned in
   * `evict`.
   * @param conn - the new connection
   * @param node - the node that welcomed it
   */
  admitWelcome(conn: C, node: string): Admission<C> {
    if (this.established(node) !== undefined) {
      return { refuse: new NetError('duplicate_connection', `already connected to node ${node}`), evict: [] };
    }
    const racing = (this.byNode.get(node) ?? []).filter((e) => e.role === 'acceptor');
    if (racing.length > 0 && node < this.localNode) {
      // The peer dialled too and its id is smaller: its connection is the one kept.
      return { refuse: new NetError('duplicate_connection', `simultaneous connect with node ${node}: its connection is kept`), evict: [] };
    }
    for (const e of racing) this.remove(e.conn);
    this.add(node, { conn, role: 'initiator', phase: 'established' });
    return { evict: racing.map((e) => e.conn) };
  }

  /**
   * Acceptor side, on READY: the connection is established.
   * @param conn - the connection
   * @returns false when the connection is no longer in the table (it was evicted)
   */
  markEstablished(conn: C): boolean {
    for (const entries of this.byNode.values()) {
      const entry = entries.find((e) => e.conn === conn);
      if (entry) {
        entry.phase = 'established';
        return true;
      }
    }
    return false;
  }

  /**
   * Forgets a connection (closed or failed).
   * @param conn - the connection
   * @returns the remote node id and whether it was that node's established connection
   */
  remove(conn: C): { node: string; wasEstablished: boolean } | undefined {
    for (const [node, entries] of this.byNode) {
      const i = entries.findIndex((e) => e.conn === conn);
      if (i < 0) continue;
      const [entry] = entries.splice(i, 1);
      if (entries.length === 0) this.byNode.delete(node);
      return { node, wasEstablished: entry.phase === 'established' };
    }
    return undefined;
  }

  private add(node: string, entry: Entry<C>): void {
    const entries = this.byNode.get(node);
    if (entries) entries.push(entry);
    else this.byNode.set(node, [entry]);
  }
}
