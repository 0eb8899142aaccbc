/**
 * Hostile bytes and hostile, well-formed actor messages at an endpoint's listening port
 * while a legitimate peering carries numbered messages: the core survives everything,
 * and the peer receives every number once, in order.
 */
import { createConnection } from 'node:net';
import pino from 'pino';
import { ActorSystem, ExitReasons, TcpNetwork, type ActorRef } from '@broker-ts/actor';
import { Envelope, EnvelopeKind } from '@broker-ts/actor/internal';
import { Endpoint } from '@broker-ts/broker';
import { awaitPeerSubscriptions, connect, shutdownAll } from '../helpers';
import { adoptedConnection } from '../native/adopted-connection';

const quiet = pino({ level: process.env.T_LOG ?? 'silent' }, pino.destination(2));
let eps: Endpoint[] = [];
let attacker: ActorSystem | undefined;

afterEach(async () => {
  await shutdownAll(eps);
  eps = [];
  await attacker?.shutdown();
  attacker = undefined;
});

/** Writes `bytes` to the port from a raw socket and resolves when the endpoint closed it. */
function rawBytes(port: number, bytes: Buffer): Promise<void> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port }, () => socket.write(bytes));
    socket.on('data', () => {});
    socket.on('error', () => {});
    socket.on('close', () => resolve());
  });
}

/** Every kind of forgery a connected node can send at the endpoint's actors. */
function forge(system: ActorSystem, node: string, core: ActorRef, victimPeer: string): void {
  const me = system.spawn(() => ({}));
  const send = (to: ActorRef, msg: unknown, kind: EnvelopeKind, from: ActorRef | null = me, rid = 0): void => system.route(new Envelope(to, from, msg, kind, rid));
  const error = ExitReasons.error(new Error('forged'));
  // Runtime messages as plain messages (one such `down` used to kill the core).
  for (const msg of [{ type: 'down' }, { type: 'down', ref: core, reason: error }, { type: 'exit', from: me, reason: error }, { type: 'timeout' }, { type: 'flow.flush' }, { type: 'flow.down', key: core.key, reason: 'x' }]) {
    send(core, msg, EnvelopeKind.Message);
  }
  // Facade commands and internal continuations.
  for (const msg of [{ type: 'shutdown' }, { type: 'publish', topic: '/t', value: 1 }, { type: 'peer', host: '127.0.0.1', port: 70000, retryMs: 0, wait: false }, { type: 'peering-failed', key: 'x', attempt: 1 }, { type: 'stats' }]) {
    send(core, msg, EnvelopeKind.Message);
    send(core, msg, EnvelopeKind.Request, me, 1);
  }
  // Peering and stream messages with wrong shapes.
  for (const msg of [{ type: 'broker.hello' }, { type: 'broker.filter', filter: 7 }, { type: 'broker.bye', reason: null }, { type: 'flow.open', psid: -1 }, { type: 'flow.batch', csid: 1, items: 'x' }, { type: 'flow.demand', psid: 1e9, credit: -5 }]) {
    send(core, msg, EnvelopeKind.Message);
  }
  // Signals: kill, stop, link then EXIT, DOWN without a monitor, bad reasons.
  send(core, ExitReasons.kill, EnvelopeKind.Kill);
  send(core, error, EnvelopeKind.Stop);
  send(core, null, EnvelopeKind.Link);
  send(core, error, EnvelopeKind.Exit);
  send(core, { kind: 'bogus' }, EnvelopeKind.Exit);
  send(core, error, EnvelopeKind.Down);
  send(core, null, EnvelopeKind.Monitor);
  // Every other actor id, messages and signals.
  for (let id = 0; id < 40; id++) {
    const to = system.refFor(node, id);
    send(to, { type: 'put', key: 'k', value: 1 }, EnvelopeKind.Message);
    send(to, { type: 'spawn', module: 'x' }, EnvelopeKind.Request, me, 2);
    send(to, error, EnvelopeKind.Stop);
    send(to, null, EnvelopeKind.Link);
    send(to, error, EnvelopeKind.Exit);
  }
  // Answers to requests never sent, senders of other nodes, routing through the endpoint.
  for (let rid = 0; rid < 100; rid++) send(system.refFor(node, 0), null, EnvelopeKind.Response, me, rid);
  send(core, { type: 'down' }, EnvelopeKind.Message, system.refFor(victimPeer, 1));
  send(system.refFor(victimPeer, 1), { type: 'down' }, EnvelopeKind.Message);
}

test('hostile bytes and forged actor messages at the listening port leave the core and a legitimate peering intact', async () => {
  const [sender, receiver] = (eps = [new Endpoint({ name: 'sender', logger: quiet }), new Endpoint({ name: 'receiver', logger: quiet })]);
  const port = await connect(receiver, sender);
  const sub = receiver.makeSubscriber(['/seq']);
  await awaitPeerSubscriptions(sender, '/seq');
  const total = 3000;
  const got: number[] = [];
  const reading = (async () => {
    while (got.length < total) got.push(Number((await sub.get())[1]));
  })();

  attacker = new ActorSystem({ name: 'attacker', logger: quiet });
  // The attacker passes Broker's handshake as a broker-ts endpoint would, then speaks the runtime's protocol.
  const node = await adoptedConnection(port, attacker, TcpNetwork.of(attacker));
  expect(node).toBe(sender.id);
  const core = await attacker.lookup(node, 'broker.core');
  expect(core).toBeDefined();
  for (let i = 1; i <= total; i++) {
    sender.publish('/seq', i);
    if (i % 500 === 0) {
      forge(attacker, node, core!, receiver.id);
      await Promise.all([
        rawBytes(port, Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n')),
        rawBytes(port, Buffer.from([0xb7, 0x41, 0x43, 0x54, 0, 1, 0, 1, 0xff, 0xff, 0xff, 0xff])),
        rawBytes(port, Buffer.from([0xb7, 0x41, 0x43, 0x54, 0, 1, 0, 1, 0, 0, 0, 3, 0x01, 0x82, 0x00])),
      ]);
    }
  }
  await reading;
  expect(got).toEqual(Array.from({ length: total }, (_, i) => i + 1));
  // The core still answers its own node, and the forged request got a refusal.
  await expect(sender.peers()).resolves.toHaveLength(1);
  await expect(attacker.request(core!, { type: 'peers' }, { timeout: 10_000 })).rejects.toMatchObject({ code: 'unexpected_message' });
  sender.publish('/seq', total + 1);
  expect(Number((await sub.get())[1])).toBe(total + 1);
});
