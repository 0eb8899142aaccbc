/**
 * A realistic stream of connection records, like the ones a Zeek worker logs to conn.log:
 * a few dozen local clients talk to servers on the Internet, most often to a handful of
 * popular ones (DNS, web), sometimes to rare ones. Deterministic for a given seed, so a
 * run can be repeated.
 */
import { address, type Address, count, type Data, enumValue, port, type Port, timespan, timestamp } from '@broker-ts/broker';

/** One service a server offers. */
interface Service {
  /** Zeek's service name (conn.log `service`). */
  name: string;
  /** The server port. */
  port: Port;
  /** Transport protocol, as Zeek's `transport_proto` enum. */
  proto: 'tcp' | 'udp';
  /** Typical bytes from the client and from the server. */
  origBytes: number;
  respBytes: number;
}

const SERVICES: Service[] = [
  { name: 'dns', port: port(53, 'udp'), proto: 'udp', origBytes: 40, respBytes: 120 },
  { name: 'ssl', port: port(443, 'tcp'), proto: 'tcp', origBytes: 2_000, respBytes: 40_000 },
  { name: 'http', port: port(80, 'tcp'), proto: 'tcp', origBytes: 600, respBytes: 15_000 },
  { name: 'ssh', port: port(22, 'tcp'), proto: 'tcp', origBytes: 3_000, respBytes: 4_000 },
  { name: 'smtp', port: port(25, 'tcp'), proto: 'tcp', origBytes: 20_000, respBytes: 1_000 },
];

/** The conn.log states a finished connection may end in, most of them complete (SF). */
const STATES = ['SF', 'SF', 'SF', 'SF', 'SF', 'S0', 'REJ', 'RSTO', 'SH'];

/** How many local clients there are (the keys `conn_counts` can have). */
export const CLIENT_COUNT = 24;

/** How many servers there are (the keys `known_servers` can have). */
export const SERVER_COUNT = 48;

/** The local clients (10.0.0.0/24) and the servers (documentation ranges), each with its service. */
const CLIENTS: Address[] = Array.from({ length: CLIENT_COUNT }, (_, i) => address(`10.0.${i % 4}.${10 + i}`));
const SERVERS: Array<{ addr: Address; service: Service }> = Array.from({ length: SERVER_COUNT }, (_, i) => ({
  addr: address(`${['192.0.2', '198.51.100', '203.0.113'][i % 3]}.${1 + i}`),
  service: SERVICES[i % SERVICES.length],
}));

const UID_CHARS = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** One connection: the fields the demo reads, and the record it sends. */
export interface Conn {
  /** The originating (local) host. */
  origH: Address;
  /** The responding server. */
  respH: Address;
  /** Zeek's service name. */
  service: string;
  /** Bytes both ways. */
  bytes: number;
  /**
   * The conn.log record as Broker data: `[ts, uid, [orig_h, orig_p, resp_h, resp_p],
   * proto, service, duration, orig_bytes, resp_bytes, conn_state]`.
   */
  record: Data;
}

/** A generator of connections. */
export class ConnStream {
  /** The PRNG state (mulberry32). */
  private state: number;

  /**
   * @param seed - any string; the same seed gives the same connections
   */
  constructor(seed: string) {
    let h = 2166136261;
    for (const ch of seed) h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
    this.state = h >>> 0;
  }

  /** A uniform number in [0, 1). */
  private random(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [0, n). */
  private below(n: number): number {
    return Math.floor(this.random() * n);
  }

  /** The next connection, time-stamped now. */
  next(): Conn {
    const client = CLIENTS[this.below(CLIENTS.length)];
    // Squaring the uniform number makes low indexes (popular servers) far more likely.
    const server = SERVERS[Math.floor(this.random() ** 2 * SERVERS.length)];
    const s = server.service;
    const origBytes = Math.round(s.origBytes * (0.2 + this.random() * 1.6));
    const respBytes = Math.round(s.respBytes * (0.2 + this.random() * 1.6));
    let uid = 'C';
    for (let i = 0; i < 17; i++) uid += UID_CHARS[this.below(UID_CHARS.length)];
    const record: Data = [
      timestamp(BigInt(Date.now()) * 1_000_000n),
      uid,
      [client, port(49152 + this.below(16384), s.proto), server.addr, s.port],
      enumValue(s.proto),
      s.name,
      timespan(Math.round(this.random() * 5_000)),
      count(origBytes),
      count(respBytes),
      STATES[this.below(STATES.length)],
    ];
    return { origH: client, respH: server.addr, service: s.name, bytes: origBytes + respBytes, record };
  }
}
