/**
 * Rough memory estimates of Broker values and clone commands, in bytes: what a master's
 * channel counts against its `retainedBytes` bound. They grow with what a value holds
 * (string and byte lengths, container elements) and are meant to bound memory within a
 * small factor, not to measure it: V8 decides the real layout.
 */
import { Address, BrokerSet, BrokerTable, Subnet, type Data, EnumValue } from '@broker-ts/data';
import type { CloneCommand, CloneMessage, MasterMessage } from './store-message';
import type { WriteCommand } from './write-command';

// Local bindings of the classes tested on every value: see docs/architecture.md, "Local bindings on hot paths".
const AddressClass = Address;
const BrokerSetClass = BrokerSet;
const BrokerTableClass = BrokerTable;
const EnumValueClass = EnumValue;
const SubnetClass = Subnet;

/** An object's header and a field or two. */
const OBJECT = 32;
/** A pointer in an array or object. */
const SLOT = 8;

/**
 * The approximate memory a Broker value holds.
 * @param value - the value
 * @returns an estimate in bytes (at least {@link SLOT})
 */
export function approximateSize(value: Data): number {
  switch (typeof value) {
    case 'string':
      // A V8 string: a header and one or two bytes per character.
      return 16 + 2 * value.length;
    case 'number':
    case 'bigint':
      return 16;
    case 'boolean':
      return SLOT;
    default:
      break;
  }
  if (value === null) return SLOT;
  if (Array.isArray(value)) {
    let n = OBJECT + SLOT * value.length;
    for (let i = 0; i < value.length; i++) n += approximateSize(value[i]);
    return n;
  }
  if (value instanceof BrokerSetClass) {
    let n = 2 * OBJECT + SLOT * value.size;
    for (const v of value) n += approximateSize(v);
    return n;
  }
  if (value instanceof BrokerTableClass) {
    let n = 3 * OBJECT + 2 * SLOT * value.size;
    for (const [k, v] of value) n += approximateSize(k) + approximateSize(v);
    return n;
  }
  if (value instanceof Uint8Array) return 2 * OBJECT + value.byteLength;
  if (value instanceof EnumValueClass) return OBJECT + approximateSize(value.name);
  if (value instanceof SubnetClass || value instanceof AddressClass) return 2 * OBJECT;
  // count, port, timestamp, timespan: an object and a number or bigint.
  return OBJECT + 16;
}

/**
 * The approximate memory of a clone command as a master's channel keeps it.
 * @param cmd - the command
 * @returns an estimate in bytes
 */
export function cloneCommandSize(cmd: CloneCommand): number {
  switch (cmd.op) {
    case 'put':
      return 2 * OBJECT + approximateSize(cmd.key) + approximateSize(cmd.value);
    case 'erase':
    case 'expire':
      return 2 * OBJECT + approximateSize(cmd.key);
    default:
      return 2 * OBJECT;
  }
}

/**
 * The approximate size of a store protocol message, for cutting a store's outgoing
 * messages into payloads of bounded size: a change or a write counts its key and value;
 * a message with a snapshot piece counts as `piece` (pieces are cut to a byte budget of
 * their own); the rest as a small constant.
 * @param msg - the message
 * @param piece - what a snapshot piece counts as
 * @returns an estimate in bytes
 */
export function storeMessageSize(msg: MasterMessage | CloneMessage, piece: number): number {
  switch (msg.type) {
    case 'event':
      return OBJECT + cloneCommandSize(msg.command);
    case 'write':
      return OBJECT + writeCommandSize(msg.command);
    case 'ackClone':
    case 'snapshotChunk':
      return piece;
    default:
      return 2 * OBJECT;
  }
}

function writeCommandSize(cmd: WriteCommand): number {
  let n = 2 * OBJECT;
  if ('key' in cmd) n += approximateSize(cmd.key);
  if ('value' in cmd) n += approximateSize(cmd.value);
  return n;
}
