/**
 * Durations in the API: a number of milliseconds, as everywhere in Node, or a Broker
 * `Timespan`.
 */
import { BrokerError, Timespan } from '@broker-ts/data';
import { describeArg } from './argument-checks';

/** A duration: milliseconds, or a `Timespan`. */
export type Duration = number | Timespan;

/**
 * Converts a duration to milliseconds.
 * @param d - milliseconds or a Timespan
 * @param what - the option's name, for the error message
 * @throws BrokerError `invalid_data` for a negative, NaN or non-numeric duration
 */
export function toMilliseconds(d: Duration, what: string): number {
  const ms = d instanceof Timespan ? Number(d.ns) / 1e6 : d;
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) {
    throw new BrokerError('invalid_data', `${what} must be a non-negative number of milliseconds or a Timespan, got ${describeArg(d)}`);
  }
  return ms;
}
