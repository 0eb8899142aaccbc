/**
 * The Zeek events the demo's nodes exchange, and small helpers to build and read them.
 * Every message is a Zeek event (`zeekEvent` of @broker-ts/broker): a name and a vector
 * of arguments, exactly what a Zeek node would send with `Broker::publish`.
 *
 * | event | from → to | arguments |
 * |---|---|---|
 * | `Demo::connection` | worker → manager | worker, incarnation, sequence number, conn record |
 * | `Demo::new_server` | worker → manager | worker, server address (the worker won `putUnique`) |
 * | `Demo::service_summary` | worker → one proxy | worker, vector of `[service, connections, bytes]` |
 * | `Demo::hello` | every node → manager | name, incarnation, role, kind, pid, endpoint id |
 * | `Demo::node_stats` | every node → manager | name, incarnation, table of figures |
 * | `Demo::finish` | manager → every worker, or one | (none): stop publishing, flush the store writes, report |
 * | `Demo::finished` | worker → manager | name, incarnation, events sent |
 * | `Demo::check_stores` | manager → every node | (none) |
 * | `Demo::store_digest` | every node → manager | name, incarnation, store, size, digest |
 */
import { Count, count, type Data, parseZeekMessage, table, BrokerTable, zeekEvent } from '@broker-ts/broker';

/** The event names, by what they mean. */
export const EVENTS = {
  connection: 'Demo::connection',
  newServer: 'Demo::new_server',
  serviceSummary: 'Demo::service_summary',
  hello: 'Demo::hello',
  stats: 'Demo::node_stats',
  finish: 'Demo::finish',
  finished: 'Demo::finished',
  checkStores: 'Demo::check_stores',
  storeDigest: 'Demo::store_digest',
} as const;

/** A received Zeek event: its name and arguments. */
export interface DemoEvent {
  /** The event name, one of {@link EVENTS}. */
  name: string;
  /** The arguments. */
  args: Data[];
}

/**
 * Builds a Zeek event with these arguments.
 * @param name - one of {@link EVENTS}
 * @param args - the arguments, as Broker data
 */
export function makeEvent(name: string, ...args: Data[]): Data {
  return zeekEvent(name, args);
}

/**
 * Reads a received value as a Zeek event.
 * @returns the event, or `undefined` when the value is not a Zeek event
 */
export function readEvent(value: Data): DemoEvent | undefined {
  try {
    const msg = parseZeekMessage(value);
    return msg.kind === 'event' ? { name: msg.name, args: msg.args } : undefined;
  } catch {
    return undefined;
  }
}

/** A number from a Broker count, integer or real argument (0 for anything else). */
export function numberArg(d: Data | undefined): number {
  if (d instanceof Count) return Number(d.value);
  if (typeof d === 'bigint' || typeof d === 'number') return Number(d);
  return 0;
}

/** A string argument (`''` for anything else). */
export function stringArg(d: Data | undefined): string {
  return typeof d === 'string' ? d : '';
}

/** A node's figures, sent in `Demo::node_stats`: names to non-negative integers. */
export type NodeFigures = Record<string, number>;

/** Encodes figures as a Broker table of string → count. */
export function figuresToData(figures: NodeFigures): Data {
  return table(Object.entries(figures).map(([k, v]) => [k, count(Math.max(0, Math.round(v)))] as [string, Data]));
}

/** Decodes figures from a Broker table (other values give no figures). */
export function figuresFromData(d: Data | undefined): NodeFigures {
  const out: NodeFigures = {};
  if (d instanceof BrokerTable) for (const [k, v] of d) if (typeof k === 'string') out[k] = numberArg(v);
  return out;
}
