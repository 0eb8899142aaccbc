/**
 * The lifecycle of the peerings an endpoint opens (`Endpoint.peer`): attempts, retries,
 * the callers waiting for the outcome, and the error event each failed attempt reports.
 * No I/O: the core feeds it what happened (an attempt reached a node, the handshake
 * succeeded or failed, the peer went away) and carries out the returned steps (arm or
 * cancel the peering's one timer, connect, report an error). Broker splits its core the
 * same way: `libbroker/broker/internal/connector.cc` makes the attempts and retries,
 * `libbroker/broker/internal/peering.hh` holds an established peering.
 */
import { type ErrorCodeName, Timespan } from '@broker-ts/data';
import type { NetworkInfo } from './endpoint-info';

/** The one timer a peering needs after a step (any earlier one is cancelled first). */
export type PeeringTimer =
  /** No timer. */
  | { kind: 'none' }
  /** The handshake timeout of attempt `attempt`: when it fires, that attempt failed with `peer_timeout`. */
  | { kind: 'handshake'; attempt: number; ms: number }
  /** The next attempt, after `ms`. */
  | { kind: 'retry'; ms: number };

/** What the core does after a transition of one peering. */
export interface PeeringStep {
  /** The peering (`host:port`). */
  key: string;
  /** The timer the peering needs now. */
  timer: PeeringTimer;
  /** Start this attempt: connect to `host:port`, or go straight to the handshake with the linked node `via`. */
  connect?: { attempt: number; host: string; port: number; via: string | undefined };
  /** An error event to report on the status subscribers, and the log level of its line. */
  error?: { code: ErrorCodeName; network: NetworkInfo; message: string; level: 'warn' | 'debug' };
  /** A log line: the peering came up after failed attempts, or is retried after its peer was lost. */
  event?: 'recovered' | 'reconnecting';
}

/** What `peers()` reports of a peering that is not up. */
export interface PendingPeering {
  network: NetworkInfo;
  /** True after the first success: the peering is being re-established. */
  reconnecting: boolean;
}

/** One outbound peering. */
interface Peering {
  key: string;
  host: string;
  port: number;
  retryMs: number;
  /** Counts attempts; continuations of an older attempt are ignored. */
  attempt: number;
  /** Set once a failed attempt was reported as a warning; later ones log at debug. */
  warned: boolean;
  /** Resolvers of `peer()` calls waiting for the outcome. */
  waiters: Array<(ok: boolean) => void>;
  /** The node the current attempt reached and shakes hands with (unset otherwise). */
  node: string | undefined;
  /** The peer's endpoint id once peered. */
  peer: string | undefined;
  /** True after the first success: later attempts are reconnections. */
  reconnecting: boolean;
  /** The node to peer with over an existing link (a worker's MessagePort) instead of TCP. */
  via: string | undefined;
}

/**
 * The outbound peerings of one endpoint, by `host:port`. Bounded by the `peer()` calls
 * not undone by `unpeer()` or a final failure.
 */
export class OutboundPeerings {
  private readonly peerings = new Map<string, Peering>();
  /** Set by {@link OutboundPeerings.stop}: no new attempt, no retry. */
  private stopped = false;

  /**
   * @param handshakeTimeoutMs - how long an attempt may take before it counts as failed
   * @param isPeered - whether the endpoint has an established peering with this peer id
   */
  constructor(
    private readonly handshakeTimeoutMs: number,
    private readonly isPeered: (peer: string) => boolean,
  ) {}

  /**
   * A `peer()` call: starts a peering to `host:port`, or joins the one in progress (taking
   * its new retry interval).
   * @returns `peered` when it is up already; else the step of its first attempt, if this
   *   call started it
   */
  request(host: string, port: number, retryMs: number, via: string | undefined): { key: string; peered: boolean; step: PeeringStep | undefined } {
    const key = `${host}:${port}`;
    const p = this.peerings.get(key);
    if (p?.peer !== undefined && this.isPeered(p.peer)) return { key, peered: true, step: undefined };
    if (p !== undefined) {
      p.retryMs = retryMs;
      return { key, peered: false, step: undefined };
    }
    this.peerings.set(key, { key, host, port, retryMs, attempt: 0, warned: false, waiters: [], node: undefined, peer: undefined, reconnecting: false, via });
    return { key, peered: false, step: this.attempt(key) };
  }

