import { BrokerSet, BrokerTable, equals, type Data } from '@broker-ts/data';

/**
 * Type-exact equality for tests: Broker equality plus the same JS classes, `-0` told
 * apart from `0`, and NaN equal to NaN.
 */
export function sameData(a: unknown, b: unknown): boolean {
  if (typeof a === 'number') return typeof b === 'number' && (Object.is(a, b) || (a !== a && b !== b));
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => sameData(x, b[i]));
  if (a instanceof BrokerSet) return b instanceof BrokerSet && sameData(a.toArray(), b.toArray());
  if (a instanceof BrokerTable) return b instanceof BrokerTable && sameData([...a.keys()], [...b.keys()]) && sameData([...a.values()], [...b.values()]);
  if (a === null || typeof a !== 'object') return a === b;
  if (Object.getPrototypeOf(a) === Object.prototype) {
    if (b === null || typeof b !== 'object' || Object.getPrototypeOf(b) !== Object.prototype) return false;
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => sameData((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  if (a instanceof Map) return b instanceof Map && sameData([...a], [...b]);
  return Object.getPrototypeOf(a) === Object.getPrototypeOf(b) && equals(a as Data, b as Data);
}
