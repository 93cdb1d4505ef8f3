/** Rollout rings IT assigns to machines: ring 0 takes a staged release first, ring 9 last. */
export const RING_COUNT = 10;

/**
 * Tells whether a machine in `ring` takes a release staged at `stagingPercentage` percent: ring r
 * is in once the percentage exceeds r × 10. The ring comes from machine policy, so every user of a
 * shared workstation gets the same result. electron-updater's own draw uses a random id stored in
 * each user's profile, so one user of a machine could be in and the next out.
 * A release without a percentage goes to every ring.
 */
export function isRingInRollout(ring: number, stagingPercentage: number | undefined): boolean {
  if (stagingPercentage === undefined) return true;
  return ring * (100 / RING_COUNT) < stagingPercentage;
}
