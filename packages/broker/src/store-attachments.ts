/**
 * The data stores attached to an endpoint: which masters and clones it hosts, how many
 * frontends each has open, and the rules for attaching one (one master per store in the
 * network, one store per backend file, no clone beside its master). The core spawns the
 * store actors and subscribes them to their channel; this table decides. Broker keeps the
 * same bookkeeping in its core actor (`libbroker/broker/internal/core_actor.cc`).
 */
import type { ActorRef } from '@broker-ts/actor';
import { BrokerError } from '@broker-ts/data';
import type { AttachedStore } from './core-messages';
import { type BackendIdentity, type BackendKind, type BackendOptions, backendIdentity, makeBackend } from './store/backend';
import type { StoreCommand, StoreSpec } from './store/store-actor';
import { cloneTopic, masterTopic } from './topic';

/** What the table needs of the core. */
export interface StoreHost {
  /**
   * Spawns the actor of a store and subscribes it to `topic`.
   * @returns the actor and the id of its subscription
   */
  spawn(spec: StoreSpec, topic: string): { actor: ActorRef<StoreCommand>; subscription: number };
  /** Ends a store actor's subscription. */
  unsubscribe(subscription: number): void;
  /** Whether a peer advertises `topic` (a master's channel). */
  peerAdvertises(topic: string): boolean;
}

/** One attached store. */
interface Entry extends AttachedStore {
  /** The id of its actor's subscription. */
  subscription: number;
  /** Open frontends: the last one closing stops the actor. */
  refs: number;
  /** A master's backend. */
  backend?: BackendIdentity;
}

/** The stores of one endpoint, by name; bounded by the attach calls not yet detached. */
export class StoreAttachments {
  private readonly stores = new Map<string, Entry>();

  constructor(private readonly host: StoreHost) {}

  /**
   * Attaches the master of store `name`, or another frontend of it when attached with the
   * same backend.
   * @throws BrokerError `master_exists` (another backend, a clone here, or a master at a
   *   peer), `backend_failure` (the file holds another store, or the backend cannot open)
   */
  attachMaster(name: string, kind: BackendKind, options: BackendOptions): AttachedStore {
    // What the backend would be, before anything is opened: a master attached again must be
    // the same store, and one file must not hold two stores.
    const identity = backendIdentity(kind, options);
    const existing = this.stores.get(name);
    if (existing?.kind === 'master') {
      if (existing.backend?.description === identity.description) return reattach(existing);
      throw new BrokerError('master_exists', `store ${name} already has a master on this endpoint with backend ${existing.backend?.description ?? '?'}; attaching it again needs the same backend, path and options, not ${identity.description}`);
    }
    if (existing !== undefined) throw new BrokerError('master_exists', `this endpoint has a clone of store ${name}; detach it before attaching a master`);
    if (this.host.peerAdvertises(masterTopic(name))) throw new BrokerError('master_exists', `a peer already has a master for store ${name}`);
    for (const [other, entry] of this.stores) {
      if (identity.file !== null && entry.backend?.file === identity.file) throw new BrokerError('backend_failure', `cannot attach store ${name}: ${identity.file} is already the backend of store ${other} on this endpoint`);
    }
    let backend;
    try {
      backend = makeBackend(kind, options);
    } catch (e) {
      if (e instanceof BrokerError) throw e;
      throw new BrokerError('backend_failure', `cannot create the ${kind} backend of store ${name}: ${(e as Error).message}`);
    }
    return this.spawn({ kind: 'master', name, backend }, masterTopic(name), identity);
  }

  /**
   * Attaches a clone of store `name`, or another frontend of the clone already here.
   * @throws BrokerError `no_such_master` when this endpoint has the store's master
   */
  attachClone(spec: Extract<StoreSpec, { kind: 'clone' }>): AttachedStore {
    const name = spec.name;
    const existing = this.stores.get(name);
    if (existing?.kind === 'master') throw new BrokerError('no_such_master', `attempted to run clone & master on the same endpoint: this endpoint has the master of store ${name}; use its frontend (attachMaster with the same backend returns it)`);
    if (existing !== undefined) return reattach(existing);
    return this.spawn(spec, cloneTopic(name), undefined);
  }

  /**
   * A frontend closed. The store lives while any frontend is open; the last one closing
   * ends its subscription and stops its actor.
   */
  detach(name: string, actor: ActorRef): void {
    const entry = this.stores.get(name);
    if (entry === undefined || !entry.actor.equals(actor)) return;
    if (--entry.refs > 0) return;
    this.stores.delete(name);
    this.host.unsubscribe(entry.subscription);
    entry.actor.tell({ type: 'store.close' });
  }

  /**
   * A peer arrived: a clone without a master asks for one at once instead of at its next
   * resync interval (Broker's clones look for their master when it becomes reachable).
   */
  peerAdded(peer: string): void {
    for (const store of this.stores.values()) store.actor.tell({ type: 'store.peer-added', peer });
  }

  /** A peer went away: a clone whose master it was stops waiting for the channel timeout. */
  peerLost(peer: string): void {
    for (const store of this.stores.values()) store.actor.tell({ type: 'store.peer-lost', peer });
  }

  private spawn(spec: StoreSpec, topic: string, backend: BackendIdentity | undefined): AttachedStore {
    const { actor, subscription } = this.host.spawn(spec, topic);
    this.stores.set(spec.name, { kind: spec.kind, actor, subscription, refs: 1, backend });
    return { kind: spec.kind, actor };
  }
}

/** Attaching a store again gives another frontend of the same store actor. */
function reattach(entry: Entry): AttachedStore {
  entry.refs++;
  return { kind: entry.kind, actor: entry.actor };
}
