/**
 * TEST-ONLY fault injection for data store channels: makes the store actors of one
 * endpoint drop a share of the store protocol messages they receive from peers, as a
 * lossy link would, so that tests can show that masters and clones still converge
 * (`packages/broker/test/store-lossy-link.test.ts`).
 *
 * It cannot be switched on by accident in production:
 * - this module is not exported from `@broker-ts/broker` (the package's `exports` map
 *   exposes only the index, so applications cannot import it);
 * - {@link injectStoreFaults} refuses to run unless `NODE_ENV` is `test` (jest sets it);
 * - faults apply only to the endpoint whose id (a random UUID) is named;
 * - every store actor that drops a message says so in its log (`store-fault-drop`).
 */
import { BrokerError } from '@broker-ts/data';
import { prng } from './seeded-random';

/** What to inject. */
export interface StoreFaultOptions {
  /** Share of incoming store messages to drop, in [0, 1). */
  dropRate: number;
  /** Seed of the pseudo-random sequence, so that a failing run can be replayed. */
  seed: number;
}

/** An active injection: its counters, and how to end it. */
export interface StoreFaultHandle {
  /** Incoming store messages looked at. */
  readonly seen: number;
  /** Incoming store messages dropped. */
  readonly dropped: number;
  /** Ends the injection (idempotent). */
  remove(): void;
}

interface FaultState {
  dropRate: number;
  /** The seeded sequence deciding drops. */
  random: () => number;
  seen: number;
  dropped: number;
}

/** Active injections by endpoint id; empty in production, so the check costs one lookup. */
const active = new Map<string, FaultState>();

/**
 * Makes the store actors of an endpoint drop incoming store messages (TEST ONLY).
 * @param endpointId - the endpoint's id (`Endpoint.id`)
 * @param options - drop rate and seed
 * @returns the handle with the counters; call `remove()` when done
 * @throws BrokerError `unspecified` outside tests (`NODE_ENV` not `test`), `invalid_data` for a bad rate
 */
export function injectStoreFaults(endpointId: string, options: StoreFaultOptions): StoreFaultHandle {
  if (process.env.NODE_ENV !== 'test') throw new BrokerError('unspecified', 'store fault injection is for tests only (NODE_ENV=test)');
  if (!(options.dropRate >= 0 && options.dropRate < 1)) throw new BrokerError('invalid_data', `dropRate must be in [0, 1), got ${String(options.dropRate)}`);
  const state: FaultState = { dropRate: options.dropRate, random: prng(options.seed), seen: 0, dropped: 0 };
  active.set(endpointId, state);
  return {
    get seen() {
      return state.seen;
    },
    get dropped() {
      return state.dropped;
    },
    remove() {
      if (active.get(endpointId) === state) active.delete(endpointId);
    },
  };
}

/**
 * Decides whether the store actors of an endpoint drop the incoming message at hand.
 * @param endpointId - the receiving endpoint's id
 * @returns true to drop it (only while an injection is active for that endpoint)
 */
export function dropIncomingStoreMessage(endpointId: string): boolean {
  if (active.size === 0) return false;
  const state = active.get(endpointId);
  if (state === undefined) return false;
  state.seen++;
  if (state.random() >= state.dropRate) return false;
  state.dropped++;
  return true;
}
