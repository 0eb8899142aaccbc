import { FlowError } from './flow-error';

/**
 * What a bounded buffer does when an item arrives and it is full.
 *
 * - `block`: refuse the item; the producer keeps it and waits for room. Nothing is lost.
 * - `dropOldest`: evict the oldest buffered item to make room (keeps the newest).
 * - `dropNewest`: discard the arriving item (keeps the oldest).
 * - `disconnect`: cut the stream with a `FlowError` of code `overflow`.
 */
export type OverflowPolicy = 'block' | 'dropOldest' | 'dropNewest' | 'disconnect';

/** Every overflow policy, in documentation order. */
export const OVERFLOW_POLICIES: readonly OverflowPolicy[] = ['block', 'dropOldest', 'dropNewest', 'disconnect'];

/**
 * Tells whether a value names an overflow policy.
 * @param value - anything, for example a configuration field
 */
export function isOverflowPolicy(value: unknown): value is OverflowPolicy {
  return typeof value === 'string' && (OVERFLOW_POLICIES as readonly string[]).includes(value);
}

/**
 * Returns the value as an overflow policy.
 * @param value - the configured policy
 * @throws FlowError `invalid_argument` when the value names no policy
 */
export function toOverflowPolicy(value: unknown): OverflowPolicy {
  if (isOverflowPolicy(value)) return value;
  throw new FlowError('invalid_argument', `unknown overflow policy ${JSON.stringify(value)}; expected one of ${OVERFLOW_POLICIES.join(', ')}`);
}
