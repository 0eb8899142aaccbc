/**
 * Command-line options that `broker-node` and `broker-pipe` share, on commander: Broker's
 * endpoint options (`--disable-ssl`, `--broker.ssl.*`, `--disable-forwarding`, `--ttl`,
 * `--peer-buffer-size`, the metrics port) with their `BROKER_*` environment variables,
 * the value parsers of tool-arguments.ts as commander takes them, and the run of a
 * parsed program with Broker's exit codes.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';

import type { EndpointOptions } from '@broker-ts/broker';

import {
  ArgumentError, collectList as collect, parseCountArg as parseCount, parseDurationArg as parseDuration, parseHostArg as parseHost, parseHostPortArg,
  parsePayloadSizeArg as parsePayloadSize, parsePeerUriArg, parsePortArg as parsePort,
} from './tool-arguments';
import type { ToolOutput } from './tool-output';

/** Makes a parser report its {@link ArgumentError} as commander's usage error. */
function forCommander<T>(parse: (value: string) => T): (value: string) => T {
  return (value) => {
    try {
      return parse(value);
    } catch (error) {
      if (error instanceof ArgumentError) throw new InvalidArgumentError(error.message);
      throw error;
    }
  };
}

/** A port (`9999`, `9999/tcp`) as a commander value parser. */
export const parsePortArg = forCommander(parsePort);
/** A CAF duration (`250ms`) in milliseconds, as a commander value parser. */
export const parseDurationArg = forCommander(parseDuration);
/** A non-negative integer, as a commander value parser. */
export const parseCountArg = forCommander(parseCount);
/** broker-node's ping payload size (a count, at most 16,000,000), as a commander value parser. */
export const parsePayloadSizeArg = forCommander(parsePayloadSize);
/** A bind address (not empty), as a commander value parser. */
export const parseHostArg = forCommander(parseHost);
/** Collects a repeated or list-valued option (`-t /a,/b`, `--topics=[/a,/b]`). */
export const collectList = collect;

/**
 * Collects a list option of peer addresses as {@link collectList} does, checking each
 * with `parse` so that a bad one is a usage error before the tool starts.
 */
function collectPeers(parse: (value: string) => unknown): (value: string, previous: string[] | undefined) => string[] {
  const check = forCommander(parse);
  return (value, previous) => {
    const items = collect(value, undefined);
    for (const item of items) check(item);
    return [...(previous ?? []), ...items];
  };
}

/** broker-node's `--peers`: `tcp://<host>:<port>` addresses, each checked, as a commander collector. */
export const collectPeerUris = collectPeers(parsePeerUriArg);
/** broker-pipe's `--peers`: `<host>:<port>` addresses, each checked, as a commander collector. */
export const collectHostPorts = collectPeers(parseHostPortArg);

/** The endpoint options both tools take, as commander hands them over. */
export interface EndpointFlags {
  /** `--disable-ssl`. */
  disableSsl?: boolean;
  /** `--disable-forwarding`: the endpoint's `forward: false`. */
  disableForwarding?: boolean;
  /** `--ttl`. */
  ttl?: number;
  /** `--peer-buffer-size`. */
  peerBufferSize?: number;
  /** `--broker.ssl.certificate`. */
  'broker.ssl.certificate'?: string;
  /** `--broker.ssl.key`. */
  'broker.ssl.key'?: string;
  /** `--broker.ssl.passphrase`. */
  'broker.ssl.passphrase'?: string;
  /** `--broker.ssl.cafile`. */
  'broker.ssl.cafile'?: string;
  /** `--broker.ssl.capath`. */
  'broker.ssl.capath'?: string;
  /** `--metrics-port` or `BROKER_METRICS_PORT`. */
  metricsPort?: number;
  /** `--metrics-address`. */
  metricsAddress?: string;
  /** `--web-socket-port` or `BROKER_WEB_SOCKET_PORT`. */
  webSocketPort?: number;
  /** `--web-socket-address`. */
  webSocketAddress?: string;
  /** `--endpoint-id` (broker-node only, as in Broker). */
  endpointId?: string;
}

