import { NetError } from './net-error';

/** Timing options of a {@link Liveness}, in milliseconds. */
export interface LivenessOptions {
  /** Time allowed from connect to an established connection. */
  handshakeTimeout: number;
  /** Idle time after which a heartbeat is sent; also the unit of silence. */
  heartbeatInterval: number;
  /** Heartbeat intervals of silence after which the peer is declared dead. */
  missedHeartbeats: number;
}

/**
 * Default timing: handshake 5 s, heartbeat every 1 s, dead after 10 silent intervals. Ten,
 * not fewer: a peer whose process is starved of CPU or blocked on a disk flush for a few
 * seconds on a loaded machine is slow, not dead, and declaring it dead loses what was in
 * flight on the connection.
 */
export const DEFAULT_LIVENESS: LivenessOptions = { handshakeTimeout: 5000, heartbeatInterval: 1000, missedHeartbeats: 10 };

/** What the connection should do after a {@link Liveness.check}. */
export type LivenessVerdict = 'ok' | 'send_heartbeat' | NetError;

/**
 * Decides, from timestamps only, when a connection must send a heartbeat and when its
 * peer is dead. I/O-free: every method takes the current time from the caller's clock, so
 * tests drive it with a virtual clock and never sleep.
 *
 * Any received frame counts as a sign of life; a heartbeat is sent only after a full
 * interval without sending anything else, so a busy connection carries no heartbeats.
 */
export class Liveness {
  /** When the connection was opened (moved forward by local stalls). */
  private openedAt: number;
  /** When the handshake completed, or undefined while it runs. */
  private establishedAt: number | undefined;
  /** Last time a frame arrived. */
  private lastReceived: number;
  /** Last time a frame was sent. */
  private lastSent: number;

  /**
   * @param options - timing
   * @param now - the current time, from the connection's clock
   */
  constructor(
    private readonly options: LivenessOptions,
    now: number,
  ) {
    this.openedAt = now;
    this.lastReceived = now;
    this.lastSent = now;
  }

  /** Milliseconds between two {@link check} calls that keep the verdicts timely. */
  get checkInterval(): number {
    return Math.max(1, Math.min(this.options.heartbeatInterval, this.options.handshakeTimeout) / 2);
  }

  /** Records the end of the handshake. */
  established(now: number): void {
    this.establishedAt = now;
    this.lastReceived = now;
    this.lastSent = now;
  }

  /** Records that a frame arrived. */
  received(now: number): void {
    this.lastReceived = now;
  }

  /**
   * Records when a check that was due at `due` actually ran. When it runs more than one
   * heartbeat interval late, this node's event loop was blocked: that time is not counted
   * as the peer's silence, nor against the handshake (the peer's bytes may be waiting
   * unread in the socket), so a busy but healthy pair of nodes does not part.
   * @param now - the current time
   * @param due - when the check was due
   */
  checkRan(now: number, due: number): void {
    const late = now - due;
    if (late <= this.options.heartbeatInterval) return;
    this.lastReceived = Math.min(now, this.lastReceived + late);
    this.openedAt += late;
  }

  /** Records that frames were sent. */
  sent(now: number): void {
    this.lastSent = now;
  }

  /**
   * The verdict at `now`.
   * @returns `handshake_timeout` / `heartbeat_timeout` errors when the peer is dead,
   *   `send_heartbeat` when this side has been quiet for an interval, else `ok`
   */
  check(now: number): LivenessVerdict {
    const { handshakeTimeout, heartbeatInterval, missedHeartbeats } = this.options;
    if (this.establishedAt === undefined) {
      if (now - this.openedAt >= handshakeTimeout) {
        return new NetError('handshake_timeout', `no handshake after ${now - this.openedAt} ms (limit ${handshakeTimeout} ms)`);
      }
      return 'ok';
    }
    const silence = now - this.lastReceived;
    if (silence >= heartbeatInterval * missedHeartbeats) {
      return new NetError('heartbeat_timeout', `peer silent for ${silence} ms (${missedHeartbeats} heartbeat intervals of ${heartbeatInterval} ms)`);
    }
    return now - this.lastSent >= heartbeatInterval ? 'send_heartbeat' : 'ok';
  }
}
