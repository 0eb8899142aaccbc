/**
 * Options of an {@link Endpoint}, their defaults and their validation.
 */
import { BrokerError } from '@broker-ts/data';
import type { Logger } from 'pino';
import { describeArg } from './argument-checks';
import { type Duration, toMilliseconds } from './duration';
import { isEndpointId, NIL_ENDPOINT_ID } from './native/endpoint-id';
import { type NativeTransport, nativeTransport } from './native/tls-options';

/** What a peer's bounded output buffer does when it is full. */
export type PeerOverflowPolicy = 'disconnect' | 'dropOldest' | 'dropNewest';

/**
 * What `Endpoint.publish` (fire-and-forget) does when the endpoint's publish buffer is
 * full: drop the new message, drop the oldest waiting one (both counted in
 * `stats().publishDrops`), or throw a `BrokerError` (code `unspecified`, Broker has no
 * code for it; nothing is dropped). Broker itself never refuses a publication.
 */
export type PublishOverflowPolicy = 'dropNewest' | 'dropOldest' | 'throw';

/**
 * TLS settings (Broker's `broker.ssl.*` options); any of them switches to verified TLS:
 * both sides present a certificate and verify the peer's against `cafile`/`capath`.
 */
export interface SslOptions {
  /** PEM certificate file. */
  certificate?: string;
  /** PEM private key file. */
  key?: string;
  /** CA file to verify peers with. */
  cafile?: string;
  /** Directory of CA certificates to verify peers with. */
  capath?: string;
  /** Passphrase of the key. */
  passphrase?: string;
}

/** Options of `new Endpoint(options)`. */
export interface EndpointOptions {
  /** Display name, in logs. */
  name?: string;
  /**
   * This endpoint's id, a UUID in 8-4-4-4-12 hex notation (default: a random one, as
   * Broker's `endpoint_id::random()`); read back lower-case from `Endpoint.id`. Like
   * `broker-node --endpoint-id`, it decides the handshake roles: of two peers, the one
   * with the smaller id is the originator, whoever connected. Two endpoints must never
   * share an id: peers, routing and store channels tell endpoints apart by it alone (a
   * peer presenting our own id is refused with `peer_invalid`). Meant for tests and for
   * reproducing a deployment, not for everyday use.
   */
  endpointId?: string;
  /** Relay messages received from peers to other peers (default true). */
  forward?: boolean;
  /** Hop limit of messages published here (default 20). */
  ttl?: number;
  /** Real time (default true); false: a virtual clock that `advanceTime()` drives. */
  useRealTime?: boolean;
  /**
   * Peer over plain TCP (default false: TLS, as Broker). Without `ssl` settings the TLS is
   * Broker's unauthenticated default (anonymous TLS 1.2), so that a default endpoint
   * peers with a default Zeek; see docs/interop.md.
   */
  disableSsl?: boolean;
  /** Verified TLS with certificates (ignored with `disableSsl`). */
  ssl?: SslOptions;
  /** Items buffered for each peer before the overflow policy applies (default 2048). */
  peerBufferSize?: number;
  /** What a full peer buffer does (default `disconnect`). */
  peerOverflowPolicy?: PeerOverflowPolicy;
  /** Default queue size of subscribers (default 64). */
  subscriberQueueSize?: number;
  /**
   * Messages that `publish`/`publishTo`/`publishBatch` and hubs hold for the core before
   * the publish overflow policy applies (default 262,144). Under the default
   * `peerOverflowPolicy` (`disconnect`) publications wait here until every peer they go to
   * has room, so a burst is delivered whole as long as it fits; the memory they hold is
   * this many of your messages at most.
   */
  publishBufferSize?: number;
  /** What a full publish buffer does (default `dropNewest`, counted in `stats().publishDrops`). */
  publishOverflowPolicy?: PublishOverflowPolicy;
  /**
   * Under `peerOverflowPolicy: 'disconnect'`: how long a peer may take no message at all
   * while publications wait for it before it is disconnected as a slow peer (default
   * 10 s; a peering opened with a retry is then re-established).
   */
  peerStallTimeout?: Duration;
  /** Root pino logger (default: pino at `BROKER_TS_LOG_LEVEL` or `warn`, to stderr). */
  logger?: Logger;
}

/** Options with every default applied. */
export interface ResolvedEndpointOptions {
  name: string;
  /** The chosen id (lower-case), or undefined for a random one. */
  endpointId: string | undefined;
  forward: boolean;
  ttl: number;
  useRealTime: boolean;
  disableSsl: boolean;
  ssl: SslOptions | undefined;
  /** The transport of peerings over TCP, from `disableSsl` and `ssl` (files read once). */
  transport: NativeTransport;
  peerBufferSize: number;
  peerOverflowPolicy: PeerOverflowPolicy;
  subscriberQueueSize: number;
  publishBufferSize: number;
  publishOverflowPolicy: PublishOverflowPolicy;
  peerStallTimeout: number;
  logger: Logger | undefined;
}

