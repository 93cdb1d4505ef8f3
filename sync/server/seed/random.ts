import { createHash } from 'node:crypto';

/** A deterministic pseudo-random number generator: the same seed text gives the same sequence. */
export interface Random {
  /** A number in [0, 1). */
  next(): number;
  /** A number in [min, max). */
  between(min: number, max: number): number;
  /** An integer in [min, max], both included. */
  integer(min: number, max: number): number;
}

/**
 * Draws each number from SHA-256 of the seed text and a counter. Slow next to a dedicated PRNG, but
 * the seed draws a few thousand numbers, and the sequence is the same on every platform.
 */
export function createRandom(seedText: string): Random {
  let counter = 0;
  const next = (): number => {
    const digest = createHash('sha256').update(`${seedText}:${counter++}`).digest();
    return digest.readUInt32BE(0) / 2 ** 32;
  };
  return {
    next,
    between: (min, max) => min + (max - min) * next(),
    integer: (min, max) => min + Math.floor((max - min + 1) * next()),
  };
}

/** Shuffles a copy of `items` (Fisher–Yates) with the given generator. */
export function shuffled<T>(items: readonly T[], random: Random): T[] {
  const copy = [...items];
  for (let index = copy.length - 1; index > 0; index--) {
    const other = random.integer(0, index);
    [copy[index], copy[other]] = [copy[other] as T, copy[index] as T];
  }
  return copy;
}
