import { Actor, isActorClass } from './actor';
import type { Behavior } from './behavior';

describe('Actor', () => {
  test('isActorClass tells subclasses from behavior functions', () => {
    class A extends Actor {
      behavior(): Behavior {
        return {};
      }
    }
    class NotAnActor {}
    expect(isActorClass(A)).toBe(true);
    expect(isActorClass(() => ({}))).toBe(false);
    expect(isActorClass(NotAnActor)).toBe(false);
    expect(isActorClass(42)).toBe(false);
  });
});
