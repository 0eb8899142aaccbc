/**
 * Broker's `endpoint_info` and `network_info`: which endpoint a status or error concerns,
 * and the network address it was reached at.
 */
import { BrokerError, Count, type Data, Port, Timespan } from '@broker-ts/data';

/**
 * Where an endpoint was reached: address, port and, for outbound peerings, the retry
 * interval (Broker's `network_info`, `libbroker/broker/network_info.hh`).
 */
export interface NetworkInfo {
  /** Host name or address text, as given to `peer()` or as seen on the socket. */
  address: string;
  /** TCP port. */
  port: number;
  /**
   * The retry interval of an outbound peering, as given to `peer()` (zero: no retry).
   * Broker keeps it in whole seconds, and so does the data form
   * ({@link endpointInfoToData}): a sub-second part is dropped there.
   */
  retry?: Timespan;
}

/** An endpoint id (absent for errors about an endpoint never reached) and its network info. */
export interface EndpointInfo {
  /** The endpoint id, or null when unknown (Broker's `invalid-node`). */
  id: string | null;
  /** How it was reached, when known. */
  network?: NetworkInfo;
}

const NS_PER_SECOND = 1_000_000_000n;

/**
 * Broker's data layout of an endpoint info (Broker's `libbroker/broker/endpoint_info.cc`):
 * `[id | nil, address | nil, port(tcp) | nil, count(retry seconds) | nil]`. The retry is
 * a count of whole seconds, as Broker's `network_info::retry` (`timeout::seconds`) is.
 */
export function endpointInfoToData(info: EndpointInfo): Data {
  const net = info.network;
  if (net === undefined) return [info.id, null, null, null];
  const seconds = net.retry === undefined || net.retry.ns < 0n ? 0n : net.retry.ns / NS_PER_SECOND;
  return [info.id, net.address, new Port(net.port, 'tcp'), new Count(seconds)];
}

/**
 * Reads Broker's data layout of an endpoint info.
 * @throws BrokerError `invalid_data` when the value does not have that layout
 */
export function endpointInfoFromData(value: Data): EndpointInfo {
  if (!Array.isArray(value) || value.length !== 4) throw new BrokerError('invalid_data', 'endpoint_info must be a vector of 4 elements');
  const [id, address, port, retry] = value;
  if (id !== null && typeof id !== 'string') throw new BrokerError('invalid_data', 'endpoint_info id must be a string or nil');
  if (address === null) return { id };
  if (typeof address !== 'string' || !(port instanceof Port) || !(retry instanceof Count)) {
    throw new BrokerError('invalid_data', 'endpoint_info network fields must be string, port and count, or all nil');
  }
  return { id, network: { address, port: port.number, retry: new Timespan(retry.value * NS_PER_SECOND) } };
}

/** Prints a network info as Broker does: `<address>:<port>`. */
export function formatNetworkInfo(net: NetworkInfo | undefined): string {
  return net === undefined ? 'none' : `${net.address}:${net.port}`;
}

/**
 * The network info of a socket address as Node prints it, `ip:port` (an IPv6 address
 * contains colons: the port follows the last one).
 * @param address - `ip:port`
 * @returns the address and the port, without a retry
 */
export function parseNetworkAddress(address: string): NetworkInfo {
  const i = address.lastIndexOf(':');
  return { address: address.slice(0, i), port: Number(address.slice(i + 1)) };
}
