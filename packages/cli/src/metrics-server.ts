/**
 * The HTTP server of an endpoint's figures, as Broker serves them on its metrics port
 * (`broker.metrics.port`, `BROKER_METRICS_PORT`): Prometheus text at `/metrics` and the
 * status report at `/v1/status/json`. Opt-in: nothing listens unless a program calls
 * {@link serveMetrics} (the tools do with `--metrics-port`).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';

import { BrokerError } from '@broker-ts/broker';

import { checkMetricsSource, describeValue, endpointRegistry, type MetricsSource, statusReport } from './endpoint-metrics';

/**
 * Options of {@link serveMetrics}: the endpoint, the port, and optionally the address and
 * a function returning the stores to report (`stores: () => [store]`, called at each
 * scrape).
 */
export interface MetricsServerOptions extends MetricsSource {
  /** Port to listen on, an integer 0..65535; 0 picks a free one. */
  port: number;
  /** Address to bind, a non-empty string (default `127.0.0.1`; Broker's `broker.metrics.address`). */
  host?: string;
}

/**
 * Checks every option of {@link serveMetrics} before anything listens.
 * @throws BrokerError `invalid_data` naming the option
 */
function checkServerOptions(options: unknown): asserts options is MetricsServerOptions {
  checkMetricsSource(options, 'serveMetrics options ({ endpoint, port, host?, stores? })');
  const { port, host } = options as Partial<Record<keyof MetricsServerOptions, unknown>>;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new BrokerError('invalid_data', `port must be an integer in 0..65535, got ${describeValue(port)}`);
  }
  // A number given as the host would reach Node's `server.listen(port, backlog)` and bind
  // every interface; an empty string would bind every interface too.
  if (host !== undefined && (typeof host !== 'string' || host === '')) {
    throw new BrokerError('invalid_data', `host must be a non-empty string, got ${describeValue(host)}`);
  }
}

/** A running metrics server. */
export interface MetricsServer {
  /** The bound port. */
  readonly port: number;
  /** Stops listening and closes open connections. */
  close(): Promise<void>;
}

/**
 * Serves the endpoint's metrics and status report over HTTP.
 * @returns the server once it listens
 * @throws BrokerError (as a rejection) `invalid_data` for a bad option, before anything
 *   listens: `endpoint` not an Endpoint, `port` not an integer 0..65535, `host` not a
 *   non-empty string, `stores` not a function; `cannot_open_resource` when the port
 *   cannot be bound
 */
export async function serveMetrics(options: MetricsServerOptions): Promise<MetricsServer> {
  checkServerOptions(options);
  const { port, host = '127.0.0.1' } = options;
  const registry = endpointRegistry(options);
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
    } else if (path === '/metrics') {
      const body = await registry.metrics();
      res.writeHead(200, { 'content-type': registry.contentType }).end(body);
    } else if (path === '/v1/status/json') {
      const body = JSON.stringify(await statusReport(options));
      res.writeHead(200, { 'content-type': 'application/json' }).end(body);
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /metrics or /v1/status/json\n');
    }
  };
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      // The endpoint went away mid-scrape (shutdown): a server error, not a crash.
      if (!res.headersSent) res.writeHead(503, { 'content-type': 'text/plain' });
      res.end(`${(error as Error).message}\n`);
    });
  });
  server.listen(port, host);
  try {
    await Promise.race([once(server, 'listening'), once(server, 'error').then(([e]) => Promise.reject(e as Error))]);
  } catch (error) {
    throw new BrokerError('cannot_open_resource', `cannot serve metrics on ${host}:${port}: ${(error as Error).message}`);
  }
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
