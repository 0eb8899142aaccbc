/**
 * Options of a request (`ctx.request`, `system.request`).
 */

/** Options for requests. */
export interface RequestOptions {
  /**
   * Milliseconds (on the system clock) before the request fails with
   * `request_timeout`; default 30000, `Infinity` for none.
   */
  timeout?: number;
}
