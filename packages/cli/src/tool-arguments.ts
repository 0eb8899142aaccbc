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

/**
 * Parses a bind address (`--metrics-address`, `--web-socket-address`): a host name or
 * address, not empty (an empty one would bind every interface).
 * @throws ArgumentError for an empty or blank value
 */
export function parseHostArg(value: string): string {
  if (value.trim() === '') throw new ArgumentError(`expected a host name or address, got "${value}"`);
  return value;
}

const DURATION_UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, ms: 1, s: 1000, min: 60_000, h: 3_600_000 };

/**
 * Parses a duration in CAF's notation (`250ms`, `1s`, `1.5s`, `2min`, `1h`, `100us`)
 * into milliseconds.
 * @throws ArgumentError without a unit or with an unknown one, or for a number too large
 *   to be finite
 */
export function parseDurationArg(value: string): number {
  const m = /^(\d+(?:\.\d+)?)(ns|us|ms|s|min|h)$/.exec(value.trim());
  // So many digits that the number is Infinity are no duration either.
  const ms = m === null ? NaN : Number(m[1]) * DURATION_UNITS[m[2]];
  if (!Number.isFinite(ms)) throw new ArgumentError(`expected a duration such as 250ms, 1s or 2min, got "${value}"`);
  return ms;
}

/**
 * Parses a non-negative integer.
 * @throws ArgumentError otherwise
 */
export function parseCountArg(value: string): number {
  if (!/^\d+$/.test(value.trim())) throw new ArgumentError(`expected a non-negative integer, got "${value}"`);
  return Number(value);
}

/** The largest ping payload: the message must fit a peer's 16 MiB frame with room to spare. */
export const MAX_PAYLOAD_SIZE = 16_000_000;

/**
 * Parses broker-node's `--payload-size`: a count of bytes up to {@link MAX_PAYLOAD_SIZE}.
 * @throws ArgumentError for anything else
 */
export function parsePayloadSizeArg(value: string): number {
  const n = parseCountArg(value);
  if (n > MAX_PAYLOAD_SIZE) throw new ArgumentError(`expected at most ${MAX_PAYLOAD_SIZE} bytes (a message must fit a 16 MiB frame), got "${value}"`);
  return n;
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

/** A peer's address, as the tools' peer options give it. */
export interface PeerAddress {
  /** Host name or address (an IPv6 address without its brackets). */
  host: string;
  /** Port, 1..65535. */
  port: number;
}

/**
 * Splits `<host>:<port>` (IPv6 hosts in brackets) into a peer address.
 * @param authority - the text after any scheme
 * @param whole - the value as given, for the message
 * @param form - the expected notation, for the message
 * @throws ArgumentError naming what is wrong: no host, no port, a port that is no number
 *   or not in 1..65535 (a peer needs a port to connect to: 0 is not one)
 */
function splitHostPort(authority: string, whole: string, form: string): PeerAddress {
  const m = /^(\[[^\]]*\]|[^:[\]/]*)(?::([^:]*))?$/.exec(authority);
  const host = m?.[1].replace(/^\[(.*)\]$/, '$1') ?? '';
  const portText = m?.[2] ?? '';
  const port = Number(portText);
  let why: string | undefined;
  if (m === null) why = authority.split(':').length > 2 ? 'an IPv6 address goes in brackets ([::1]:9999)' : 'not a host and a port';
  else if (host === '') why = 'no host';
  else if (portText === '') why = 'no port';
  else if (!/^\d+$/.test(portText)) why = `the port "${portText}" is not a number`;
  else if (port < 1 || port > 65535) why = `the port must be 1..65535, not ${portText}`;
  if (why !== undefined) throw new ArgumentError(`expected ${form}, got "${whole}": ${why}`);
  return { host, port };
}

/**
 * Parses a `tcp://<host>:<port>` peer address (IPv6 hosts in brackets, a trailing `/`
 * allowed), as broker-node's `--peers` takes it.
 * @throws ArgumentError naming what is wrong: no `tcp://` scheme, another scheme, no
 *   host, no port, a port not in 1..65535
 */
export function parsePeerUriArg(uri: string): PeerAddress {
  const form = 'tcp://<host>:<port>';
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(uri);
  if (scheme === null) throw new ArgumentError(`expected ${form}, got "${uri}": no tcp:// scheme`);
  if (scheme[1] !== 'tcp') throw new ArgumentError(`expected ${form}, got "${uri}": the scheme must be tcp, not ${scheme[1]}`);
  return splitHostPort(uri.slice(scheme[0].length).replace(/\/$/, ''), uri, form);
}

/**
 * Parses a `<host>:<port>` peer address (IPv6 hosts in brackets), as broker-pipe's
 * `--peers` takes it.
 * @throws ArgumentError naming what is wrong: no host, no port, a port not in 1..65535
 */
export function parseHostPortArg(text: string): PeerAddress {
  return splitHostPort(text, text, '<host>:<port>');
}

/**
 * A `tcp://<host>:<port>` peer address (IPv6 hosts in brackets), or undefined for
 * anything {@link parsePeerUriArg} refuses (another scheme, no host or port, a port not
 * in 1..65535).
 */
export function parsePeerUri(uri: string): PeerAddress | undefined {
  return unlessRefused(parsePeerUriArg, uri);
}

/**
 * A `<host>:<port>` peer address as broker-pipe takes it (IPv6 hosts in brackets), or
 * undefined for anything {@link parseHostPortArg} refuses (no host or port, a port not
 * in 1..65535).
 */
export function parseHostPort(text: string): PeerAddress | undefined {
  return unlessRefused(parseHostPortArg, text);
}

/** What `parse` makes of `text`, or undefined where it throws an {@link ArgumentError}. */
function unlessRefused<T>(parse: (text: string) => T, text: string): T | undefined {
  try {
    return parse(text);
  } catch (error) {
    if (error instanceof ArgumentError) return undefined;
    throw error;
  }
}
