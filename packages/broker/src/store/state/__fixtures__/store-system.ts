/**
 * A whole data store system for tests: one master (or none, or a restarted one), several
 * clones, and a simulated lossy network between them, driven by a virtual clock. Every
 * message crosses the network as cbor bytes (with Broker's cbor extensions), as it would
 * between processes.
 */
import { dirname } from 'node:path';
import { cborEncoderOptions, installCborExtensions, Timestamp, type BrokerError } from '@broker-ts/data';
import { makeBackend, type Backend } from '../../backend';
import type { ChannelOptions } from '../../channel';
import { LossyNetwork, RELIABLE, type LossProfile } from '../../channel/__fixtures__/lossy-network';
import { CloneState, type CloneNotice, type CloneStateOptions } from '../clone-state';
import type { EntityId } from '../entity-id';
import { MasterState, type MasterStateOptions, type WriteOutcome } from '../master-state';
import { eventOf, type StoreEvent } from '../store-event';
import type { CloneMessage, MasterMessage } from '../store-message';

/** The part of cbor-x the fixture uses. */
interface CborCodec {
  encode(value: unknown): Uint8Array;
  decode(bytes: Uint8Array): unknown;
}

// cbor-x is a dependency of @broker-ts/data, not of this package: load the very module
// instance @broker-ts/data registers its extensions with.
const cborPath = require.resolve('cbor-x', { paths: [dirname(require.resolve('@broker-ts/data/package.json'))] });
// eslint-disable-next-line @typescript-eslint/no-require-imports
const cbor = require(cborPath) as { Encoder: new (o: object) => CborCodec; Decoder: new (o: object) => CborCodec };
installCborExtensions();
const encoder = new cbor.Encoder({ ...cborEncoderOptions });
const decoder = new cbor.Decoder({ ...cborEncoderOptions });

/** A message on the wire: who it is for and its cbor bytes. */
interface Packet {
  bytes: Uint8Array;
}

/** The store name used by the fixture. */
export const STORE = 'store';
/** The tick interval of the fixture (Broker's 100 ms). */
export const TICK_MS = 100;
/** The time the virtual clock starts at. */
export const T0 = 1_700_000_000_000n * 1_000_000n;

/** What a node saw. */
export interface NodeLog {
  events: StoreEvent[];
  errors: BrokerError[];
  answers: Map<number, WriteOutcome>;
  notices: CloneNotice[];
}

function log(): NodeLog {
  return { events: [], errors: [], answers: new Map(), notices: [] };
}

/** The system. */
export class StoreSystem {
  /** The network (its PRNG also drives the tests' random choices). */
  readonly net: LossyNetwork<Packet>;
  /** Virtual time, ns since the epoch. */
  clock = T0;
  /** The master, when one runs. */
  master: MasterState | null = null;
  /** What the master saw (reset on restart). */
  masterLog = log();
  /** The clones by name. */
  readonly clones = new Map<string, CloneState>();
  /** What each clone saw. */
  readonly logs = new Map<string, NodeLog>();
  /** Messages for which it answers true are lost (besides the loss profile's). */
  lose: ((msg: MasterMessage | CloneMessage) => boolean) | null = null;
  private masterIncarnation = 0;

  constructor(seed: number, profile: LossProfile = RELIABLE) {
    this.net = new LossyNetwork<Packet>(seed, profile);
  }

  /** The current virtual time. */
  get now(): Timestamp {
    return new Timestamp(this.clock);
  }

  /** Starts a master on a backend (a new incarnation: a new entity id). */
  startMaster(backend: Backend = makeBackend('memory'), channel: Partial<ChannelOptions> = {}, options: Partial<MasterStateOptions> = {}): MasterState {
    this.masterLog = log();
    const id: EntityId = { endpoint: 'M', object: ++this.masterIncarnation };
    const l = this.masterLog;
    this.master = new MasterState({
      name: STORE,
      id,
      backend,
      now: this.now,
      channel,
      ...options,
      callbacks: {
        event: (ev) => l.events.push(eventOf(ev)),
        error: (e) => l.errors.push(e),
        send: (msg) => this.fromMaster(msg),
      },
    });
    return this.master;
  }

  /** Stops the master (its endpoint is gone; messages to it are lost) and closes its backend. */
  stopMaster(): void {
    this.master?.close();
    this.master = null;
  }

  /** Adds a clone. */
  addClone(name: string, options: Partial<CloneStateOptions> = {}): CloneState {
    const l = log();
    this.logs.set(name, l);
    const clone = new CloneState({
      name: STORE,
      id: { endpoint: name, object: 1 },
      now: this.now,
      tickInterval: TICK_MS,
      ...options,
      callbacks: {
        event: (ev) => l.events.push(eventOf(ev)),
        error: (e) => l.errors.push(e),
        writeResult: (id, o) => {
          if (l.answers.has(id)) throw new Error(`putUnique ${id} answered twice on ${name}`);
          l.answers.set(id, o);
        },
        notice: (n) => l.notices.push(n),
        send: (msg) => this.fromClone(msg),
      },
    });
    this.clones.set(name, clone);
    return clone;
  }

  /** Clone by name. */
  clone(name: string): CloneState {
    const c = this.clones.get(name);
    if (c === undefined) throw new Error(`no clone ${name}`);
    return c;
  }

  /** Log of a clone. */
  log(name: string): NodeLog {
    return this.logs.get(name) as NodeLog;
  }

  /** One tick: deliver what is due, move the clock by 100 ms, tick everyone. */
  step(): void {
    this.net.step((to, p) => this.deliver(to, p));
    this.clock += BigInt(TICK_MS) * 1_000_000n;
    this.master?.tick(this.now);
    for (const c of this.clones.values()) {
      c.installStep();
      c.tick(this.now);
    }
  }

  /** Steps until `done` holds; fails after `max` steps. */
  runUntil(done: () => boolean, max = 20_000): number {
    for (let i = 0; i < max; i++) {
      if (done()) return i;
      this.step();
    }
    if (done()) return max;
    throw new Error(`condition not reached within ${max} steps`);
  }

  /** Steps n times. */
  run(n: number): void {
    for (let i = 0; i < n; i++) this.step();
  }

  /** True when the master and every clone are idle. */
  allIdle(): boolean {
    return this.master !== null && this.master.idle && [...this.clones.values()].every((c) => c.idle);
  }

  private fromMaster(msg: MasterMessage): void {
    if (this.lose?.(msg) === true) return;
    const bytes = encoder.encode(msg);
    if ('clone' in msg && msg.clone !== null) this.net.send(msg.clone.endpoint, { bytes });
    else for (const name of this.clones.keys()) this.net.send(name, { bytes });
  }

  private fromClone(msg: CloneMessage): void {
    if (this.lose?.(msg) === true) return;
    this.net.send('M', { bytes: encoder.encode(msg) });
  }

  private deliver(to: string, p: Packet): void {
    const msg = decoder.decode(p.bytes) as unknown;
    if (to === 'M') this.master?.handle(msg);
    else this.clones.get(to)?.handle(msg);
  }
}
