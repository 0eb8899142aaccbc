/**
 * What the endpoint-level tests against the newest Broker share: endpoints, Python
 * Broker endpoints and `broker-node` processes that are shut down after each test, even a
 * failed one, and a logger that collects the endpoint's log lines.
 */
import { Writable } from 'node:stream';
import { Endpoint, type EndpointOptions } from '@broker-ts/broker';
import pino, { type Logger } from 'pino';
import { PyEndpoint } from './python-endpoint';
import { type BrokerProcess, type ReferenceBroker, startBroker } from '../../../../tools/reference-broker';

/** Makes the parts of a live test; each is cleaned up after the test that made it. */
export interface LiveParts {
  /** A broker-ts endpoint. */
  endpoint(options?: EndpointOptions): Endpoint;
  /** A Broker endpoint of the Python bindings (python-endpoint.py). */
  python(args?: string[]): PyEndpoint;
  /** Broker's `broker-node` (with `-v`). */
  node(args: string[], env?: Record<string, string>): BrokerProcess;
  /** Runs `cleanup` after the test. */
  defer(cleanup: () => Promise<void> | void): void;
}

/**
 * Registers the `afterEach` that cleans up (in reverse order of making) and returns the
 * makers. Call once at the top of a test file.
 * @param broker - the reference build
 */
export function liveParts(broker: ReferenceBroker): LiveParts {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  const defer = (cleanup: () => Promise<void> | void): void => void cleanups.push(cleanup);
  return {
    defer,
    endpoint(options = {}) {
      const ep = new Endpoint(options);
      defer(() => ep.shutdown());
      return ep;
    },
    python(args = []) {
      const py = PyEndpoint.start(broker, args);
      defer(async () => {
        py.proc.child.stdin!.end();
        await py.kill();
      });
      return py;
    },
    node(args, env = {}) {
      const p = startBroker(broker.node, ['-v', ...args], env);
      defer(() => p.kill());
      return p;
    },
  };
}

/** A debug-level pino logger that keeps every record, for checks on what the endpoint logged. */
export function collectingLogger(): { logger: Logger; records(): Array<Record<string, unknown>> } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString().split('\n').filter((l) => l !== ''));
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, sink), records: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}
