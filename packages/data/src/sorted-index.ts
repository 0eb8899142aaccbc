import { compare } from './compare';
import type { Data } from './data';

/**
 * Binary search in an array sorted by Broker's total order.
 * @param items - sorted, without duplicates
 * @param x - the value sought
 * @returns its index when present, otherwise `~insertionPoint` (negative)
 * @internal
 */
export function sortedIndexOf(items: readonly Data[], x: Data): number {
  let lo = 0;
  let hi = items.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const c = compare(items[mid], x);
    if (c < 0) lo = mid + 1;
    else if (c > 0) hi = mid - 1;
    else return mid;
  }
  return ~lo;
}

/**
 * Tells whether an array is strictly increasing in Broker's order (sorted, no duplicates).
 * @internal
 */
export function isStrictlySorted(items: readonly Data[]): boolean {
  for (let i = 1; i < items.length; i++) if (compare(items[i - 1], items[i]) >= 0) return false;
  return true;
}
