import { BrokerError } from './broker-error';

/** The smallest int64, -2^63. */
export const INT64_MIN = -0x8000_0000_0000_0000n;
/** The largest int64, 2^63 - 1. */
export const INT64_MAX = 0x7fff_ffff_ffff_ffffn;

/**
 * Checks that a bigint fits Broker's int64 (integers, timestamps, timespans).
 * @param value - the value
 * @param what - what the value is, for the error message
 * @returns the value
 * @throws BrokerError `invalid_data` when it does not fit, `type_clash` when not a bigint
 */
export function checkInt64(value: bigint, what: string): bigint {
  if (typeof value !== 'bigint') throw new BrokerError('type_clash', `${what} holds bigint nanoseconds, got ${typeof value}`);
  if (value < INT64_MIN || value > INT64_MAX) {
    throw new BrokerError('invalid_data', `${what} out of int64 range: ${value}`);
  }
  return value;
}
