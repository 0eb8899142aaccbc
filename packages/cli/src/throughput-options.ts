/**
 * Command-line options of `broker-throughput` (Broker's `broker-benchmark`,
 * `tests/benchmark/broker-benchmark.cc`), parsed and checked: every bad input is a {@link UsageError} naming the problem.
 */
import { parseArgs } from 'node:util';

import type { SslOptions } from '@broker-ts/broker';

import { BENCHMARK_EVENT_TYPES, type BenchmarkEventType } from './benchmark-event';
import { ArgumentError, parsePortArg } from './tool-arguments';

/** The port Broker's benchmark uses when the address names none. */
export const DEFAULT_BENCHMARK_PORT = 9999;

/** A bad command line; the tool prints the message and the usage and exits with status 2. */
export class UsageError extends Error {
  /** @param message - what is wrong, e.g. `--event-type must be 1, 2 or 3, got 4` */
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Options shared by both modes. */
interface CommonOptions {
  /** Host or interface; `''` (server) listens on every interface. */
  host: string;
  /** TCP port (the server may ask for 0: any free port, printed once bound). */
  port: number;
  /** Print status events (`--verbose`). */
  verbose: boolean;
  /** Plain TCP (`--disable-ssl`); otherwise Broker's default anonymous TLS. */
  disableSsl: boolean;
  /** Verified TLS (`--broker.ssl.certificate/key/passphrase/cafile/capath`); absent when none is given. */
  ssl?: SslOptions;
  /** Serve metrics and the status report on this port (`--metrics-port`, `BROKER_METRICS_PORT`). */
  metricsPort?: number;
}

/** `broker-throughput --server <iface>:<port> [-m N]`. */
export interface ThroughputServerOptions extends CommonOptions {
  mode: 'server';
  /** After this many events, publish `quit_benchmark` and exit (`-m`; default: run until killed). */
  maxReceived?: number;
}

/** `broker-throughput [options] <host>[:<port>]`. */
export interface ThroughputClientOptions extends CommonOptions {
  mode: 'client';
  /** Which event to send (`-t`, default 1). */
  eventType: BenchmarkEventType;
  /** Batches per second; 0 sends as fast as the publisher's credit allows (`-r`, default 1). */
  batchRate: number;
  /** Events per batch (`-s`, default 1). */
  batchSize: number;
  /** Seconds between batch size increases; 0 never increases it (`-i`, default 0). */
  batchSizeIncreaseInterval: number;
  /** Events added to the batch size at each increase (`-a`, default 0). */
  batchSizeIncreaseAmount: number;
  /** Exit with status 1 after 5 consecutive stats with more events in flight (`-f`). */
  maxInFlight?: number;
  /** Stop after this many seconds (`--duration`; default: until the server says quit). */
  durationSeconds?: number;
  /** Send exactly this many events, then wait for the server's quit (`-n`). */
  numEvents?: number;
}

/** What the command line asks for. */
export type ThroughputOptions = ThroughputServerOptions | ThroughputClientOptions | { mode: 'help' };

/** The text of `--help`. */
export const THROUGHPUT_USAGE = `usage: broker-throughput [options] <host>[:<port>]
       broker-throughput --server <interface>:<port> [-m N] [--verbose]

Broker's throughput benchmark. The server counts events on /benchmark/events, prints
the rate once per second and publishes stats_update on /benchmark/stats; the client
sends events and prints the rates it is told. The default port is ${DEFAULT_BENCHMARK_PORT}.

options:
  --server                   run the server (listen on <interface>:<port>; port 0 = any)
  -t, --event-type 1|2|3     1: event_1(42, "test"); 2: a conn.log record; 3: a table
                             of 100 strings to sets of 10 strings (default 1)
  -r, --batch-rate N         batches per second; 0 = as fast as possible (default 1)
  -s, --batch-size N         events per batch (default 1)
  -i, --batch-size-increase-interval S
                             grow the batch size every S seconds (default 0: never)
  -a, --batch-size-increase-amount N
                             by N events (default 0)
  -m, --max-received N       server: after N events publish quit_benchmark on
                             /benchmark/terminate and exit
  -f, --max-in-flight N      client: exit with status 1 after 5 consecutive stats
                             with more than N events in flight
  -n, --num-events N         client: send N events, then wait for the server's quit
      --duration S           client: stop after S seconds
      --disable-ssl          plain TCP (default: Broker's anonymous TLS; both ends
                             must agree)
      --broker.ssl.certificate FILE, --broker.ssl.key FILE,
      --broker.ssl.passphrase TEXT, --broker.ssl.cafile FILE,
      --broker.ssl.capath DIR
                             verified TLS with certificates, as Broker's tools: this
                             node's certificate and key (and its passphrase), the CAs
                             to trust (a file or a directory)
      --metrics-port PORT    serve Prometheus metrics (/metrics) and the status report
                             (/v1/status/json) on 127.0.0.1:PORT (0: any free port;
                             env BROKER_METRICS_PORT)
      --verbose              print status events to stderr
  -h, --help                 this text

exit status: 0 done, 1 failure (peering, too many in flight), 2 bad command line`;

function integer(flag: string, text: string | undefined, min: number): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (text.trim() === '' || !Number.isSafeInteger(n) || n < min) throw new UsageError(`${flag} must be an integer ≥ ${min}, got ${JSON.stringify(text)}`);
  return n;
}

