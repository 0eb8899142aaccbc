/**
 * Parsers of the tools' option values in Broker's notations: Zeek-style ports
 * (`9999/tcp`), CAF durations (`250ms`) and lists (`[/a,/b]`), peer addresses
 * (`tcp://host:port`, `host:port`). Plain functions without I/O; the command-line layer
 * (tool-options.ts) turns their {@link ArgumentError} into commander's usage errors.
 */

/** A value that does not parse; the message says what was expected and what came. */
export class ArgumentError extends Error {
  override readonly name = 'ArgumentError';
}

/**
 * Parses a port: a number 0..65535 or Zeek's `<number>/<protocol>` notation
 * (`9999/tcp`), as Broker's tools and `BROKER_PORT` take it.
 * @throws ArgumentError for anything else
 */
export function parsePortArg(value: string): number {
  const m = /^(\d+)(?:\/(tcp|udp|icmp|\?))?$/.exec(value.trim());
  const port = m === null ? NaN : Number(m[1]);
  if (!Number.isInteger(port) || port > 65535) throw new ArgumentError(`expected a port number 0..65535 or <number>/tcp, got "${value}"`);
  return port;
}

const DURATION_UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, ms: 1, s: 1000, min: 60_000, h: 3_600_000 };

/**
 * Parses a duration in CAF's notation (`250ms`, `1s`, `1.5s`, `2min`, `1h`, `100us`)
 * into milliseconds.
 * @throws ArgumentError without a unit or with an unknown one
 */
export function parseDurationArg(value: string): number {
  const m = /^(\d+(?:\.\d+)?)(ns|us|ms|s|min|h)$/.exec(value.trim());
  if (m === null) throw new ArgumentError(`expected a duration such as 250ms, 1s or 2min, got "${value}"`);
  return Number(m[1]) * DURATION_UNITS[m[2]];
}

/**
 * Parses a non-negative integer.
 * @throws ArgumentError otherwise
 */
export function parseCountArg(value: string): number {
  if (!/^\d+$/.test(value.trim())) throw new ArgumentError(`expected a non-negative integer, got "${value}"`);
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

/**
 * A `tcp://<host>:<port>` peer address (IPv6 hosts in brackets), or undefined when the
 * scheme is not `tcp` or the authority is missing.
 */
export function parsePeerUri(uri: string): { host: string; port: number } | undefined {
  const m = /^tcp:\/\/(\[[^\]]+\]|[^:/]+):(\d+)\/?$/.exec(uri);
  if (m === null || Number(m[2]) > 65535) return undefined;
  return { host: m[1].replace(/^\[(.*)\]$/, '$1'), port: Number(m[2]) };
}

/**
 * A `<host>:<port>` peer address as broker-pipe takes it (IPv6 hosts in brackets), or
 * undefined for anything else.
 */
export function parseHostPort(text: string): { host: string; port: number } | undefined {
  const m = /^(\[[^\]]+\]|[^:\[\]]+):(\d+)$/.exec(text);
  if (m === null || Number(m[2]) > 65535) return undefined;
  return { host: m[1].replace(/^\[(.*)\]$/, '$1'), port: Number(m[2]) };
}
