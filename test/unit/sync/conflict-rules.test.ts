import { describe, expect, it } from 'vitest';

import type { ConflictDocument } from '../../../sync/protocol/conflict-rules.js';
import { resolveConflict, sameContent } from '../../../sync/protocol/conflict-rules.js';
import type { FhirResource } from '../../../sync/protocol/documents.js';
import { toEntryDocument, toRecordDocument } from '../../../sync/protocol/documents.js';
import { buildDiagnosticReport } from '../../../sync/protocol/fhir/laboratory.js';

const noLocations = { wardOfLocation: () => undefined };

function patient(changes: Partial<FhirResource> = {}, deleted = false): ConflictDocument {
  const resource: FhirResource = {
    resourceType: 'Patient',
    id: 'p-1',
    meta: { versionId: '5' },
    name: [{ use: 'official', family: 'Test', given: ['Alex'] }],
    telecom: [{ system: 'phone', value: '+1 555 0100' }],
    ...changes,
  };
  return { ...toRecordDocument(resource, noLocations), _deleted: deleted };
}

function specimen(changes: Partial<FhirResource> = {}): ConflictDocument {
  const resource: FhirResource = {
    resourceType: 'Specimen',
    id: 's-1',
    status: 'available',
    accessionIdentifier: { value: 'S1234' },
    subject: { reference: 'Patient/p-1' },
    request: [{ reference: 'ServiceRequest/o-1' }],
    ...changes,
  };
  return { ...toRecordDocument(resource, noLocations), _deleted: false };
}

describe('conflict rules', () => {
  it('treats a replayed push as no conflict at all', () => {
    const base = patient();
    const local = patient({ telecom: [{ system: 'phone', value: '+1 555 0199' }] });
    expect(resolveConflict({ local, master: structuredClone(local), base }).outcome).toBe('same');
  });

  it('merges a phone number and a next of kin changed on two workstations', () => {
    const base = patient();
    const local = patient({ telecom: [{ system: 'phone', value: '+1 555 0199' }] });
    const master = patient({ contact: [{ name: { family: 'Kin' }, telecom: [{ system: 'phone', value: '+1 555 0300' }] }], meta: { versionId: '6' } });

    const resolution = resolveConflict({ local, master, base });

    expect(resolution.outcome).toBe('merged');
    expect(resolution.document.resource).toMatchObject({
      telecom: [{ value: '+1 555 0199' }],
      contact: [{ name: { family: 'Kin' } }],
      meta: { versionId: '6' },
    });
  });

  it("keeps the server's value and asks for review when both changed the same element", () => {
    const base = patient();
    const local = patient({ telecom: [{ system: 'phone', value: '+1 555 0111' }] });
    const master = patient({ telecom: [{ system: 'phone', value: '+1 555 0222' }] });

    const resolution = resolveConflict({ local, master, base });

    expect(resolution).toMatchObject({ outcome: 'needs-review', rule: 'field-merge', overlapping: ['telecom'] });
    expect(resolution.document.resource.telecom).toEqual([{ system: 'phone', value: '+1 555 0222' }]);
  });

  it('merges lists whose items carry element ids item by item, as two offline creations of one record', () => {
    const fromA = patient({ extension: [{ id: 'intake-a', url: 'urn:test:intake', valueInteger: 200 }] });
    const fromB = patient({ extension: [{ id: 'intake-b', url: 'urn:test:intake', valueInteger: 150 }] });

    const resolution = resolveConflict({ local: fromB, master: fromA });

    expect(resolution.outcome).toBe('merged');
    expect((resolution.document.resource.extension as { valueInteger: number }[]).map((item) => item.valueInteger)).toEqual([200, 150]);
  });

  it('lets the server own Encounters and keeps the local version for the user', () => {
    const encounter = (status: string): ConflictDocument => ({
      ...toRecordDocument({ resourceType: 'Encounter', id: 'e-1', status, subject: { reference: 'Patient/p-1' } }, noLocations),
      _deleted: false,
    });
    const resolution = resolveConflict({ local: encounter('in-progress'), master: encounter('finished'), base: encounter('planned') });
    expect(resolution).toMatchObject({ outcome: 'server-kept', rule: 'server-owned' });
    expect(resolution.document.resource.status).toBe('finished');
  });

  it('keeps a deletion made on the server over a local edit, for review', () => {
    const base = patient();
    const resolution = resolveConflict({ local: patient({ gender: 'female' }), master: patient({}, true), base });
    expect(resolution).toMatchObject({ outcome: 'needs-review', rule: 'server-deletion' });
    expect(resolution.document._deleted).toBe(true);
  });

  it('compares content as JSON does: key order and undefined members do not count', () => {
    expect(sameContent({ a: 1, b: { c: 'x', d: undefined } }, { b: { c: 'x' }, a: 1 })).toBe(true);
    expect(sameContent({ a: null }, {})).toBe(false);
    expect(sameContent({ text: 'e\u0301' }, { text: '\u00e9' })).toBe(false);
  });

  it("merges the ward's collection with the lab's receipt of a Specimen", () => {
    const base = specimen();
    const local = specimen({ collection: { collectedDateTime: '2026-03-02T07:30:00Z' } });
    const master = specimen({ receivedTime: '2026-03-02T07:50:00Z' });

    const resolution = resolveConflict({ local, master, base });

    expect(resolution).toMatchObject({ outcome: 'merged', rule: 'field-merge', overlapping: [] });
    expect(resolution.document.resource).toMatchObject({ collection: { collectedDateTime: '2026-03-02T07:30:00Z' }, receivedTime: '2026-03-02T07:50:00Z' });
    expect((resolution.document as { accession?: string }).accession).toBe('S1234');
  });

  it('keeps the server copy of a DiagnosticReport as an append-only entry', () => {
    const report = (status: 'preliminary' | 'final') =>
      ({
        ...toEntryDocument(
          buildDiagnosticReport({ id: 'r-1', patientId: 'p-1', loinc: { code: '58410-2', display: 'CBC' }, status, effectiveDateTime: '2026-03-02T08:00:00Z', issued: '2026-03-02T08:10:00Z', observationIds: [] }),
        ),
        _deleted: false,
      }) as ConflictDocument;

    const resolution = resolveConflict({ local: report('final'), master: report('preliminary') });

    expect(resolution).toMatchObject({ outcome: 'server-kept', rule: 'append-only' });
    expect(resolution.document.resource.status).toBe('preliminary');
  });
});
