/**
 * Broker's error codes (`enum class ec : uint8_t`) with the numbering of current Broker
 * (2.x, `libbroker/broker/error.hh`). Broker 1.4 numbered `invalid_status` 20 and had no
 * codes above it; see docs/data-model.md.
 */
export const ErrorCode = {
  none: 0,
  unspecified: 1,
  peer_incompatible: 2,
  peer_invalid: 3,
  peer_unavailable: 4,
  peer_disconnect_during_handshake: 5,
  peer_timeout: 6,
  master_exists: 7,
  no_such_master: 8,
  no_such_key: 9,
  request_timeout: 10,
  type_clash: 11,
  invalid_data: 12,
  backend_failure: 13,
  stale_data: 14,
  cannot_open_file: 15,
  cannot_write_file: 16,
  invalid_topic_key: 17,
  end_of_file: 18,
  invalid_tag: 19,
  invalid_message: 20,
  invalid_status: 21,
  conversion_failed: 22,
  consumer_exists: 23,
  connection_timeout: 24,
  bad_member_function_call: 25,
  repeated_request_id: 26,
  broken_clone: 27,
  shutting_down: 28,
  invalid_peering_request: 29,
  repeated_peering_handshake_request: 30,
  unexpected_handshake_message: 31,
  invalid_handshake_state: 32,
  no_path_to_peer: 33,
  no_connector_available: 34,
  cannot_open_resource: 35,
  serialization_failed: 36,
  deserialization_failed: 37,
  wrong_magic_number: 38,
  redundant_connection: 39,
  logic_error: 40,
  invalid_json: 41,
} as const;

/** The name of a Broker error code, e.g. `'type_clash'`. */
export type ErrorCodeName = keyof typeof ErrorCode;

const namesByNumber: readonly ErrorCodeName[] = (() => {
  const names: ErrorCodeName[] = [];
  for (const name of Object.keys(ErrorCode) as ErrorCodeName[]) names[ErrorCode[name]] = name;
  return names;
})();

/**
 * Looks up the name of a numeric Broker error code.
 * @param ec - the number (current Broker numbering)
 * @returns the name, or `undefined` when no code has that number
 */
export function errorCodeName(ec: number): ErrorCodeName | undefined {
  return Number.isInteger(ec) ? namesByNumber[ec] : undefined;
}

/**
 * Tells whether a string is the name of a Broker error code.
 * @param name - the candidate
 */
export function isErrorCodeName(name: string): name is ErrorCodeName {
  return Object.prototype.hasOwnProperty.call(ErrorCode, name);
}
