import { BrokerError } from './broker-error';
import type { Data } from './data';
import { EnumValue } from './enum-value';
import { isErrorCodeName } from './error-code';

/**
 * Broker's data layout of an error (Broker's `convert(const error&, data&)` in
 * `libbroker/broker/error.cc`): `["error", enum_value(code), context]` where context is
 * nil (empty message), `[message]`, or `[endpoint_info, message]` when
 * `context.endpoint` is set. Status subscribers receive errors in this layout on
 * Broker's error topic.
 * @param error - the error
 * @returns the error as Broker data
 */
export function errorToData(error: BrokerError): Data {
  const endpoint = error.context.endpoint;
  let ctx: Data = null;
  if (endpoint !== undefined) ctx = [endpoint, error.message];
  else if (error.message !== '') ctx = [error.message];
  return ['error', new EnumValue(error.code), ctx];
}

/**
 * Rebuilds an error from Broker's data layout (the inverse of {@link errorToData}).
 * @param value - `["error", enum_value(code), context]`
 * @returns the error
 * @throws BrokerError `invalid_data` when the value does not have that layout
 */
export function errorFromData(value: Data): BrokerError {
  if (!Array.isArray(value) || value.length !== 3 || value[0] !== 'error' || !(value[1] instanceof EnumValue) || !isErrorCodeName(value[1].name)) {
    throw new BrokerError('invalid_data', 'not an error value: expected ["error", enum_value(code), context]');
  }
  const code = value[1].name;
  const ctx = value[2];
  if (ctx === null) return new BrokerError(code, '');
  if (Array.isArray(ctx) && ctx.length === 1 && typeof ctx[0] === 'string') return new BrokerError(code, ctx[0]);
  if (Array.isArray(ctx) && ctx.length === 2 && typeof ctx[1] === 'string') return new BrokerError(code, ctx[1], { endpoint: ctx[0] });
  throw new BrokerError('invalid_data', 'not an error value: its context is neither nil, [message] nor [endpoint_info, message]');
}
