/**
 * The peering transport of a benchmark's endpoints: plain TCP (`disableSsl`, the rows
 * measured since the first baselines), or Broker's default anonymous TLS when the
 * process (or the worker thread, which shares its `process.argv`) was started with
 * `--tls`.
 */
import type { EndpointOptions } from '@broker-ts/broker';

/** The flag that selects TLS. */
export const TLS_FLAG = '--tls';

/** `{ disableSsl: true }`, or `{}` (the default TLS) under {@link TLS_FLAG}. */
export function peeringTransport(): Pick<EndpointOptions, 'disableSsl'> {
  return process.argv.includes(TLS_FLAG) ? {} : { disableSsl: true };
}
