/**
 * The conn.log-like event of Broker's throughput benchmark (Broker 1.4's `tests/benchmark/broker-benchmark.cc`, event type 2),
 * as Broker values wrapped as a Zeek event, and as an equivalent plain JS object for
 * baselines that know nothing of Broker (cbor-x, NATS, raw TCP).
 *
 * Both are deterministic functions of `i` (no global state), so a sender and a checker
 * can rebuild the same event. Strings cycle through [0-9A-Za-z] as Broker's
 * `random_string` does; counts grow with `i` as its `random_count` counter does.
 */
import { address, count, type Data, enumValue, port, set, Timespan, Timestamp } from '@broker-ts/data';

/** The Zeek event name of the type-2 event. */
export const CONN_EVENT_NAME = 'event_2';

const CHARSET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

// "now()" of the event: the load time of this module, plus i microseconds.
const BASE_MS = Date.now();

/**
 * `length` characters cycling through [0-9A-Za-z] from a seed (Broker's `random_string`).
 * Shared with the other benchmark events of this package.
 * @internal
 */
export function cyclingString(seed: number, length: number): string {
  let out = '';
  for (let j = 0; j < length; j++) out += CHARSET[(seed + j) % CHARSET.length];
  return out;
}

/** The plain-object form of the event: named fields, JS numbers and strings only. */
export type ConnEventPlain = {
  /** Always {@link CONN_EVENT_NAME}. */
  event: string;
  /** Seconds since the epoch. */
  ts: number;
  uid: string;
  id: { orig_h: string; orig_p: number; resp_h: string; resp_p: number };
  proto: string;
  service: string;
  /** Seconds. */
  duration: number;
  orig_bytes: number;
  resp_bytes: number;
  conn_state: string;
  local_orig: boolean;
  local_resp: boolean;
  missed_bytes: number;
  history: string;
  orig_pkts: number;
  orig_ip_bytes: number;
  resp_pkts: number;
  resp_ip_bytes: number;
  tunnel_parents: string[];
};

// The constant fields of every event, parsed once: a real sender holds its addresses and
// ports as values, not as text to parse per event. These Broker values are immutable, so
// sharing them between events is safe; every event still gets its own containers and its
// per-event fields, and is encoded in full when published.
const ORIG_H = address('1.2.3.4');
const ORIG_P = port(4567, 'tcp');
const RESP_H = address('3.4.5.6');
const RESP_P = port(80, 'tcp');
const PROTO = enumValue('tcp');
const DURATION = new Timespan(3_140_000_000n);
const ONE = count(1);
const BASE_NS = BigInt(BASE_MS) * 1_000_000n;
// Local bindings of hot-path imports: see docs/architecture.md, "Local bindings on hot paths".
const countOf = count;
const setOf = set;
const TimestampClass = Timestamp;

/**
 * The event's 18 arguments as Broker values, in the order of `event_2(...)`.
 * @param i - the event's sequence number (≥ 0)
 */
export function makeConnEventArgs(i: number): Data[] {
  const seed = i * 7;
  return [
    new TimestampClass(BASE_NS + BigInt(i) * 1_000n),
    cyclingString(seed, 10),
    [ORIG_H, ORIG_P, RESP_H, RESP_P],
    PROTO,
    cyclingString(seed + 1, 10),
    DURATION,
    countOf(i * 7 + 1),
    countOf(i * 7 + 2),
    cyclingString(seed + 2, 5),
    true,
    false,
    countOf(i * 7 + 3),
    cyclingString(seed + 3, 10),
    countOf(i * 7 + 4),
    countOf(i * 7 + 5),
    countOf(i * 7 + 6),
    countOf(i * 7 + 7),
    setOf([cyclingString(seed + 4, 10), cyclingString(seed + 5, 10)]),
  ];
}

/**
 * The event as Broker sends it: a Zeek event `[count 1, count 1, ["event_2", [args...]]]`.
 * @param i - the event's sequence number (≥ 0)
 */
export function makeConnEvent(i: number): Data {
  return [ONE, ONE, [CONN_EVENT_NAME, makeConnEventArgs(i)]];
}

/**
 * The same event as a plain JS object with named fields, for baselines.
 * @param i - the event's sequence number (≥ 0)
 */
export function makeConnEventPlain(i: number): ConnEventPlain {
  const seed = i * 7;
  return {
    event: CONN_EVENT_NAME,
    ts: (BASE_MS + i / 1000) / 1000,
    uid: cyclingString(seed, 10),
    id: { orig_h: '1.2.3.4', orig_p: 4567, resp_h: '3.4.5.6', resp_p: 80 },
    proto: 'tcp',
    service: cyclingString(seed + 1, 10),
    duration: 3.14,
    orig_bytes: i * 7 + 1,
    resp_bytes: i * 7 + 2,
    conn_state: cyclingString(seed + 2, 5),
    local_orig: true,
    local_resp: false,
    missed_bytes: i * 7 + 3,
    history: cyclingString(seed + 3, 10),
    orig_pkts: i * 7 + 4,
    orig_ip_bytes: i * 7 + 5,
    resp_pkts: i * 7 + 6,
    resp_ip_bytes: i * 7 + 7,
    tunnel_parents: [cyclingString(seed + 4, 10), cyclingString(seed + 5, 10)],
  };
}
