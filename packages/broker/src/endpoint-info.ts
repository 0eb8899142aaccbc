/**
 * Broker's `endpoint_info` and `network_info`: which endpoint a status or error concerns,
 * and the network address it was reached at.
 */
import { BrokerError, Count, type Data, Port } from '@broker-ts/data';

/** Where an endpoint was reached: address, port and, for outbound peerings, the retry interval. */
export interface NetworkInfo {
  /** Host name or address text, as given to `peer()` or as seen on the socket. */
  address: string;
  /** TCP port. */
  port: number;
  /** Retry interval in milliseconds (0 = no retry). */
  retryMs?: number;
}

/** An endpoint id (absent for errors about an endpoint never reached) and its network info. */
export interface EndpointInfo {
  /** The endpoint id, or null when unknown (Broker's `invalid-node`). */
  id: string | null;
  /** How it was reached, when known. */
  network?: NetworkInfo;
}

/**
 * Broker's data layout of an endpoint info (Broker's `libbroker/broker/endpoint_info.cc`):
 * `[id | nil, address | nil, port(tcp) | nil, count(retry seconds) | nil]`.
 */
export function endpointInfoToData(info: EndpointInfo): Data {
  const net = info.network;
  if (net === undefined) return [info.id, null, null, null];
  return [info.id, net.address, new Port(net.port, 'tcp'), new Count(BigInt(Math.floor((net.retryMs ?? 0) / 1000)))];
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
  return { id, network: { address, port: port.number, retryMs: Number(retry.value) * 1000 } };
}

/** Prints a network info as Broker does: `<address>:<port>`. */
export function formatNetworkInfo(net: NetworkInfo | undefined): string {
  return net === undefined ? 'none' : `${net.address}:${net.port}`;
}
