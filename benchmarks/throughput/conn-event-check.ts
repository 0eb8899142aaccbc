/**
 * The broker-ts receivers' final check: the last message they decoded must be the
 * conn.log event as Broker values (so that a broken codec cannot pass as throughput).
 */
import { parseZeekMessage } from '@broker-ts/broker';
import { type Data, Count, Timestamp, typeOf } from '@broker-ts/data';
import { CONN_EVENT_NAME } from '@broker-ts/cli';

/**
 * Checks that `value` decodes as the Zeek event `event_2` with its 18 typed arguments.
 * @throws Error naming what is wrong
 */
export function assertBrokerConnEvent(value: Data | undefined): void {
  if (value === undefined) throw new Error('no event was received');
  const msg = parseZeekMessage(value);
  if (msg.kind !== 'event' || msg.name !== CONN_EVENT_NAME || msg.args.length !== 18) {
    throw new Error(`the last message is not the conn event: ${typeOf(value)}`);
  }
  if (!(msg.args[0] instanceof Timestamp) || !(msg.args[6] instanceof Count) || typeOf(msg.args[17]) !== 'set') {
    throw new Error('the last conn event has wrongly typed fields');
  }
}
