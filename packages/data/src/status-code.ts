/**
 * Broker's status codes (`enum class sc : uint8_t`), identical in Broker 1.4 and 2.x.
 * `endpoint_discovered` and `endpoint_unreachable` were never emitted by 1.4.
 */
export const StatusCode = {
  unspecified: 0,
  peer_added: 1,
  peer_removed: 2,
  peer_lost: 3,
  endpoint_discovered: 4,
  endpoint_unreachable: 5,
} as const;

/** The name of a Broker status code, e.g. `'peer_added'`. */
export type StatusCodeName = keyof typeof StatusCode;

const namesByNumber: readonly StatusCodeName[] = ['unspecified', 'peer_added', 'peer_removed', 'peer_lost', 'endpoint_discovered', 'endpoint_unreachable'];

/**
 * Looks up the name of a numeric Broker status code.
 * @param sc - the number
 * @returns the name, or `undefined` when no code has that number
 */
export function statusCodeName(sc: number): StatusCodeName | undefined {
  return Number.isInteger(sc) ? namesByNumber[sc] : undefined;
}

/**
 * Tells whether a string is the name of a Broker status code.
 * @param name - the candidate
 */
export function isStatusCodeName(name: string): name is StatusCodeName {
  return Object.prototype.hasOwnProperty.call(StatusCode, name);
}
