/** The topics of the ping/pong latency rows (the same as the Broker 1.4 programs'). */
export const LATENCY_TOPICS = {
  /** `[seq, conn event]` from ping to pong. */
  ping: '/benchmark/ping',
  /** The same value echoed back. */
  pong: '/benchmark/pong',
} as const;
