/**
 * Test wiring shared by the unit tests of the core's parts (delivery, publication
 * pacing): the core's state those parts work on, real, and what they report recorded.
 */
import { VirtualClock } from '@broker-ts/actor';
import type { ErrorCodeName } from '@broker-ts/data';
import pino from 'pino';
import type { DeliveryStats } from '../delivery';
import { LocalTargets } from '../local-targets';
import type { PeerLink, PeerState } from '../peer-state';
import { Router } from '../router';

/**
 * A peer link for a part that never ends a peering or advertises a filter itself (the
 * core does): it fails the test when it is used.
 * @param part - the part under test, named in the failure
 */
export function unusedLink(part: string): PeerLink {
  return {
    kind: 'actor',
    advertise: () => {
      throw new Error(`${part} advertised a filter`);
    },
    bye: () => {
      throw new Error(`${part} said bye`);
    },
    disconnect: () => {
      throw new Error(`${part} disconnected a peer`);
    },
  };
}

/** The state of an endpoint `A`'s core that its parts share, with the errors and log lines they report. */
export class CoreParts {
  readonly clock = new VirtualClock();
  readonly router = new Router({ self: 'A', forward: true, ttl: 20 });
  readonly targets = new LocalTargets();
  readonly peers = new Map<string, PeerState>();
  readonly stats: DeliveryStats = { peerDrops: 0, localDrops: 0, duplicates: 0, ttlExpired: 0, malformed: 0, processed: { data: 0, command: 0, routingUpdate: 0 } };
  readonly errors: Array<{ code: string; message: string }> = [];
  readonly logs: Array<{ event?: string }> = [];
  /** A logger at debug level whose lines go to {@link CoreParts.logs}. */
  readonly log = pino({ level: 'debug' }, { write: (line: string) => this.logs.push(JSON.parse(line) as { event?: string }) });
  /** The core's `emitError`: records the error event. */
  readonly emitError = (code: ErrorCodeName, _info: unknown, message: string): void => {
    this.errors.push({ code, message });
  };
}
