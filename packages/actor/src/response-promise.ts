/**
 * Response promises: answering a request later, or from another place.
 */

/**
 * The pending answer to one request, obtained with `ctx.promise()` inside the handler.
 * Deliver or reject exactly once; later calls are ignored. If the actor stops first, the
 * requester gets a `broken_promise` error.
 * @typeParam R - the response type
 */
export interface ResponsePromise<R = unknown> {
  /** True until delivered, rejected or broken; always false outside requests. */
  readonly pending: boolean;
  /** Sends `value` as the response. */
  deliver(value: R): void;
  /** Sends an error response (an ActorError arrives as itself, others are wrapped). */
  reject(error: unknown): void;
}
