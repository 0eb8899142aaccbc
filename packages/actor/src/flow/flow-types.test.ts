/*
 * Type-level tests of the flow API (checked by `tsc -p packages/actor/tsconfig.test.json`;
 * each `@ts-expect-error` fails the type-check if the line stops being an error), run
 * once by jest so that the calls are real.
 */
import { createTestSystem } from '../deterministic-fixture';
import type { FlowError, FlowErrorCode } from './flow-error';
import { FlowHost, withFlows, type Stream } from './flow-host';
import type { OverflowPolicy } from './overflow-policy';

type Msg = { type: 'go'; n: number } | { type: 'stop' };

test('the flow API is typed by item type, message type, policy and error code', async () => {
  const fx = createTestSystem();
  let stream: Stream<number> | undefined;
  let badPolicy: FlowErrorCode | undefined;
  const consumer = fx.system.spawn((ctx) => withFlows(new FlowHost(ctx, { onOpen: () => ({ onItems: (_items: number[]) => undefined }) }), {}));
  const producer = fx.system.spawn<Msg>((ctx) => {
    const host = new FlowHost(ctx);
    return withFlows<Msg>(host, {
      go: (m) => {
        const n: number = m.n;
        stream = host.open<number>(consumer, { policy: 'dropOldest' });
        stream.push(n);
        // @ts-expect-error items of a Stream<number> are numbers
        stream.push('x');
        try {
          // @ts-expect-error policies are a closed set (and checked at run time too)
          host.open<number>(consumer, { policy: 'drop_oldest' });
        } catch (e) {
          badPolicy = (e as FlowError).code;
        }
      },
      // @ts-expect-error handlers receive their own message type
      stop: (m: { type: 'go'; n: number }) => m.n,
    });
  });
  producer.tell({ type: 'go', n: 1 });
  fx.runUntilIdle();
  const error: FlowError | undefined = await Promise.race([stream!.done(), Promise.resolve(undefined)]);
  const code: FlowErrorCode | undefined = error?.code;
  const ready: Promise<boolean> = stream!.ready();
  const policy: OverflowPolicy = stream!.policy;
  expect([code, policy, await ready]).toEqual([undefined, 'dropOldest', true]);
  expect(stream!.sent).toBe(2);
  expect(badPolicy).toBe('invalid_argument');
  await fx.shutdown();
});
