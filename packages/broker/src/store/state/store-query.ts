import { BrokerError, type Data } from '@broker-ts/data';
import type { Backend } from '../backend';

/** A read of a store (Broker's queries, `libbroker/broker/store.hh`). */
export type StoreQuery =
  | { readonly op: 'get'; readonly key: Data }
  | { readonly op: 'exists'; readonly key: Data }
  | { readonly op: 'getIndexFromValue'; readonly key: Data; readonly index: Data }
  | { readonly op: 'keys' };

/** The answer to a query: a value, or a `BrokerError` (`no_such_key`, `type_clash`, `stale_data`, ...). Errors are data. */
export type QueryResult = { readonly ok: true; readonly value: Data } | { readonly ok: false; readonly error: BrokerError };

/**
 * Answers a query from a backend.
 * @param backend - the master's backend or a clone's replica
 * @param q - the query
 * @returns the answer; never throws
 */
export function answerQuery(backend: Backend, q: StoreQuery): QueryResult {
  try {
    switch (q.op) {
      case 'get':
        return { ok: true, value: backend.get(q.key) };
      case 'exists':
        return { ok: true, value: backend.exists(q.key) };
      case 'getIndexFromValue':
        return { ok: true, value: backend.getIndexFromValue(q.key, q.index) };
      case 'keys':
        return { ok: true, value: backend.keys() };
      default:
        return { ok: false, error: new BrokerError('invalid_message', `unknown store query ${JSON.stringify((q as { op: unknown }).op)}`) };
    }
  } catch (e) {
    return { ok: false, error: e instanceof BrokerError ? e : new BrokerError('backend_failure', String(e)) };
  }
}