function nonNegative(flag: string, text: string | undefined, positive = false): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n < 0 || (positive && n === 0)) {
    throw new UsageError(`${flag} must be a ${positive ? 'positive' : 'non-negative'} number, got ${JSON.stringify(text)}`);
  }
  return n;
}

/**
 * Splits `<host>[:<port>]`, `[<ipv6>]:<port>` or `:<port>` (every interface).
 * @param server - whether port 0 is allowed (a server binding any free port)
 * @throws UsageError for a malformed address or port
 */
export function parseBenchmarkAddress(text: string, server: boolean): { host: string; port: number } {
  let host = text;
  let portText: string | undefined;
  const bracketed = /^\[([^\]]*)\](?::(.*))?$/.exec(text);
  if (bracketed) {
    host = bracketed[1];
    portText = bracketed[2];
  } else if (text.split(':').length === 2) {
    [host, portText] = text.split(':');
  } else if (text.includes(':')) {
    throw new UsageError(`write an IPv6 address in brackets, e.g. [::1]:9999, got ${JSON.stringify(text)}`);
  }
  if (host === '' && !server) throw new UsageError(`the address names no host: ${JSON.stringify(text)}`);
  if (/\s/.test(host)) throw new UsageError(`bad host ${JSON.stringify(host)}`);
  if (portText === undefined || portText === '') return { host, port: DEFAULT_BENCHMARK_PORT };
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535 || (port === 0 && !server)) {
    throw new UsageError(`bad port ${JSON.stringify(portText)} (${server ? '0' : '1'}–65535)`);
  }
  return { host, port };
}

/** `--metrics-port` (or `BROKER_METRICS_PORT`): a port, `9101/tcp` accepted. */
function metricsPortOption(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  try {
    return parsePortArg(text);
  } catch (error) {
    if (error instanceof ArgumentError) throw new UsageError(`--metrics-port: ${error.message}`);
    throw error;
  }
}

/** `--broker.ssl.*` as `{ ssl }`, or nothing when none is given. */
function sslOptions(v: Partial<Record<`broker.ssl.${keyof SslOptions}`, string | boolean>>): { ssl?: SslOptions } {
  const ssl: SslOptions = {};
  for (const key of ['certificate', 'key', 'passphrase', 'cafile', 'capath'] as const) {
    const value = v[`broker.ssl.${key}`];
    if (typeof value === 'string') ssl[key] = value;
  }
  return Object.keys(ssl).length === 0 ? {} : { ssl };
}

