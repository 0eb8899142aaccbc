import { BrokerError } from './broker-error';
import { BROKER_TAG, markBrokerType, TAG_PORT } from './type-tag';

/** A transport protocol of a {@link Port}, in Broker's order (`unknown < tcp < udp < icmp`). */
export type PortProtocol = 'unknown' | 'tcp' | 'udp' | 'icmp';

/** The protocols indexed by Broker's numbering (unknown 0, tcp 1, udp 2, icmp 3). */
export const PORT_PROTOCOLS: readonly PortProtocol[] = ['unknown', 'tcp', 'udp', 'icmp'];

const protocolIndex: Record<PortProtocol, number> = { unknown: 0, tcp: 1, udp: 2, icmp: 3 };

/**
 * Broker's `port`: a 16-bit number and a protocol. For ICMP, Zeek puts the message type
 * in the number. Immutable. Orders by number, then protocol.
 */
export class Port {
  /** @internal Broker's type index, on the prototype (see type-tag.ts). */
  declare readonly [BROKER_TAG]: number;

  /** The port number, 0..65535. */
  readonly number: number;
  /** The transport protocol. */
  readonly protocol: PortProtocol;
  /** Broker's protocol number: unknown 0, tcp 1, udp 2, icmp 3. */
  readonly protocolNumber: number;

  /**
   * @param number - 0..65535
   * @param protocol - the transport protocol (default `'unknown'`)
   * @throws BrokerError `invalid_data` for a bad number or protocol
   */
  constructor(number: number, protocol: PortProtocol = 'unknown') {
    if (!Number.isInteger(number) || number < 0 || number > 65535) {
      throw new BrokerError('invalid_data', `port number must be 0..65535, got ${number}`);
    }
    if (!Object.prototype.hasOwnProperty.call(protocolIndex, protocol)) {
      throw new BrokerError('invalid_data', `port protocol must be tcp, udp, icmp or unknown, got ${String(protocol)}`);
    }
    this.number = number;
    this.protocol = protocol;
    this.protocolNumber = protocolIndex[protocol];
  }

  /**
   * Parses `<number>/<protocol>`: `tcp`, `udp`, `icmp`, and any other protocol text
   * (such as `?`) means unknown, as in Broker.
   * @param text - e.g. `80/tcp`, `8/icmp`, `0/?`
   * @throws BrokerError `conversion_failed` when there is no `/` or the number is invalid
   */
  static parse(text: string): Port {
    const m = typeof text === 'string' ? /^([0-9]{1,5})\/(.*)$/s.exec(text) : null;
    if (m === null || Number(m[1]) > 65535) throw new BrokerError('conversion_failed', `invalid port: ${JSON.stringify(text)}`);
    const proto = m[2] === 'tcp' || m[2] === 'udp' || m[2] === 'icmp' ? m[2] : 'unknown';
    return new Port(Number(m[1]), proto);
  }

  /**
   * Orders by number, then protocol.
   * @param other - the other port
   * @returns negative, zero or positive
   */
  compare(other: Port): number {
    if (this.number !== other.number) return this.number - other.number;
    return this.protocolNumber - other.protocolNumber;
  }

  /**
   * Tells whether two ports have the same number and protocol.
   * @param other - the other port
   */
  equals(other: Port): boolean {
    return this.number === other.number && this.protocol === other.protocol;
  }

  /** For `JSON.stringify` and loggers: Broker's text form (use `encodeJson` for Broker's JSON format). */
  toJSON(): string {
    return this.toString();
  }

  /** Broker's text form, e.g. `80/tcp`, `0/?`. */
  toString(): string {
    return `${this.number}/${this.protocol === 'unknown' ? '?' : this.protocol}`;
  }
}
markBrokerType(Port, TAG_PORT);

/**
 * Makes a Broker port.
 * @param number - 0..65535, or `<number>/<protocol>` text
 * @param protocol - the protocol when `number` is a number (default `'unknown'`)
 * @returns the port
 * @throws BrokerError `invalid_data` or `conversion_failed` for bad input
 */
export function port(number: number | string, protocol: PortProtocol = 'unknown'): Port {
  if (typeof number === 'string') return Port.parse(number);
  return new Port(number, protocol);
}
