/**
 * Broker's status events (`peer_added`, `peer_removed`, `peer_lost`, ...), delivered to
 * status subscribers on `<$>/local/data/statuses`.
 */
import { BrokerError, type Data, EnumValue, isStatusCodeName, StatusCode, type StatusCodeName } from '@broker-ts/data';
import { type EndpointInfo, endpointInfoFromData, endpointInfoToData, formatNetworkInfo } from './endpoint-info';

/** A status event: a code, the endpoint it concerns and a message. Immutable. */
export class Status {
  /**
   * @param code - Broker's status code name
   * @param context - the endpoint concerned
   * @param message - human-readable text, e.g. `handshake successful`
   */
  constructor(
    readonly code: StatusCodeName,
    readonly context: EndpointInfo,
    readonly message: string,
  ) {}

  /** The numeric status code. */
  get sc(): number {
    return StatusCode[this.code];
  }

  /**
   * Broker's data layout (Broker's `libbroker/broker/status.cc`): `["status", enum_value(code), endpoint_info, message]`,
   * with nil context and message for `unspecified`.
   */
  toData(): Data {
    if (this.code === 'unspecified') return ['status', new EnumValue(this.code), null, null];
    return ['status', new EnumValue(this.code), endpointInfoToData(this.context), this.message];
  }

  /**
   * Rebuilds a status from its data layout.
   * @throws BrokerError `invalid_data` when the value does not have that layout
   */
  static fromData(value: Data): Status {
    if (!Array.isArray(value) || value.length !== 4 || value[0] !== 'status' || !(value[1] instanceof EnumValue) || !isStatusCodeName(value[1].name)) {
      throw new BrokerError('invalid_data', 'not a status value: expected ["status", enum_value(code), endpoint_info, message]');
    }
    const code = value[1].name;
    if (value[2] === null) return new Status(code, { id: null }, typeof value[3] === 'string' ? value[3] : '');
    if (typeof value[3] !== 'string') throw new BrokerError('invalid_data', 'status message must be a string');
    return new Status(code, endpointInfoFromData(value[2]), value[3]);
  }

  /**
   * Broker's text form: `peer_added(<id>, <addr>:<port>, "handshake successful")`, without
   * the address when there is none (`endpoint_discovered(<id>, "found a new peer in the
   * network")`), as `libbroker/broker/status.cc` writes it.
   */
  toString(): string {
    const network = this.context.network === undefined ? '' : `${formatNetworkInfo(this.context.network)}, `;
    return `${this.code}(${this.context.id ?? 'invalid-node'}, ${network}"${this.message}")`;
  }
}

/** Tells a status event from an error event in a status subscriber's stream. */
export function isStatus(event: Status | BrokerError): event is Status {
  return event instanceof Status;
}
