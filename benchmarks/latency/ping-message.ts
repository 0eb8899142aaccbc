/**
 * The ping/pong messages of the latency rows, in the shape the newest Broker's
 * `broker-node` uses (`broker-node/broker-node.cc`): a ping is `["ping", count id,
 * payload]` and the answer `["pong", count id]`; or, for the throughput benchmark's
 * latency row, `[count id, conn event]`, echoed whole.
 */
import { count, Count, type Data, type DataInput } from '@broker-ts/data';
import { makeConnEvent } from '@broker-ts/cli';

/** What a ping carries besides its id. */
export type PingShape = { kind: 'broker-node'; payloadBytes: number } | { kind: 'conn-event' };

/** Reads a shape from the command line: `conn-event` or `broker-node:<payload bytes>`. */
export function parsePingShape(text: string): PingShape {
  if (text === 'conn-event') return { kind: 'conn-event' };
  const m = /^broker-node:(\d+)$/.exec(text);
  if (!m) throw new Error(`ping shape must be conn-event or broker-node:<bytes>, got ${JSON.stringify(text)}`);
  return { kind: 'broker-node', payloadBytes: Number(m[1]) };
}

/** The command-line form of a shape (the inverse of {@link parsePingShape}). */
export function formatPingShape(shape: PingShape): string {
  return shape.kind === 'conn-event' ? 'conn-event' : `broker-node:${shape.payloadBytes}`;
}

/** The ping with id `id`. */
export function makePing(shape: PingShape, id: number): DataInput {
  if (shape.kind === 'conn-event') return [count(id), makeConnEvent(id)];
  return ['ping', count(id), 'x'.repeat(shape.payloadBytes)];
}

/** The answer to `ping`: `["pong", id]` to a Broker-shaped ping, the value itself otherwise. */
export function answerPing(ping: Data): Data | ['pong', Count] {
  if (Array.isArray(ping) && ping.length === 3 && ping[0] === 'ping' && ping[1] instanceof Count) return ['pong', ping[1]];
  return ping;
}

/** The id a reply answers, or -1 when it is not a reply of `shape`. */
export function replyId(shape: PingShape, reply: Data): number {
  if (!Array.isArray(reply)) return -1;
  const id = shape.kind === 'conn-event' ? reply[0] : reply[0] === 'pong' && reply.length === 2 ? reply[1] : undefined;
  return id instanceof Count ? Number(id.value) : -1;
}