const CLIENT_ONLY = ['event-type', 'batch-rate', 'batch-size', 'batch-size-increase-interval', 'batch-size-increase-amount', 'max-in-flight', 'num-events', 'duration'] as const;

/**
 * Parses the arguments after the program name.
 * @throws UsageError for an unknown option, a missing or bad value, a missing or extra
 *   address, or an option of the other mode
 */
export function parseThroughputArgs(argv: readonly string[]): ThroughputOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: true,
      options: {
        server: { type: 'boolean' },
        'event-type': { type: 'string', short: 't' },
        'batch-rate': { type: 'string', short: 'r' },
        'batch-size': { type: 'string', short: 's' },
        'batch-size-increase-interval': { type: 'string', short: 'i' },
        'batch-size-increase-amount': { type: 'string', short: 'a' },
        'max-received': { type: 'string', short: 'm' },
        'max-in-flight': { type: 'string', short: 'f' },
        'num-events': { type: 'string', short: 'n' },
        duration: { type: 'string' },
        'disable-ssl': { type: 'boolean' },
        'broker.ssl.certificate': { type: 'string' },
        'broker.ssl.key': { type: 'string' },
        'broker.ssl.passphrase': { type: 'string' },
        'broker.ssl.cafile': { type: 'string' },
        'broker.ssl.capath': { type: 'string' },
        'metrics-port': { type: 'string' },
        verbose: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const v = parsed.values;
  if (v.help) return { mode: 'help' };
  if (parsed.positionals.length === 0) throw new UsageError(v.server ? 'missing <interface>:<port> to listen on' : 'missing <host>[:<port>] to connect to');
  if (parsed.positionals.length > 1) throw new UsageError(`one address expected, got ${parsed.positionals.map((p) => JSON.stringify(p)).join(' ')}`);
  const verbose = v.verbose ?? false;
  const disableSsl = v['disable-ssl'] ?? false;
  const ssl = sslOptions(v);
  const metricsPort = metricsPortOption(v['metrics-port'] ?? process.env.BROKER_METRICS_PORT);
  if (v.server) {
    const misplaced = CLIENT_ONLY.find((name) => v[name] !== undefined);
    if (misplaced !== undefined) throw new UsageError(`--${misplaced} is a client option, not for --server`);
    return { mode: 'server', ...parseBenchmarkAddress(parsed.positionals[0], true), verbose, disableSsl, ...ssl, metricsPort, maxReceived: integer('--max-received', v['max-received'], 1) };
  }
  if (v['max-received'] !== undefined) throw new UsageError('--max-received is a server option (use it with --server)');
  const typeText = v['event-type'] ?? '1';
  const eventType = Number(typeText) as BenchmarkEventType;
  if (!BENCHMARK_EVENT_TYPES.includes(eventType) || !/^\d$/.test(typeText)) throw new UsageError(`--event-type must be 1, 2 or 3, got ${JSON.stringify(typeText)}`);
  return {
    mode: 'client',
    ...parseBenchmarkAddress(parsed.positionals[0], false),
    verbose,
    disableSsl,
    ...ssl,
    metricsPort,
    eventType,
    batchRate: nonNegative('--batch-rate', v['batch-rate']) ?? 1,
    batchSize: integer('--batch-size', v['batch-size'], 1) ?? 1,
    batchSizeIncreaseInterval: nonNegative('--batch-size-increase-interval', v['batch-size-increase-interval']) ?? 0,
    batchSizeIncreaseAmount: integer('--batch-size-increase-amount', v['batch-size-increase-amount'], 0) ?? 0,
    maxInFlight: integer('--max-in-flight', v['max-in-flight'], 1),
    numEvents: integer('--num-events', v['num-events'], 1),
    durationSeconds: nonNegative('--duration', v.duration, true),
  };
}
