/**
 * A seeded pseudo-random generator for tests and test-only fault injection, so that a
 * failing run can be replayed from its seed. Not for anything that needs unpredictability.
 */

/**
 * Mulberry32: a small, fast, seeded generator.
 * @param seed - any 32-bit integer
 * @returns a function giving the next float in [0, 1)
 */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