const POLICIES: readonly PeerOverflowPolicy[] = ['disconnect', 'dropOldest', 'dropNewest'];
const PUBLISH_POLICIES: readonly PublishOverflowPolicy[] = ['dropNewest', 'dropOldest', 'throw'];

function positiveInt(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new BrokerError('invalid_data', `${what} must be a positive integer, got ${describeArg(value)}`);
  }
  return value;
}

function bool(value: unknown, what: string): boolean {
  if (typeof value !== 'boolean') throw new BrokerError('invalid_data', `${what} must be a boolean, got ${describeArg(value)}`);
  return value;
}

/** Checks `endpointId`: a UUID other than the nil one (Broker's "no endpoint"). */
function endpointIdOption(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !isEndpointId(value)) {
    throw new BrokerError('invalid_data', `endpointId must be a UUID (8-4-4-4-12 hex digits), got ${describeArg(value)}`);
  }
  const id = value.toLowerCase();
  if (id === NIL_ENDPOINT_ID) throw new BrokerError('invalid_data', 'endpointId must not be the nil UUID (all zeros): Broker reads it as "no endpoint"');
  return id;
}

/** The options `new Endpoint` knows: a misspelt one (`disableSSL`) would otherwise be ignored. */
const KNOWN_OPTIONS: ReadonlySet<string> = new Set<keyof EndpointOptions>([
  'name', 'endpointId', 'forward', 'ttl', 'useRealTime', 'disableSsl', 'ssl', 'peerBufferSize', 'peerOverflowPolicy',
  'subscriberQueueSize', 'publishBufferSize', 'publishOverflowPolicy', 'peerStallTimeout', 'logger',
]);

/** @throws BrokerError `invalid_data` naming an unknown option (and the known one it resembles) */
function checkKnownOptions(options: object): void {
  for (const key of Object.keys(options)) {
    if (KNOWN_OPTIONS.has(key)) continue;
    const like = [...KNOWN_OPTIONS].find((k) => k.toLowerCase() === key.toLowerCase());
    throw new BrokerError('invalid_data', `unknown endpoint option ${JSON.stringify(key)}${like === undefined ? '' : ` (did you mean ${like}?)`}`);
  }
}

/**
 * Applies defaults and checks every option.
 * @throws BrokerError `invalid_data` naming the first bad option; `cannot_open_file` for
 *   an `ssl` file that cannot be read
 */
export function resolveEndpointOptions(options: EndpointOptions = {}): ResolvedEndpointOptions {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) throw new BrokerError('invalid_data', `endpoint options must be an object, got ${describeArg(options)}`);
  checkKnownOptions(options);
  if (options.name !== undefined && typeof options.name !== 'string') throw new BrokerError('invalid_data', `name must be a string, got ${describeArg(options.name)}`);
  const logger = options.logger;
  if (logger !== undefined && (logger === null || typeof logger !== 'object' || typeof logger.child !== 'function' || typeof logger.warn !== 'function')) {
    throw new BrokerError('invalid_data', `logger must be a pino logger, got ${describeArg(logger)}`);
  }
  const policy = options.peerOverflowPolicy ?? 'disconnect';
  if (!POLICIES.includes(policy)) {
    throw new BrokerError('invalid_data', `peerOverflowPolicy must be one of ${POLICIES.join(', ')}, got ${describeArg(policy)}`);
  }
  const publishPolicy = options.publishOverflowPolicy ?? 'dropNewest';
  if (!PUBLISH_POLICIES.includes(publishPolicy)) {
    throw new BrokerError('invalid_data', `publishOverflowPolicy must be one of ${PUBLISH_POLICIES.join(', ')}, got ${describeArg(publishPolicy)}`);
  }
  const ttl = positiveInt(options.ttl ?? 20, 'ttl');
  const disableSsl = bool(options.disableSsl ?? false, 'disableSsl');
  if (ttl > 0xffff) throw new BrokerError('invalid_data', `ttl must be at most 65535, got ${ttl}`);
  return {
    name: options.name ?? 'endpoint',
    endpointId: endpointIdOption(options.endpointId),
    forward: bool(options.forward ?? true, 'forward'),
    ttl,
    useRealTime: bool(options.useRealTime ?? true, 'useRealTime'),
    disableSsl,
    ssl: options.ssl,
    transport: nativeTransport({ disableSsl, ssl: options.ssl }),
    peerBufferSize: positiveInt(options.peerBufferSize ?? 2048, 'peerBufferSize'),
    peerOverflowPolicy: policy,
    subscriberQueueSize: positiveInt(options.subscriberQueueSize ?? 64, 'subscriberQueueSize'),
    publishBufferSize: positiveInt(options.publishBufferSize ?? 262_144, 'publishBufferSize'),
    publishOverflowPolicy: publishPolicy,
    peerStallTimeout: toMilliseconds(options.peerStallTimeout ?? 10_000, 'peerStallTimeout'),
    logger,
  };
}
