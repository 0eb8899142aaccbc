import { BrokerError, isErrorCodeName, toString, type ErrorCodeName } from '@broker-ts/data';
import { writeKey, type WriteCommand } from './write-command';

/**
 * The error reported for a write the store refused or dropped: Broker's code of the
 * cause (`type_clash`, `no_such_key`, `invalid_data`, `backend_failure`, ...), a message
 * naming the store, operation and key, and the same facts as context
 * (`store`, `op`, `key`, `publisher`). Broker only logs these; broker-ts reports them
 * on the status subscriber.
 * @param store - the store name
 * @param cmd - the write
 * @param code - the error code
 * @param reason - what went wrong
 */
export function writeError(store: string, cmd: WriteCommand, code: ErrorCodeName, reason: string): BrokerError {
  const key = writeKey(cmd);
  const what = key === null ? cmd.op : `${cmd.op} on key ${safeText(key)}`;
  return new BrokerError(code, `store '${store}': ${what} failed: ${reason}`, { store, op: cmd.op, key, publisher: cmd.publisher });
}

/**
 * The error a clone reports for its write that the master refused: the master's code and
 * message (which already name the store, operation and key), with the same context as
 * {@link writeError}.
 * @param store - the store name
 * @param cmd - the clone's write
 * @param code - the code the master sent (unknown codes become `unspecified`)
 * @param message - the master's message
 */
export function refusedByMaster(store: string, cmd: WriteCommand, code: string, message: string): BrokerError {
  return new BrokerError(errorCodeOf(code), message, { store, op: cmd.op, key: writeKey(cmd), publisher: cmd.publisher });
}

/**
 * {@link writeError} from a caught exception: a `BrokerError` keeps its code, anything
 * else becomes `backend_failure`.
 * @param store - the store name
 * @param cmd - the write
 * @param cause - what was thrown
 */
export function rejectedWrite(store: string, cmd: WriteCommand, cause: unknown): BrokerError {
  if (cause instanceof BrokerError) return writeError(store, cmd, cause.code, cause.message);
  return writeError(store, cmd, 'backend_failure', cause instanceof Error ? cause.message : String(cause));
}

/**
 * Rebuilds a reported error code from the wire, falling back to `unspecified`.
 * @param code - a code name
 */
export function errorCodeOf(code: string): ErrorCodeName {
  return isErrorCodeName(code) ? code : 'unspecified';
}

function safeText(key: unknown): string {
  try {
    return toString(key as never);
  } catch {
    return '<not Broker data>';
  }
}