/** Adds Broker's endpoint options and the metrics port to a tool's command. */
export function addEndpointFlags(cmd: Command): Command {
  return cmd
    .option('--disable-ssl', "use unencrypted communication (default: TLS, anonymous unless certificates are given, as Broker's)")
    .option('--disable-forwarding', 'do not forward messages received from peers to other peers')
    .option('--ttl <hops>', 'drop messages after traversing this many hops (default 20)', parseCountArg)
    .option('--peer-buffer-size <n>', 'messages buffered per peer before its overflow policy applies (default 2048)', parseCountArg)
    .option('--broker.ssl.certificate <file>', 'PEM certificate of this node (verified TLS)')
    .option('--broker.ssl.key <file>', 'private key of this node (verified TLS)')
    .option('--broker.ssl.passphrase <text>', 'passphrase of the key')
    .option('--broker.ssl.cafile <file>', 'concatenated PEM certificates to trust (verified TLS)')
    .option('--broker.ssl.capath <dir>', 'directory of PEM certificates to trust (verified TLS)')
    .addOption(new Option('--metrics-port <port>', 'serve Prometheus metrics at /metrics and the status at /v1/status/json on this port (0: pick one)').argParser(parsePortArg).env('BROKER_METRICS_PORT'))
    .addOption(new Option('--broker.metrics.port <port>', "same as --metrics-port (Broker's name)").argParser(parsePortArg).hideHelp())
    .option('--metrics-address <host>', 'bind address of the metrics server (default 127.0.0.1)', parseHostArg)
    .addOption(new Option('--web-socket-port <port>', "serve Broker's WebSocket JSON API at /v1/messages/json on this port (0: pick one)").argParser(parsePortArg).env('BROKER_WEB_SOCKET_PORT'))
    .addOption(new Option('--broker.web-socket.port <port>', "same as --web-socket-port (Broker's name)").argParser(parsePortArg).hideHelp())
    .option('--web-socket-address <host>', 'bind address of the WebSocket server (default 127.0.0.1)', parseHostArg);
}

/**
 * Turns the parsed flags into endpoint options. TLS files go to `ssl` unchanged; a file
 * that cannot be read is the endpoint's `BrokerError` (`cannot_open_file`), which the
 * tools report.
 */
export function endpointOptionsFrom(flags: EndpointFlags & Record<string, unknown>, name: string): EndpointOptions {
  const options: EndpointOptions = { name };
  if (flags.disableSsl === true) options.disableSsl = true;
  if (flags.disableForwarding === true) options.forward = false;
  if (flags.ttl !== undefined) options.ttl = flags.ttl;
  if (flags.peerBufferSize !== undefined) options.peerBufferSize = flags.peerBufferSize;
  if (flags.endpointId !== undefined) options.endpointId = flags.endpointId;
  const ssl = {
    certificate: flags['broker.ssl.certificate'],
    key: flags['broker.ssl.key'],
    passphrase: flags['broker.ssl.passphrase'],
    cafile: flags['broker.ssl.cafile'],
    capath: flags['broker.ssl.capath'],
  };
  if (Object.values(ssl).some((v) => v !== undefined)) options.ssl = Object.fromEntries(Object.entries(ssl).filter(([, v]) => v !== undefined));
  return options;
}

/** The metrics port from `--metrics-port`, `--broker.metrics.port` or `BROKER_METRICS_PORT`. */
export function metricsPortFrom(flags: EndpointFlags & Record<string, unknown>): number | undefined {
  return flags.metricsPort ?? (flags['broker.metrics.port'] as number | undefined);
}

/** The WebSocket port from `--web-socket-port`, `--broker.web-socket.port` or `BROKER_WEB_SOCKET_PORT`. */
export function webSocketPortFrom(flags: EndpointFlags & Record<string, unknown>): number | undefined {
  return flags.webSocketPort ?? (flags['broker.web-socket.port'] as number | undefined);
}

/** The line after a usage error that points to the tool's help. */
function helpPointer(tool: string): string {
  return `(run ${tool} --help for the options)`;
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
    .showHelpAfterError(helpPointer(cmd.name()));
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
 * Reports a bad command-line value found after parsing (e.g. one the endpoint refuses)
 * as commander reports the others: `error: <message>` and the pointer to `--help` on
 * `io.err`.
 * @returns the exit status of a bad command line, {@link USAGE_EXIT}
 */
export function usageError(tool: string, message: string, io: ToolOutput): number {
  io.err(`error: ${message}`);
  io.err(helpPointer(tool));
  return USAGE_EXIT;
}

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
