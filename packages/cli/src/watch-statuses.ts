/**
 * Watches an endpoint's status and error events for the tools: prints them with
 * `--verbose` (one line each, prefixed with `*** `, as Broker's tools do) and tells the
 * tool when a peer is gone.
 */
import { type Endpoint, isStatus, type StatusEvent } from '@broker-ts/broker';

import type { ToolOutput } from './tool-output';

/** What {@link watchStatuses} does with the events. */
export interface StatusWatch {
  /** Print every event to `io.err`. */
  verbose: boolean;
  /** Called for `peer_lost` and `peer_removed`. */
  onPeerGone?(event: StatusEvent): void;
}

/**
 * Reads the status and error events of `endpoint` until it shuts down.
 * @returns a promise that settles when the endpoint's status subscriber ends
 */
export async function watchStatuses(endpoint: Endpoint, io: ToolOutput, watch: StatusWatch): Promise<void> {
  const statuses = endpoint.makeStatusSubscriber(true);
  try {
    for await (const event of statuses) {
      if (watch.verbose) io.err(`*** ${String(event)}`);
      if (isStatus(event) && (event.code === 'peer_lost' || event.code === 'peer_removed')) watch.onPeerGone?.(event);
    }
  } catch {
    // The subscriber ends (end_of_file) when the endpoint shuts down.
  }
}
