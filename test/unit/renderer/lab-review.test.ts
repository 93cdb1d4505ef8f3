import { describe, expect, it } from 'vitest';

import type { LabResultGroupView, LabReviewItem } from '../../../preload/api/lab-schemas.js';
import { groupState } from '../../../renderer/src/lab/group-state.js';
import { ACCESSION_MISSING, describeReviewError } from '../../../renderer/src/lab/review-errors.js';
import { countResults, describeReviewOutcome } from '../../../renderer/src/lab/review-outcome.js';

const result = { testCode: '717/', display: 'Glucose', loinc: null, value: '28.4', unit: 'mmol/L', referenceRange: null, interpretation: ['HH'], status: 'final', reviewReasons: [] };

function groupView(accession: string, matched: boolean, reviewReasons: string[] = []): LabResultGroupView {
  return {
    accession,
    specimenId: matched ? 'Specimen/specimen-s1' : null,
    patientId: matched ? 'pat-1' : null,
    patientName: matched ? 'DOE, Jane' : null,
    mrn: matched ? 'H100' : null,
    results: [{ ...result, reviewReasons }, { ...result, interpretation: ['N'] }],
  };
}

function reviewItem(messageId: string, group: LabResultGroupView, overrides: Partial<LabReviewItem> = {}): LabReviewItem {
  return {
    id: 'review-1',
    messageId,
    connectionId: 'roche-cobas-c311',
    createdAt: '2026-12-05T10:00:00Z',
    reasons: ['unknown-accession'],
    group,
    state: 'waiting',
    decidedAt: null,
    decidedBy: null,
    decisionReason: null,
    ...overrides,
  };
}

describe('groupState', () => {
  const held = groupView('ZZ-1', false);

  it('reads a stored message as in the chart', () => {
    expect(groupState({ id: 'm1', outcome: 'stored' }, groupView('S1', true), [])).toBe('stored');
  });

  it('reads a matched group without reasons of a held message as in the chart', () => {
    expect(groupState({ id: 'm1', outcome: 'review' }, groupView('S1', true), [reviewItem('m1', held)])).toBe('stored');
  });

  it('finds the waiting item by message and accession', () => {
    expect(groupState({ id: 'm1', outcome: 'review' }, held, [reviewItem('m1', held)])).toBe('waiting');
  });

  it('reads a held group with no waiting item as reviewed', () => {
    expect(groupState({ id: 'm1', outcome: 'review' }, held, [reviewItem('m2', held)])).toBe('reviewed');
  });

  it('holds a matched group with a critical result', () => {
    const critical = groupView('S1', true, ['critical-flag']);
    expect(groupState({ id: 'm1', outcome: 'review' }, critical, [reviewItem('m1', critical)])).toBe('waiting');
  });

  it('says held while the queue is not loaded', () => {
    expect(groupState({ id: 'm1', outcome: 'review' }, held, undefined)).toBe('held');
  });
});

describe('describeReviewOutcome', () => {
  it('names the patient and the count of a release', () => {
    const item = reviewItem('m1', groupView('ZZ-1', true), { state: 'released' });
    expect(describeReviewOutcome({ kind: 'released', item })).toBe('Released: 2 results for DOE, Jane (MRN H100) stored in the chart.');
  });

  it('names the accession typed for a match', () => {
    const item = reviewItem('m1', groupView('ZZ-1', true));
    expect(describeReviewOutcome({ kind: 'matched', item, accession: 'S1' })).toContain('accession S1 is the specimen of DOE, Jane (MRN H100)');
  });

  it('gives the reason of a rejection', () => {
    const item = reviewItem('m1', groupView('', false), { state: 'rejected', decisionReason: 'Sample clotted' });
    expect(describeReviewOutcome({ kind: 'rejected', item })).toBe('Rejected: 2 results without an accession kept out of the chart. Reason recorded: Sample clotted');
  });

  it('counts one result in the singular', () => {
    expect(countResults(1)).toBe('1 result');
    expect(countResults(3)).toBe('3 results');
  });
});

describe('describeReviewError', () => {
  it('asks for an accession when the field is empty', () => {
    expect(describeReviewError('match', ACCESSION_MISSING, '', 'connected').text).toBe('Enter the accession number from the tube’s label.');
  });

  it('explains an accession that matches no specimen', () => {
    const error = describeReviewError('match', { code: 'not-found', message: 'No specimen with accession X1 is on this workstation' }, ' X1 ', 'connected');
    expect(error.text).toContain('No specimen with accession X1 is on this workstation. Check the label');
  });

  it('explains an item decided elsewhere', () => {
    expect(describeReviewError('release', { code: 'conflict', message: 'Review item r1 was already released' }, '', 'connected').text).toContain('already released or rejected');
  });

  it('keeps the technical message for IT', () => {
    const error = describeReviewError('release', { code: 'internal', message: 'lab:releaseReview failed unexpectedly; error id 1a2b' }, '', 'connected');
    expect(error.text).toMatch(/^The results were not released: /);
    expect(error.detail).toContain('error id 1a2b');
  });
});

describe('groupState with the core\'s decision', () => {
  it('reads a released group from the message', () => {
    const group = { ...groupView('S1', false), review: { state: 'released' as const, decidedAt: '2026-12-05T10:00:00.000Z', decidedBy: 'user-lab', reason: null } };
    expect(groupState({ id: 'm1', outcome: 'review' }, group, [])).toBe('released');
  });

  it('reads a rejected group from the message', () => {
    const group = { ...groupView('S1', false), review: { state: 'rejected' as const, decidedAt: '2026-12-05T10:00:00.000Z', decidedBy: 'user-lab', reason: 'Clotted' } };
    expect(groupState({ id: 'm1', outcome: 'review' }, group, undefined)).toBe('rejected');
  });
});
