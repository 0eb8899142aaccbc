/**
 * Type-level tests of behaviors and refs (checked by `tsc -p tsconfig.test.json`; the
 * `@ts-expect-error` lines fail the type check if the error they expect disappears).
 */
import type { ActorContext } from './actor-context';
import type { ActorRef } from './actor-ref';
import type { Behavior } from './behavior';
import { createTestSystem } from './deterministic-fixture';

type Msg = { type: 'add'; n: number } | { type: 'name'; text: string };

describe('behavior typing', () => {
  test('a typed behavior narrows each handler to its message and types the context', async () => {
    const fx = createTestSystem();
    let total = 0;
    const b = (ctx: ActorContext<Msg>): Behavior<Msg> => ({
      add: (m) => {
        total += m.n;
        // @ts-expect-error 'text' belongs to the other message
        void m.text;
        ctx.send(ctx.self, { type: 'name', text: 'x' });
      },
      name: (m) => m.text.length,
      down: (m) => void m.reason.kind,
      timeout: (m) => void m.type,
    });
    const ref: ActorRef<Msg> = fx.system.spawn(b);
    ref.tell({ type: 'add', n: 2 });
    const typeErrorsOnly = (): void => {
      // @ts-expect-error unknown message type
      ref.tell({ type: 'nope' });
      // @ts-expect-error wrong field type
      ref.tell({ type: 'add', n: 'two' });
    };
    expect(typeof typeErrorsOnly).toBe('function');
    const len = fx.system.request<number, Msg>(ref, { type: 'name', text: 'abc' });
    await fx.settle();
    expect(total).toBe(2);
    await expect(len).resolves.toBe(3);
    await fx.shutdown();
  });

  test('a behavior with a handler for a type outside its messages does not type-check', () => {
    // @ts-expect-error 'sub' is not a message type of Msg
    const bad: Behavior<Msg> = { sub: () => undefined };
    expect(Object.keys(bad)).toEqual(['sub']);
  });

  test('untyped behaviors accept any message type and see any field', () => {
    const loose: Behavior = { anything: (m) => m.whatever, exit: (m) => m.from };
    expect(typeof loose.anything).toBe('function');
  });
});
