/**
 * The store commands of broker-ts (`CloneCommand`, `WriteCommand`) as the content of
 * Broker's `internal_command` (libbroker/broker/internal_command.hh) and back. A Broker
 * master broadcasts `put`, `erase`, `expire`, `clear` and `put_unique_result` to its
 * clones; a Broker clone sends `put`, `put_unique`, `erase`, `add`, `subtract` and
 * `clear` to its master (libbroker/broker/internal/master_actor.cc, clone_actor.cc).
 */
import type { InternalCommandContent } from '../../native/internal-command';
import type { CloneCommand, EntityId, WriteCommand } from '../state';
import { fromNativeEntity, toNativeEntity } from './native-entity';

/**
 * A change for clones in Broker's form.
 * @param cmd - ours
 * @param who - how to name the entity a putUnique answer is for (default: as it is)
 */
export function cloneCommandToNative(cmd: CloneCommand, who: (id: EntityId | null) => ReturnType<typeof toNativeEntity> = toNativeEntity): InternalCommandContent {
  const publisher = toNativeEntity(cmd.publisher);
  switch (cmd.op) {
    case 'put':
      return { type: 'put', key: cmd.key, value: cmd.value, expiry: cmd.expiry, publisher };
    case 'erase':
      return { type: 'erase', key: cmd.key, publisher };
    case 'expire':
      return { type: 'expire', key: cmd.key, publisher };
    case 'clear':
      return { type: 'clear', publisher };
    case 'putUniqueResult':
      return { type: 'put_unique_result', inserted: cmd.inserted, who: who(cmd.who), reqId: BigInt(cmd.requestId), publisher };
  }
}

/**
 * A change a Broker master broadcast, in our form; undefined for anything else (a
 * master never broadcasts writes or control messages as changes).
 * @param c - Broker's
 * @param who - how to read the entity of a putUnique answer (default: as it is)
 * @throws BrokerError `invalid_data` for an entity or request id broker-ts cannot name
 */
export function cloneCommandFromNative(c: InternalCommandContent, who: (id: ReturnType<typeof toNativeEntity>) => EntityId | null = fromNativeEntity): CloneCommand | undefined {
  switch (c.type) {
    case 'put':
      return { op: 'put', key: c.key, value: c.value, expiry: c.expiry, publisher: fromNativeEntity(c.publisher) };
    case 'erase':
      return { op: 'erase', key: c.key, publisher: fromNativeEntity(c.publisher) };
    case 'expire':
      return { op: 'expire', key: c.key, publisher: fromNativeEntity(c.publisher) };
    case 'clear':
      return { op: 'clear', publisher: fromNativeEntity(c.publisher) };
    case 'put_unique_result':
      return { op: 'putUniqueResult', inserted: c.inserted, who: who(c.who), requestId: requestIdOf(c.reqId), publisher: fromNativeEntity(c.publisher) };
    default:
      return undefined;
  }
}

/**
 * A write in Broker's form.
 * @param cmd - ours
 * @param who - for a putUnique: the entity the master's answer is for
 */
export function writeCommandToNative(cmd: WriteCommand, who: ReturnType<typeof toNativeEntity>): InternalCommandContent {
  const publisher = toNativeEntity(cmd.publisher);
  switch (cmd.op) {
    case 'put':
      return { type: 'put', key: cmd.key, value: cmd.value, expiry: cmd.expiry, publisher };
    case 'putUnique':
      return { type: 'put_unique', key: cmd.key, value: cmd.value, expiry: cmd.expiry, who, reqId: BigInt(cmd.requestId), publisher };
    case 'erase':
      return { type: 'erase', key: cmd.key, publisher };
    case 'clear':
      return { type: 'clear', publisher };
    case 'add':
      return { type: 'add', key: cmd.key, value: cmd.value, initType: cmd.initType, expiry: cmd.expiry, publisher };
    case 'subtract':
      return { type: 'subtract', key: cmd.key, value: cmd.value, expiry: cmd.expiry, publisher };
  }
}

/**
 * A write a Broker clone sent, in our form; undefined for anything that is not a write.
 * @param c - Broker's
 * @throws BrokerError `invalid_data` for an entity or request id broker-ts cannot name
 */
export function writeCommandFromNative(c: InternalCommandContent): WriteCommand | undefined {
  switch (c.type) {
    case 'put':
      return { op: 'put', key: c.key, value: c.value, expiry: c.expiry, publisher: fromNativeEntity(c.publisher) };
    case 'put_unique': {
      const who = fromNativeEntity(c.who);
      return { op: 'putUnique', key: c.key, value: c.value, expiry: c.expiry, publisher: fromNativeEntity(c.publisher), requestId: requestIdOf(c.reqId), ...(who === null ? {} : { who }) };
    }
    case 'erase':
      return { op: 'erase', key: c.key, publisher: fromNativeEntity(c.publisher) };
    case 'clear':
      return { op: 'clear', publisher: fromNativeEntity(c.publisher) };
    case 'add':
      return { op: 'add', key: c.key, value: c.value, initType: c.initType, expiry: c.expiry, publisher: fromNativeEntity(c.publisher) };
    case 'subtract':
      return { op: 'subtract', key: c.key, value: c.value, expiry: c.expiry, publisher: fromNativeEntity(c.publisher) };
    default:
      return undefined;
  }
}

function requestIdOf(reqId: bigint): number {
  // A request id beyond a safe integer cannot be answered by number; 0 answers nobody.
  return reqId <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(reqId) : 0;
}
