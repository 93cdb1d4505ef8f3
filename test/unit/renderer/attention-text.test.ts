import { describe, expect, it } from 'vitest';

import type { SyncConflict } from '../../../preload/api/index.js';
import { conflictHeadline, describeElements, patientLabel, serverAuthorLine } from '../../../renderer/src/attention/attention-text.js';

const CONFLICT: SyncConflict = {
  id: 7,
  collection: 'records',
  documentId: 'Patient/p-1',
  resourceType: 'Patient',
  patientId: 'p-1',
  patientName: 'MULLER, Ana',
  mrn: '10000001',
  rule: 'field-merge',
  outcome: 'needs-review',
  elements: [{ element: 'telecom', local: '07700 900111', server: '07700 900222' }],
  detectedAt: '2026-12-04T10:05:00.000Z',
  status: 'open',
  closedAt: null,
  decision: null,
  canKeepMine: true,
  serverAuthor: { userName: 'Demo Pharmacist', workstationId: 'ws-pharmacy', writtenAt: '2026-12-04T09:40:00.000Z' },
  localAuthor: { userId: 'user-nurse', workstationId: 'ws-4a-1' },
};

describe('needs attention texts', () => {
  it('tells the nurse what was not applied and when', () => {
    const headline = conflictHeadline(CONFLICT, new Date('2026-12-04T11:00:00.000Z'));

    expect(headline).toMatch(/^Your change to the phone number of MULLER, Ana, MRN 10000001 was not applied: it was changed on the central server first/);
    expect(headline).toMatch(/Noticed at \d\d:05\.$/);
  });

  it('names who wrote the server version', () => {
    const line = serverAuthorLine(CONFLICT, new Date('2026-12-04T11:00:00.000Z'));

    expect(line).toMatch(/^The central server’s version was written by Demo Pharmacist on workstation ws-pharmacy at \d\d:40\.$/);
    expect(serverAuthorLine({ ...CONFLICT, serverAuthor: null }, new Date())).toBeNull();
    expect(serverAuthorLine({ ...CONFLICT, serverAuthor: { userName: null, workstationId: null, writtenAt: null } }, new Date())).toBeNull();
    expect(serverAuthorLine({ ...CONFLICT, serverAuthor: { userName: null, workstationId: 'ws-adt', writtenAt: null } }, new Date())).toBe(
      'The central server’s version was written by an unnamed user on workstation ws-adt at an unrecorded time.',
    );
  });

  it('names several elements and unknown ones', () => {
    expect(describeElements(['telecom', 'contact'])).toBe('phone number and next of kin');
    expect(describeElements(['maritalStatus'])).toBe('details (maritalStatus)');
  });

  it('says when the patient is gone', () => {
    expect(patientLabel({ patientName: null, mrn: null })).toBe('a patient no longer on this workstation');
    expect(patientLabel({ patientName: 'MULLER, Ana', mrn: null })).toBe('MULLER, Ana');
  });
});
