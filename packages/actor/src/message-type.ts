/**
 * Reading a message's `type` without trusting the message.
 */

/**
 * The `type` of a message when it is a string, else undefined. Never throws (a hostile
 * getter counts as no type), so that a bad message can never hurt its sender.
 * @param msg - anything received
 */
export function messageTypeOf(msg: unknown): string | undefined {
  if (typeof msg !== 'object' || msg === null) return undefined;
  try {
    const t = (msg as { type?: unknown }).type;
    return typeof t === 'string' ? t : undefined;
  } catch {
    return undefined;
  }
}
