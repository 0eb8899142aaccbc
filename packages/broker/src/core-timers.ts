/**
 * The timers of an endpoint's core in one place: one pending timer per key (an outbound
 * peering's handshake timeout or next retry by `host:port`, a peer's stall check by peer
 * id), replaced and cancelled by key and all cancelled when the core stops; and the
 * bounded waits of unpeer and shutdown, which give peers a while to take what was
 * published before and then go on. Every timer runs on the endpoint's clock (virtual
 * unless `useRealTime`), so tests drive them without sleeping.
 */
import type { Cancellable, Clock, TimerOptions } from '@broker-ts/actor';
import type { PeerOutput } from './peer-state';

/** The part of a clock the core's timers use. */
export type TimerClock = Pick<Clock, 'setTimer'>;

/** At most one pending timer per key. Bounded by the keys: peerings and peers. */
export class KeyedTimers {
  private readonly timers = new Map<string, Cancellable>();

  /**
   * @param clock - the endpoint's clock
   * @param options - for every timer of this set (`KEEP_ALIVE` for work a caller waits on)
   */
  constructor(
    private readonly clock: TimerClock,
    private readonly options?: TimerOptions,
  ) {}

  /** Arms the timer of `key` to call `fire` after `ms`, cancelling the one it had. */
  set(key: string, ms: number, fire: () => void): void {
    this.timers.get(key)?.cancel();
    this.timers.set(key, this.clock.setTimer(ms, fire, this.options));
  }

  /** Whether `key` has a timer that was armed and not cancelled (it may have fired). */
  has(key: string): boolean {
    return this.timers.has(key);
  }

  /** Cancels the timer of `key`, if any (harmless once it fired). */
  cancel(key: string): void {
    this.timers.get(key)?.cancel();
    this.timers.delete(key);
  }

  /** Cancels every timer. */
  cancelAll(): void {
    for (const timer of this.timers.values()) timer.cancel();
    this.timers.clear();
  }
}

/**
 * Resolves when `p` settles or after `ms`, whichever comes first (never rejects).
 * @param clock - the endpoint's clock
 */
export function settledWithin(p: Promise<unknown>, ms: number, clock: TimerClock): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = clock.setTimer(ms, resolve);
    const done = (): void => {
      timer.cancel();
      resolve();
    };
    void p.then(done, done);
  });
}

/**
 * Closes a peer output and resolves once what it buffered was sent, or after `ms`.
 * @param clock - the endpoint's clock
 */
export function flushedWithin(out: PeerOutput, ms: number, clock: TimerClock): Promise<void> {
  out.close();
  return settledWithin(out.done(), ms, clock);
}
