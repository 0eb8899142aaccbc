/**
 * Message shapes: every message is a plain object discriminated by its `type` string.
 * The runtime's own messages (`exit`, `down`, `timeout`) are in `system-message.ts`.
 */
/** The minimum shape of a message. */
export interface Message {
  /** Discriminator; selects the handler of the receiving behavior. */
  readonly type: string;
}

/** An untyped message (the default when a ref or behavior has no message type). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyMessage = { readonly type: string; readonly [field: string]: any };
