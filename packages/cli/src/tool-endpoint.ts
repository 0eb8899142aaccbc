/**
 * The endpoint of `broker-node` or `broker-pipe`: made from the tool's flags, printing
 * status and error events, listening and peering as asked, with the metrics server when
 * a metrics port is set, and closed as a whole at the end.
 */
import { BrokerError, Endpoint, type Store } from '@broker-ts/broker';

import { type MetricsServer, type MetricsServerOptions, serveMetrics } from './metrics-server';
import { toolLogger } from './tool-logger';
import { type EndpointFlags, endpointOptionsFrom, metricsPortFrom, webSocketPortFrom } from './tool-options';
import type { ToolOutput } from './tool-output';
import { watchStatuses } from './watch-statuses';

/**
 * Starts a tool's metrics server and says where it is (`*** metrics on http://...` on
 * stderr).
 * @returns the server, or undefined after printing why it could not start
 */
export async function startToolMetrics(options: MetricsServerOptions, tool: string, io: ToolOutput): Promise<MetricsServer | undefined> {
  const host = options.host ?? '127.0.0.1';
  try {
    const server = await serveMetrics({ ...options, host });
    io.err(`*** metrics on http://${host}:${server.port}/metrics and /v1/status/json`);
    return server;
  } catch (error) {
    io.err(`${tool}: ${(error as Error).message}`);
    return undefined;
  }
}

/** What a tool asks of its endpoint. */
export interface ToolEndpointSpec {
  /** The tool's name, for error messages. */
  tool: string;
  /** The endpoint's name (in logs). */
  name: string;
  /** The parsed command line. */
  flags: EndpointFlags & Record<string, unknown>;
  /** Print every status and error event to stderr (`*** <event>`). */
  printStatuses: boolean;
  /** Endpoint logs at info instead of errors only. */
  verbose: boolean;
}

/** A tool's running endpoint. */
export interface ToolEndpoint {
  readonly endpoint: Endpoint;
  /** Stores the tool attached; the metrics report their entries. */
  readonly stores: Store[];
  /** Listens on all interfaces; prints `*** listening on <host>:<port>` to stderr. */
  listen(port: number): Promise<number>;
  /** Closes the metrics server, the stores and the endpoint. */
  close(): Promise<void>;
}

/**
 * Makes the endpoint and, with a metrics port, the metrics server; with a WebSocket port,
 * serves Broker's WebSocket JSON API (`*** web socket on ws://...` on stderr).
 * @returns the endpoint, or the exit status 1 after printing why it could not start
 *   (options the endpoint refuses, such as TLS files today; a port in use)
 */
export async function openToolEndpoint(spec: ToolEndpointSpec, io: ToolOutput): Promise<ToolEndpoint | number> {
  let endpoint: Endpoint;
  try {
    endpoint = new Endpoint({ ...endpointOptionsFrom(spec.flags, spec.name), logger: toolLogger(spec.verbose) });
  } catch (error) {
    if (!(error instanceof BrokerError)) throw error;
    io.err(`${spec.tool}: ${error.message}`);
    return 1;
  }
  const statuses = watchStatuses(endpoint, io, { verbose: spec.printStatuses });
  const stores: Store[] = [];
  let metrics: MetricsServer | undefined;
  const close = async (): Promise<void> => {
    await metrics?.close();
    for (const s of stores.splice(0)) await s.close().catch(() => undefined);
    await endpoint.shutdown();
    await statuses;
  };
  const metricsPort = metricsPortFrom(spec.flags);
  if (metricsPort !== undefined) {
    const started = await startToolMetrics({ endpoint, port: metricsPort, host: spec.flags.metricsAddress, stores: () => stores }, spec.tool, io);
    if (started === undefined) {
      await close();
      return 1;
    }
    metrics = started;
  }
  const webSocketPort = webSocketPortFrom(spec.flags);
  if (webSocketPort !== undefined) {
    const host = spec.flags.webSocketAddress ?? '127.0.0.1';
    try {
      const bound = await endpoint.listenWebSocket(host, webSocketPort);
      io.err(`*** web socket on ws://${host}:${bound}/v1/messages/json`);
    } catch (error) {
      io.err(`${spec.tool}: ${(error as Error).message}`);
      await close();
      return 1;
    }
  }
  return {
    endpoint,
    stores,
    close,
    listen: async (port) => {
      const bound = await endpoint.listen('0.0.0.0', port);
      io.err(`*** listening on 0.0.0.0:${bound}`);
      return bound;
    },
  };
}
