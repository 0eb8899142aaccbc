import pino from 'pino';
import { ActorSystem } from '../../src/actor-system';
import type { DownMessage } from '../../src/system-message';
import { connectTcp, listenTcp } from '../../src/net/tcp-network';

/*
 * Nodes connected over TCP are untrusted by default: they reach only actors spawned with
 * `remote`, with the types those accept; they cannot stop actors of this node, and names
 * of closed actors are hidden from them.
 */
let server: ActorSystem;
let client: ActorSystem;

beforeEach(async () => {
  const logger = pino({ level: 'silent' });
  server = new ActorSystem({ name: 'server', logger });
  client = new ActorSystem({ name: 'client', logger });
  const port = await listenTcp(server);
  await connectTcp(client, '127.0.0.1', port);
});
afterEach(() => Promise.all([server.shutdown(), client.shutdown()]));

test('an open actor answers its accepted types; other types and closed actors are refused and counted', async () => {
  server.spawn(() => ({ ping: () => 'pong', secret: () => 'leaked' }), { name: 'open', remote: ['ping'] });
  server.spawn(() => ({ ping: () => 'pong' }), { name: 'closed' });
  const open = await client.lookup(server.nodeId, 'open');
  expect(open).toBeDefined();
  await expect(client.request(open!, { type: 'ping' })).resolves.toBe('pong');
  await expect(client.request(open!, { type: 'secret' })).rejects.toMatchObject({ code: 'unexpected_message' });
  // A closed actor is not even found by name, and a guessed ref answers as a dead one.
  await expect(client.lookup(server.nodeId, 'closed')).resolves.toBeUndefined();
  const guessed = client.refFor(server.nodeId, server.whereis('closed')!.id);
  await expect(client.request(guessed, { type: 'ping' })).rejects.toMatchObject({ code: 'request_receiver_down' });
  expect(server.remoteRefusals).toBe(2);
});

test('a remote node cannot stop, kill or link-kill an open actor, but may monitor it', async () => {
  const target = server.spawn(() => ({ ping: () => 'pong' }), { name: 'target', remote: true });
  const ref = (await client.lookup(server.nodeId, 'target'))!;
  client.stop(ref);
  client.kill(ref);
  let sawDown: (m: DownMessage) => void = () => {};
  const down = new Promise<DownMessage>((r) => (sawDown = r));
  client.spawn(
    (ctx) => {
      ctx.link(ref);
      ctx.monitor(ref);
      ctx.stop();
      return { down: (m) => sawDown(m as DownMessage) };
    },
    { trapExit: true },
  );
  client.spawn((ctx) => {
    ctx.monitor(ref);
    return { down: (m) => sawDown(m as DownMessage) };
  });
  await expect(client.request(ref, { type: 'ping' })).resolves.toBe('pong');
  expect(server.isAlive(target)).toBe(true);
  server.stop(target);
  await expect(down).resolves.toMatchObject({ reason: { kind: 'normal' } });
});
