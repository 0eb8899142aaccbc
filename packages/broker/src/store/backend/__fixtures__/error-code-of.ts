import { BrokerError, type ErrorCodeName } from '@broker-ts/data';

/**
 * Runs a call and names its outcome for assertions: `ok`, or the code of the
 * `BrokerError` it threw. Any other throw fails the test.
 * @param body - the call
 */
export function errorCodeOf(body: () => unknown): ErrorCodeName | 'ok' {
  try {
    body();
    return 'ok';
  } catch (err) {
    if (err instanceof BrokerError) return err.code;
    throw err;
  }
}

/**
 * Runs a call that must throw a `BrokerError` and returns that error.
 * @param body - the call
 */
export function brokerErrorOf(body: () => unknown): BrokerError {
  try {
    body();
  } catch (err) {
    if (err instanceof BrokerError) return err;
    throw err;
  }
  throw new Error('expected a BrokerError, but the call returned');
}
