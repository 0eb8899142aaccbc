/**
 * Helpers shared by the endpoint tests: waiting for status events, for filters to
 * propagate, and building topologies of peered endpoints. Nothing here sleeps a fixed
 * time: every wait is for an event or for a condition re-checked on each event-loop turn.
 */
import { BrokerError, Endpoint, type EndpointOptions, isStatus, type StatusEvent } from '@broker-ts/broker';

/** The code name of a status or error event. */
export function codeOf(ev: StatusEvent): string {
  return isStatus(ev) ? ev.code : ev.code;
}

/** Reads events until one with `code` arrives; returns it and what came before it. */
export async function nextEvent(sub: { get(): Promise<StatusEvent> }, code: string): Promise<StatusEvent> {
  for (;;) {
    const ev = await sub.get();
    if (codeOf(ev) === code) return ev;
  }
}

/** Reads events until one with `code` arrives and returns it as a BrokerError. */
export async function nextError(sub: { get(): Promise<StatusEvent> }, code: string): Promise<BrokerError> {
  const ev = await nextEvent(sub, code);
  if (!(ev instanceof BrokerError)) throw new Error(`expected an error event ${code}, got a status`);
  return ev;
}

/** One event-loop turn. */
export function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Re-checks `cond` on every event-loop turn until it holds.
 * @param what - named in the error when the deadline (a safety net, not a delay) passes
 */
export async function until(cond: () => boolean | Promise<boolean>, what: string, deadlineMs = 20_000): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await turn();
  }
}

/** Waits until `ep` knows that some peer subscribes to each of `topics`. */
export async function awaitPeerSubscriptions(ep: Endpoint, ...topics: string[]): Promise<void> {
  await until(async () => {
    const subs = await ep.peerSubscriptions();
    return topics.every((t) => subs.includes(t));
  }, `peer subscriptions ${topics.join(', ')} at ${ep.name}`);
}

/** Creates endpoints with their names, all sharing `options`. */
export function endpoints(names: string[], options: EndpointOptions = {}): Endpoint[] {
  return names.map((name) => new Endpoint({ ...options, name }));
}

/** Peers `a` to `b` (b listens on a fresh port) and resolves with b's port. */
export async function connect(a: Endpoint, b: Endpoint): Promise<number> {
  const port = await b.listen();
  const ok = await a.peer('127.0.0.1', port);
  if (!ok) throw new Error(`${a.name} could not peer with ${b.name}`);
  return port;
}

/** Peers a chain: eps[0] – eps[1] – ... (each with the next). */
export async function chain(eps: Endpoint[]): Promise<void> {
  for (let i = 0; i + 1 < eps.length; i++) await connect(eps[i], eps[i + 1]);
}

/** Shuts every endpoint down, in parallel. */
export async function shutdownAll(eps: Iterable<Endpoint>): Promise<void> {
  await Promise.all([...eps].map((ep) => ep.shutdown()));
}
