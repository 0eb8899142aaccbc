import { Address } from './address';
import { BrokerError } from './broker-error';
import { BROKER_TAG, markBrokerType, TAG_SUBNET } from './type-tag';

/**
 * Broker's `subnet`: a network address plus a prefix length. Host bits are always
 * cleared. Immutable. Orders by network, then by length (Broker 1.4 ignored the length;
 * broker-ts follows current Broker).
 */
export class Subnet {
  /** @internal Broker's type index, on the prototype (see type-tag.ts). */
  declare readonly [BROKER_TAG]: number;

  /** The network address, host bits cleared. */
  readonly network: Address;
  /** The prefix length in IPv6 terms (v4 length + 96 for IPv4 networks), 0..128. */
  readonly rawLength: number;

  /**
   * Makes a subnet and clears the host bits of `network`.
   * @param network - any address in the subnet
   * @param length - the prefix length, in IPv4 terms (0..32) for IPv4 addresses and IPv6
   *   terms (0..128) otherwise
   * @throws BrokerError `invalid_data` when the length is out of range (Broker silently
   *   makes `::/0` instead)
   */
  constructor(network: Address, length: number) {
    if (!(network instanceof Address)) throw new BrokerError('type_clash', 'subnet expects an Address as network');
    const max = network.isV4 ? 32 : 128;
    if (!Number.isInteger(length) || length < 0 || length > max) {
      throw new BrokerError('invalid_data', `subnet length must be 0..${max} for ${network.toString()}, got ${length}`);
    }
    const raw = network.isV4 ? length + 96 : length;
    this.network = network.mask(raw);
    this.rawLength = raw;
  }

  /**
   * Makes a subnet from a length in IPv6 terms, as the binary format stores it.
   * @param network - any address in the subnet
   * @param rawLength - 0..128
   * @throws BrokerError `invalid_data` when the length is out of range
   */
  static fromRawLength(network: Address, rawLength: number): Subnet {
    if (!Number.isInteger(rawLength) || rawLength < 0 || rawLength > 128) {
      throw new BrokerError('invalid_data', `subnet raw length must be 0..128, got ${rawLength}`);
    }
    // A mapped IPv4 network with a prefix under 96 bits masks to a non-mapped address.
    const masked = network.mask(rawLength);
    return new Subnet(masked, masked.isV4 ? rawLength - 96 : rawLength);
  }

  /**
   * Parses `<address>/<length>` (length in IPv4 terms for IPv4 addresses).
   * @param text - e.g. `10.0.0.0/8`, `2001:db8::/32`
   * @throws BrokerError `conversion_failed` when the text is not a subnet
   */
  static parse(text: string): Subnet {
    const m = typeof text === 'string' ? /^([^/]+)\/([0-9]{1,3})$/.exec(text) : null;
    if (m === null) throw new BrokerError('conversion_failed', `invalid subnet: ${JSON.stringify(text)}`);
    const net = Address.parse(m[1]);
    const len = Number(m[2]);
    if (len > (net.isV4 ? 32 : 128)) throw new BrokerError('conversion_failed', `invalid subnet length in ${JSON.stringify(text)}`);
    return new Subnet(net, len);
  }

  /** The prefix length as Broker reports it: in IPv4 terms for IPv4 networks. */
  get length(): number {
    return this.network.isV4 && this.rawLength >= 96 ? this.rawLength - 96 : this.rawLength;
  }

  /**
   * Tells whether an address lies in this subnet.
   * @param addr - the address
   */
  contains(addr: Address): boolean {
    return addr.mask(this.rawLength).equals(this.network);
  }

  /**
   * Orders by network address, then by length.
   * @param other - the other subnet
   * @returns negative, zero or positive
   */
  compare(other: Subnet): number {
    const c = this.network.compare(other.network);
    if (c !== 0) return c;
    return this.rawLength - other.rawLength;
  }

  /**
   * Tells whether two subnets have the same network and length.
   * @param other - the other subnet
   */
  equals(other: Subnet): boolean {
    return this.rawLength === other.rawLength && this.network.equals(other.network);
  }

  /** For `JSON.stringify` and loggers: Broker's text form (use `encodeJson` for Broker's JSON format). */
  toJSON(): string {
    return this.toString();
  }

  /** Broker's text form, e.g. `10.0.0.0/8`. */
  toString(): string {
    return `${this.network.toString()}/${this.length}`;
  }
}
markBrokerType(Subnet, TAG_SUBNET);

/**
 * Makes a Broker subnet.
 * @param text - `<address>/<length>`, or an address when `length` is given
 * @param length - the prefix length (IPv4 terms for IPv4 addresses)
 * @returns the subnet
 * @throws BrokerError `conversion_failed` for invalid text, `invalid_data` for a bad length
 */
export function subnet(text: string | Address, length?: number): Subnet {
  if (length === undefined) {
    if (typeof text !== 'string') throw new BrokerError('invalid_data', 'subnet(address) needs a length');
    return Subnet.parse(text);
  }
  return new Subnet(typeof text === 'string' ? Address.parse(text) : text, length);
}
