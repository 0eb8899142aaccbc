/**
 * Command-line options that `broker-node` and `broker-pipe` share, on commander: Broker's
 * endpoint options (`--disable-ssl`, `--broker.ssl.*`, `--disable-forwarding`, `--ttl`,
 * `--peer-buffer-size`, the metrics port) with their `BROKER_*` environment variables,
 * value parsers for Broker's notations (Zeek-style ports `9999/tcp`, CAF durations
 * `250ms`, CAF lists `[a,b]`), and the run of a parsed program with Broker's exit codes.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';

import type { EndpointOptions } from '@broker-ts/broker';

import type { ToolOutput } from './tool-output';

/**
 * Parses a port: a number 0..65535 or Zeek's `<number>/<protocol>` notation
 * (`9999/tcp`), as Broker's tools and `BROKER_PORT` take it.
 * @throws InvalidArgumentError for anything else
 */
export function parsePortArg(value: string): number {
  const m = /^(\d+)(?:\/(tcp|udp|icmp|\?))?$/.exec(value.trim());
  const port = m === null ? NaN : Number(m[1]);
  if (!Number.isInteger(port) || port > 65535) throw new InvalidArgumentError(`expected a port number 0..65535 or <number>/tcp, got "${value}"`);
  return port;
}

const DURATION_UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, ms: 1, s: 1000, min: 60_000, h: 3_600_000 };

/**
 * Parses a duration in CAF's notation (`250ms`, `1s`, `1.5s`, `2min`, `1h`, `100us`)
 * into milliseconds.
 * @throws InvalidArgumentError without a unit or with an unknown one
 */
export function parseDurationArg(value: string): number {
  const m = /^(\d+(?:\.\d+)?)(ns|us|ms|s|min|h)$/.exec(value.trim());
  if (m === null) throw new InvalidArgumentError(`expected a duration such as 250ms, 1s or 2min, got "${value}"`);
  return Number(m[1]) * DURATION_UNITS[m[2]];
}

/**
 * Parses a non-negative integer.
 * @throws InvalidArgumentError otherwise
 */
export function parseCountArg(value: string): number {
  if (!/^\d+$/.test(value.trim())) throw new InvalidArgumentError(`expected a non-negative integer, got "${value}"`);
  return Number(value);
}

/**
 * Collects a list option given several times, as a comma-separated list, or in CAF's
 * list notation (`--topics=[/a,/b]`, quotes allowed): all three add to the list.
 */
