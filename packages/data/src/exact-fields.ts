/**
 * The field checks shared by `toData` and `encodeExactBinary`: an object that carries a
 * Broker type tag is exact data only if it has the fields its class's constructor sets
 * (a prototype borrowed with `Object.create` does not).
 */
import type { Address } from './address';
import { BrokerError } from './broker-error';
import { DATA_TYPE_NAMES } from './type-of';

/** Tells whether `a` has an address's four numeric words. */
export function isAddress(a: unknown): boolean {
  return typeof a === 'object' && a !== null && typeof (a as Address).w0 === 'number' && typeof (a as Address).w1 === 'number' && typeof (a as Address).w2 === 'number' && typeof (a as Address).w3 === 'number';
}

/** The error for an object tagged `tag` without the fields of its type, or with no Broker type for the tag. */
export function forged(tag: number): BrokerError {
  if (DATA_TYPE_NAMES[tag] === undefined) return new BrokerError('type_clash', `no Broker type has the tag ${String(tag)}`);
  return new BrokerError('invalid_data', `a ${DATA_TYPE_NAMES[tag]} without valid fields (not made by its constructor)`);
}
