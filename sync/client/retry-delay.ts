/**
 * Wait before retry number `attempt` (0 for the first): exponential from `minMs`, capped at
 * `maxMs`, and spread at random over its upper half. The spread keeps a ward's workstations, which
 * all lost the server at the same moment, from retrying in step when it comes back.
 */
export function retryDelay(attempt: number, minMs: number, maxMs: number, random: () => number = Math.random): number {
  const cap = Math.min(maxMs, minMs * 2 ** Math.min(attempt, 30));
  return Math.round(cap / 2 + (cap / 2) * random());
}
