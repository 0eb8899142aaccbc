import { BrokerError } from '@broker-ts/data';

/**
 * Who did something in a store (Broker's `entity_id`): the endpoint id and the number of
 * the object (actor, frontend) on it. Masters and clones are named by one; writes carry
 * the one of the frontend that issued them (the `publisher` of store events).
 */
export interface EntityId {
  /** The endpoint's id (Broker's node id text). */
  readonly endpoint: string;
  /** The object's number on that endpoint (a non-negative safe integer). */
  readonly object: number;
}

/**
 * The text form of an entity, usable as a map key: `<endpoint>#<object>`.
 * @param id - the entity
 */
export function entityKey(id: EntityId): string {
  return `${id.endpoint}#${id.object}`;
}

/**
 * Reads the text form back.
 * @param key - `<endpoint>#<object>`
 * @throws BrokerError `invalid_data` when it is not one
 */
export function entityFromKey(key: string): EntityId {
  const i = key.lastIndexOf('#');
  const object = Number(key.slice(i + 1));
  if (i < 0 || !isObjectNumber(object) || key.slice(i + 1) === '') throw new BrokerError('invalid_data', `not an entity key: ${JSON.stringify(key)}`);
  return { endpoint: key.slice(0, i), object };
}

/**
 * Tells whether two entities are the same.
 * @param a - one entity (or null)
 * @param b - another (or null)
 */
export function sameEntity(a: EntityId | null, b: EntityId | null): boolean {
  if (a === null || b === null) return a === b;
  return a.endpoint === b.endpoint && a.object === b.object;
}

/**
 * Tells whether a value is an entity id (a string endpoint and a non-negative safe integer object).
 * @param x - anything
 */
export function isEntityId(x: unknown): x is EntityId {
  if (typeof x !== 'object' || x === null) return false;
  const e = x as Record<string, unknown>;
  return typeof e.endpoint === 'string' && isObjectNumber(e.object);
}

function isObjectNumber(x: unknown): x is number {
  return typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
}
