import { BrokerError } from '@broker-ts/data';

/**
 * Options of a backend, as passed to `attachMaster`: a plain object, a `Map`, or any
 * iterable of `[name, value]` pairs (a `BrokerTable` with string keys, Broker's
 * `backend_options`). Values are JS values or Broker data (`EnumValue` for Broker's
 * Zeek-script enums).
 */
export type BackendOptions = Readonly<Record<string, unknown>> | Iterable<readonly [unknown, unknown]>;

/**
 * Lists the `[name, value]` pairs of backend options.
 * @param options - the options, or `undefined` for none
 * @returns the pairs, in the order given
 * @throws BrokerError `backend_failure` when the options are not an object or a map, or a
 *   name is not a string
 */
export function optionEntries(options: BackendOptions | undefined | null): Array<[string, unknown]> {
  if (options === undefined || options === null) return [];
  if (typeof options !== 'object') {
    throw new BrokerError('backend_failure', `backend options must be an object or a map, got ${typeof options}`);
  }
  const pairs: Array<[string, unknown]> = [];
  if (Symbol.iterator in options) {
    for (const pair of options as Iterable<readonly [unknown, unknown]>) {
      if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== 'string') {
        throw new BrokerError('backend_failure', 'backend options must map option names (strings) to values');
      }
      pairs.push([pair[0], pair[1]]);
    }
    return pairs;
  }
  for (const [name, value] of Object.entries(options)) if (value !== undefined) pairs.push([name, value]);
  return pairs;
}