  /** Resolves with the outcome of the peering: true once up, false once given up or removed. */
  wait(key: string): Promise<boolean> {
    const p = this.peerings.get(key);
    if (p === undefined) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => p.waiters.push(resolve));
  }

  /** Starts the next attempt (a first one, or a retry whose timer fired); undefined when the peering is gone or stopped. */
  attempt(key: string): PeeringStep | undefined {
    const p = this.peerings.get(key);
    if (p === undefined || this.stopped) return undefined;
    const attempt = ++p.attempt;
    return { key, timer: { kind: 'handshake', attempt, ms: this.handshakeTimeoutMs }, connect: { attempt, host: p.host, port: p.port, via: p.via } };
  }

  /** Whether `attempt` is the current attempt of the peering (older continuations are ignored). */
  isCurrent(key: string, attempt: number): boolean {
    return this.peerings.get(key)?.attempt === attempt;
  }

  /** The current attempt reached `node`'s endpoint and says hello to it. */
  reached(key: string, attempt: number, node: string): void {
    const p = this.peerings.get(key);
    if (p !== undefined && p.attempt === attempt) p.node = node;
  }

  /** The peering whose current attempt shakes hands with `node`, if any. */
  handshaking(node: string): { key: string; attempt: number; network: NetworkInfo } | undefined {
    for (const p of this.peerings.values()) if (p.node === node) return { key: p.key, attempt: p.attempt, network: networkOf(p) };
    return undefined;
  }

  /** Where the peering goes, as statuses report it (host, port, retry). */
  network(key: string): NetworkInfo | undefined {
    const p = this.peerings.get(key);
    return p === undefined ? undefined : networkOf(p);
  }

  /** Records the peer the peering reached (kept for reconnection and `peers()`). */
  peered(key: string, peer: string): void {
    const p = this.peerings.get(key);
    if (p !== undefined) p.peer = peer;
  }

  /** The handshake completed: the waiters hear true. */
  succeeded(key: string): PeeringStep {
    const p = this.peerings.get(key);
    if (p === undefined) return { key, timer: { kind: 'none' } };
    const recovered = p.warned;
    p.warned = false;
    p.node = undefined;
    p.reconnecting = true;
    settle(p, true);
    return { key, timer: { kind: 'none' }, event: recovered ? 'recovered' : undefined };
  }

  /**
   * Attempt `attempt` failed (a timeout is `peer_timeout`, reported as `peer_unavailable`):
   * reports the error (a warning the first time, then at debug) and retries after
   * `retryMs`, or gives up (the waiters hear false).
   * @returns undefined when it is not the current attempt or the peering is up
   */
  failed(key: string, attempt: number, code: ErrorCodeName, message: string): PeeringStep | undefined {
    const p = this.peerings.get(key);
    if (p === undefined || p.attempt !== attempt || (p.peer !== undefined && this.isPeered(p.peer))) return undefined;
    p.node = undefined;
    // A human hears of a peering that fails once; its retries go to the debug log.
    const level = p.warned ? 'debug' : 'warn';
    p.warned = true;
    const retry = p.retryMs > 0 && !this.stopped;
    const error = { code: code === 'peer_timeout' ? 'peer_unavailable' : code, network: networkOf(p), message: retry ? `${message} (retrying every ${p.retryMs} ms)` : message, level } as const;
    if (retry) return { key, timer: { kind: 'retry', ms: p.retryMs }, error };
    return { ...this.forget(p), error };
  }

  /**
   * The established peering of this key ended. With `reconnect` and a retry interval (and
   * not stopped) it is retried after `retryMs`; otherwise it is forgotten.
   */
  peerEnded(key: string, reconnect: boolean): PeeringStep | undefined {
    const p = this.peerings.get(key);
    if (p === undefined) return undefined;
    if (!reconnect || p.retryMs <= 0 || this.stopped) return this.forget(p);
    p.peer = undefined;
    p.node = undefined;
    return { key, timer: { kind: 'retry', ms: p.retryMs }, event: 'reconnecting' };
  }

  /** `unpeer()`: forgets the peering (the waiters hear false); undefined when there was none. */
  remove(key: string): PeeringStep | undefined {
    const p = this.peerings.get(key);
    return p === undefined ? undefined : this.forget(p);
  }

  /**
   * The endpoint stops: no new attempt, no retry; every waiter hears false.
   * @returns the keys whose timers to cancel
   */
  stop(): string[] {
    this.stopped = true;
    for (const p of this.peerings.values()) settle(p, false);
    return [...this.peerings.keys()];
  }

  /** The peerings that are not up, as `peers()` reports them. */
  pending(): PendingPeering[] {
    const out: PendingPeering[] = [];
    for (const p of this.peerings.values()) {
      if (p.peer !== undefined && this.isPeered(p.peer)) continue;
      out.push({ network: networkOf(p), reconnecting: p.reconnecting });
    }
    return out;
  }

  private forget(p: Peering): PeeringStep {
    this.peerings.delete(p.key);
    settle(p, false);
    return { key: p.key, timer: { kind: 'none' } };
  }
}

/** Resolves the waiters of a peering with its outcome. */
function settle(p: Peering, ok: boolean): void {
  for (const w of p.waiters.splice(0)) w(ok);
}

/** The address of a peering as status events and `peers()` report it. */
function networkOf(p: Peering): NetworkInfo {
  return { address: p.host, port: p.port, retry: Timespan.fromMilliseconds(p.retryMs) };
}
