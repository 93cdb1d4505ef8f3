import type { LabMessageView, LabResultGroupView, LabReviewItem } from '../../../preload/api/lab-schemas.js';

/**
 * State of one result group of a message: `stored` in the chart, `waiting` in the review queue,
 * `released` or `rejected` there, `reviewed` when a decision was made but the message does not say
 * which, or `held` while the review queue is not loaded.
 */
export type GroupState = 'stored' | 'waiting' | 'released' | 'rejected' | 'reviewed' | 'held';

/**
 * Returns whether the core held a group back: it stores a group only when its specimen matched
 * and none of its results needs review.
 */
export function wasHeld(group: LabResultGroupView): boolean {
  return group.specimenId === null || group.results.some((result) => result.reviewReasons.length > 0);
}

/**
 * Works out a group's state from its message and the waiting review items. A waiting item is
 * found by its message and the accession as sent, which the core keeps when a technician matches
 * the group to another specimen.
 */
export function groupState(message: Pick<LabMessageView, 'id' | 'outcome'>, group: LabResultGroupView, waiting: readonly LabReviewItem[] | undefined): GroupState {
  // The core records the decision with the message's group; older views may lack it.
  if (group.review) return group.review.state;
  if (message.outcome !== 'review' || !wasHeld(group)) return 'stored';
  if (waiting === undefined) return 'held';
  const stillWaiting = waiting.some((item) => item.messageId === message.id && item.group.accession === group.accession);
  return stillWaiting ? 'waiting' : 'reviewed';
}
