/**
 * Prints an endpoint's status and error events (`--verbose` of the tools), as Broker's
 * tools do: one line each, prefixed with `*** `.
 */
import type { Endpoint } from '@broker-ts/broker';

import type { ToolOutput } from './tool-output';

/**
 * Prints every status and error event of `endpoint` to `io.err` until it shuts down.
 * @returns a promise that settles when the endpoint's status subscriber ends
 */
export async function printStatuses(endpoint: Endpoint, io: ToolOutput): Promise<void> {
  const statuses = endpoint.makeStatusSubscriber(true);
  try {
    for await (const event of statuses) io.err(`*** ${String(event)}`);
  } catch {
    // The subscriber ends (end_of_file) when the endpoint shuts down.
  }
}
