/**
 * The package's three entries, resolved by name as a user resolves them (jest uses the
 * `@broker-ts/source` condition of package.json `exports`).
 */
import * as main from '@broker-ts/actor';
import * as internal from '@broker-ts/actor/internal';
import * as testing from '@broker-ts/actor/testing';
import type { ActorSystemView } from './actor-system-view';

describe('package entries', () => {
  it('keeps runtime parts out of the main entry and offers them on ./internal and ./testing', () => {
    const runtimeParts = ['Envelope', 'EnvelopeKind', 'Mailbox', 'NodeRouter', 'MessagePortLink', 'RingBuffer', 'BoundedBuffer', 'CreditController', 'RateMeter', 'encodeEnvelopes', 'decodeEnvelopes', 'FLOW_MESSAGE_TYPES'];
    for (const name of runtimeParts) {
      expect(Object.keys(main)).not.toContain(name);
      expect(Object.keys(internal)).toContain(name);
    }
    for (const name of ['createTestSystem', 'DeterministicFixture', 'DeterministicScheduler']) {
      expect(Object.keys(main)).not.toContain(name);
      expect(Object.keys(testing)).toContain(name);
    }
    expect(Object.keys(main)).not.toContain('Router');
    for (const name of ['ActorSystem', 'ActorRef', 'FlowHost', 'TcpNetwork', 'NetErrorCodes', 'startWorker', 'spawnWorker', 'wrapWorker', 'openWorkerObject']) expect(Object.keys(main)).toContain(name);
  });

  it('lets an actor reach the TCP network through ctx.system, and refuses anything that is not a system', async () => {
    const fx = testing.createTestSystem();
    const seen: unknown[] = [];
    fx.system.spawn((ctx) => {
      seen.push(main.TcpNetwork.of(ctx.system) === main.TcpNetwork.of(fx.system));
      return {};
    });
    expect(seen).toEqual([true]);
    expect(() => main.TcpNetwork.of({ nodeId: 'fake' } as unknown as ActorSystemView)).toThrow(expect.objectContaining({ code: 'invalid_argument' }));
    await fx.shutdown();
  });
});