export function collectList(value: string, previous: string[] | undefined): string[] {
  const inner = value.trim().replace(/^\[(.*)\]$/s, '$1');
  const items = inner
    .split(',')
    .map((s) => s.trim().replace(/^(["'])(.*)\1$/, '$2'))
    .filter((s) => s !== '');
  return [...(previous ?? []), ...items];
}

/** The endpoint options both tools take, as commander hands them over. */
export interface EndpointFlags {
  disableSsl?: boolean;
  disableForwarding?: boolean;
  ttl?: number;
  peerBufferSize?: number;
  'broker.ssl.certificate'?: string;
  'broker.ssl.key'?: string;
  'broker.ssl.passphrase'?: string;
  'broker.ssl.cafile'?: string;
  metricsPort?: number;
  metricsAddress?: string;
}

/** Adds Broker's endpoint options and the metrics port to a tool's command. */
export function addEndpointFlags(cmd: Command): Command {
  return cmd
    .option('--disable-ssl', 'use unencrypted communication (broker-ts peers over plain TCP: always the case today)')
    .option('--disable-forwarding', 'do not forward messages received from peers to other peers')
    .option('--ttl <hops>', 'drop messages after traversing this many hops (default 20)', parseCountArg)
    .option('--peer-buffer-size <n>', 'messages buffered per peer before its overflow policy applies (default 2048)', parseCountArg)
    .option('--broker.ssl.certificate <file>', 'PEM certificate of this node (TLS: not implemented yet, refused)')
    .option('--broker.ssl.key <file>', 'private key of this node (TLS: not implemented yet, refused)')
    .option('--broker.ssl.passphrase <text>', 'passphrase of the key (TLS: not implemented yet, refused)')
    .option('--broker.ssl.cafile <file>', 'concatenated PEM certificates to trust (TLS: not implemented yet, refused)')
    .addOption(new Option('--metrics-port <port>', 'serve Prometheus metrics at /metrics and the status at /v1/status/json on this port (0: pick one)').argParser(parsePortArg).env('BROKER_METRICS_PORT'))
    .addOption(new Option('--broker.metrics.port <port>', "same as --metrics-port (Broker's name)").argParser(parsePortArg).hideHelp())
    .option('--metrics-address <host>', 'bind address of the metrics server (default 127.0.0.1)');
}

/**
 * Turns the parsed flags into endpoint options. TLS files go to `ssl` unchanged, so they
 * take effect once broker-ts speaks TLS; until then the endpoint refuses them with a
 * `BrokerError`, which the tools report.
 */
export function endpointOptionsFrom(flags: EndpointFlags & Record<string, unknown>, name: string): EndpointOptions {
  const options: EndpointOptions = { name };
  if (flags.disableSsl === true) options.disableSsl = true;
  if (flags.disableForwarding === true) options.forward = false;
  if (flags.ttl !== undefined) options.ttl = flags.ttl;
  if (flags.peerBufferSize !== undefined) options.peerBufferSize = flags.peerBufferSize;
  const ssl = {
    certificate: flags['broker.ssl.certificate'],
    key: flags['broker.ssl.key'],
    passphrase: flags['broker.ssl.passphrase'],
    cafile: flags['broker.ssl.cafile'],
  };
  if (Object.values(ssl).some((v) => v !== undefined)) options.ssl = Object.fromEntries(Object.entries(ssl).filter(([, v]) => v !== undefined));
  return options;
}

/** The metrics port from `--metrics-port`, `--broker.metrics.port` or `BROKER_METRICS_PORT`. */
export function metricsPortFrom(flags: EndpointFlags & Record<string, unknown>): number | undefined {
  return flags.metricsPort ?? (flags['broker.metrics.port'] as number | undefined);
}

/** Thrown by {@link parseCommand} when the command line asks for help or version: exit 0. */
export class HelpShown extends Error {}

/**
 * Parses a tool's arguments. Help goes to `io.out`; errors (unknown options, bad values,
 * missing arguments) go to `io.err` with a hint to `--help`.
 * @returns the parsed options
 * @throws HelpShown after printing the help; CommanderError (with `exitCode` 2) on a bad command line
 */
export function parseCommand<T>(cmd: Command, argv: readonly string[], io: ToolOutput): T {
  cmd
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.replace(/\n$/, '')), writeErr: (s) => io.err(s.replace(/\n$/, '')) })
    .showHelpAfterError(`(run ${cmd.name()} --help for the options)`);
  try {
    cmd.parse([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.help' || error.code === 'commander.version') throw new HelpShown();
      error.exitCode = 2;
    }
    throw error;
  }
  return cmd.opts<T & Record<string, unknown>>();
}

/** Exit status for a bad command line (as `broker-throughput`). */
export const USAGE_EXIT = 2;

/**
 * Runs a parsed tool with Broker's exit codes: 0 for help, 2 for a bad command line,
 * otherwise what `run` returns.
 */
export async function runParsed<T>(cmd: Command, argv: readonly string[], io: ToolOutput, run: (options: T) => Promise<number>): Promise<number> {
  let options: T;
  try {
    options = parseCommand<T>(cmd, argv, io);
  } catch (error) {
    if (error instanceof HelpShown) return 0;
    if (error instanceof CommanderError) return USAGE_EXIT;
    throw error;
  }
  return run(options);
}
