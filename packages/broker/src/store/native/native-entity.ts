/**
 * Names and numbers on Broker's store channel (libbroker/broker/internal/channel.hh,
 * libbroker/broker/entity_id.hh) and their broker-ts forms.
 *
 * - Sequence numbers: Broker's producer starts at 1, so its first event is 2 and a
 *   handshake offset is at least 1; ours starts at 0. A Broker number is ours plus one,
 *   both ways, so that a Broker peer sees the numbers a Broker producer or consumer would.
 * - Entities: Broker's object number is a u64, ours a safe integer; Broker's nil entity
 *   (nil endpoint, object 0) is our null.
 * - A clone's own entity carries its channel epoch: Broker's channel has no epochs, so
 *   each attempt of a broker-ts clone to join a Broker master uses a fresh object number
 *   (the clone's number in the low 32 bits, the epoch above). A Broker master answers
 *   with the number it was asked with, which tells which attempt an answer belongs to,
 *   and a repeated join is a new consumer to it instead of a stale path.
 */
import { BrokerError } from '@broker-ts/data';
import type { EntityId as NativeEntityId } from '../../native/internal-command';
import { NIL_ENDPOINT_ID } from '../../native/endpoint-id';
import type { EntityId } from '../state';

/** Broker's nil entity: no endpoint, object 0 ("every clone", "nobody"). */
export const NIL_ENTITY: NativeEntityId = Object.freeze({ endpoint: NIL_ENDPOINT_ID, object: 0n }) as NativeEntityId;

const EPOCH_SHIFT = 32n;
const LOW_MASK = (1n << EPOCH_SHIFT) - 1n;

/**
 * Our sequence number as Broker numbers it.
 * @param seq - ours (0 = nothing yet)
 */
export function toBrokerSeq(seq: number): bigint {
  return BigInt(seq) + 1n;
}

/**
 * Broker's sequence number as we number it, or undefined when it has no counterpart
 * (0, or beyond a safe integer).
 * @param seq - Broker's
 */
export function fromBrokerSeq(seq: bigint): number | undefined {
  if (seq < 1n || seq > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
  return Number(seq - 1n);
}

/**
 * An entity in Broker's form (null: the nil entity).
 * @param id - ours
 */
export function toNativeEntity(id: EntityId | null): NativeEntityId {
  return id === null ? NIL_ENTITY : { endpoint: id.endpoint, object: BigInt(id.object) };
}

/**
 * Whether a Broker entity is the nil entity.
 * @param id - Broker's
 */
export function isNilEntity(id: NativeEntityId): boolean {
  return id.endpoint === NIL_ENDPOINT_ID && id.object === 0n;
}

/**
 * An entity in our form: null for the nil entity.
 * @param id - Broker's
 * @throws BrokerError `invalid_data` when its object number is beyond a safe integer
 */
export function fromNativeEntity(id: NativeEntityId): EntityId | null {
  if (isNilEntity(id)) return null;
  if (id.object > BigInt(Number.MAX_SAFE_INTEGER)) throw new BrokerError('invalid_data', `entity object number ${id.object} is beyond what broker-ts can name`);
  return { endpoint: id.endpoint, object: Number(id.object) };
}

/**
 * A clone's entity for one of its attempts to join (see the file comment).
 * @param id - the clone
 * @param epoch - its channel epoch
 * @throws BrokerError `invalid_data` when the clone's number does not fit 32 bits
 */
export function epochEntity(id: EntityId, epoch: number): NativeEntityId {
  if (id.object > 0xffffffff) throw new BrokerError('invalid_data', `object number ${id.object} does not fit a Broker store entity with an epoch`);
  return { endpoint: id.endpoint, object: (BigInt(epoch) << EPOCH_SHIFT) | BigInt(id.object) };
}

/**
 * The epoch a Broker entity names when it is one of `id`'s attempts, else undefined.
 * @param id - the clone
 * @param entity - Broker's entity (a receiver or a `who`)
 */
export function epochOf(id: EntityId, entity: NativeEntityId): number | undefined {
  if (entity.endpoint !== id.endpoint || (entity.object & LOW_MASK) !== BigInt(id.object)) return undefined;
  const epoch = entity.object >> EPOCH_SHIFT;
  return epoch <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(epoch) : undefined;
}
