/** mulberry32: a small seeded generator, so that a failing randomised run can be repeated with its seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** Draws an integer from `min` to `max`, both included. */
export function integerBetween(random: () => number, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

/** Returns the seed of this run: HMS_TEST_SEED when set, otherwise one drawn from the clock. */
export function testSeed(): number {
  return Number(process.env.HMS_TEST_SEED ?? Date.now() % 1_000_000);
}
