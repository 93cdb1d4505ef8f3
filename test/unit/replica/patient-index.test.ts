import { describe, expect, it } from 'vitest';

import { normalizeForSearch, toRecordDocument } from '../../../sync/protocol/documents.js';
import { MRN_SYSTEM } from '../../../sync/protocol/fhir/identifiers.js';
import { followPatientIndex } from '../../../sync/replica/patient-index-feed.js';
import { openReplica } from '../../../sync/replica/replica.js';
import { makeTempDirectory } from '../../support/replica.js';
import type { IndexedPatient } from '../../../sync/replica/patient-index.js';
import { PatientSearchIndex } from '../../../sync/replica/patient-index.js';

function patient(patientId: string, name: string, mrn: string, birthDate = '1980-01-01'): IndexedPatient {
  return { patientId, mrn, birthDate, nameNorm: normalizeForSearch(name) };
}

function indexOf(...patients: IndexedPatient[]): PatientSearchIndex {
  const index = new PatientSearchIndex();
  for (const entry of patients) index.upsert(entry);
  return index;
}

const ids = (results: IndexedPatient[]) => results.map((result) => result.patientId);

describe('patient search index', () => {
  const index = indexOf(
    patient('p1', 'Müller Anna', '10000001', '1984-07-02'),
    patient('p2', 'Mullerova Jana', '10000002'),
    patient('p3', 'Anderson Bill', '10000003'),
    patient('p4', "O'Neill-Müller Seán", '10000004'),
    patient('p5', 'Smith Muller', '10000005', '1984-07-02'),
  );

  it('finds a name without accents or case', () => {
    expect(ids(index.search('MULLER')).sort()).toEqual(['p1', 'p2', 'p4', 'p5']);
  });

  it('matches words in any order, each starting a word of the name', () => {
    expect(ids(index.search('anna müller'))).toEqual(['p1']);
    expect(ids(index.search('ann mul'))).toEqual(['p1']);
    expect(ids(index.search('neill sean'))).toEqual(['p4']);
  });

  it('does not match inside a word', () => {
    expect(ids(index.search('uller'))).toEqual([]);
  });

  it('puts an exact MRN first', () => {
    expect(ids(index.search('10000003'))).toEqual(['p3']);
  });

  it('finds a birth date in ISO and day-first forms, alone or with a name', () => {
    expect(ids(index.search('1984-07-02')).sort()).toEqual(['p1', 'p5']);
    expect(ids(index.search('2.7.1984')).sort()).toEqual(['p1', 'p5']);
    expect(ids(index.search('smith 02/07/1984'))).toEqual(['p5']);
  });

  it('ranks the workstation\'s ward before the rest', () => {
    const ranked = indexOf(patient('a', 'Muller Zoe', '1'), patient('b', 'Muller Adam', '2'), patient('c', 'Muller Bea', '3'));
    ranked.setPlacement('c', { wardId: 'ward-4a', locationId: 'bed-4a-01' });
    ranked.setPlacement('a', { wardId: 'ward-7b', locationId: 'bed-7b-01' });

    expect(ids(ranked.search('muller', { wardId: 'ward-4a' }))).toEqual(['c', 'b', 'a']);
  });

  it('follows updates and removals', () => {
    const changing = indexOf(patient('x', 'Garcia Lucia', '9'));
    changing.upsert(patient('x', 'Fernández Lucía', '9'));

    expect(ids(changing.search('garcia'))).toEqual([]);
    expect(ids(changing.search('fernandez'))).toEqual(['x']);
    changing.remove('x');
    expect(ids(changing.search('fernandez'))).toEqual([]);
    expect(changing.size).toBe(0);
  });

  it('keeps a shared MRN and birth date through removals', () => {
    const shared = indexOf(patient('s1', 'Haddad Omar', '555', '1950-03-04'), patient('s2', 'Patel Priya', '555', '1950-03-04'), patient('s3', 'Sato Yuki', '556', '1950-03-04'));

    expect(ids(shared.search('555')).sort()).toEqual(['s1', 's2']);
    expect(ids(shared.search('1950-03-04')).sort()).toEqual(['s1', 's2', 's3']);
    shared.remove('s1');
    expect(ids(shared.search('555'))).toEqual(['s2']);
    expect(ids(shared.search('1950-03-04')).sort()).toEqual(['s2', 's3']);
    shared.upsert(patient('s1', 'Haddad Omar', '555', '1950-03-04'));
    shared.remove('s2');
    shared.remove('s3');
    expect(ids(shared.search('555'))).toEqual(['s1']);
    expect(ids(shared.search('1950-03-04'))).toEqual(['s1']);
    shared.remove('s1');
    expect(ids(shared.search('555'))).toEqual([]);
    expect(ids(shared.search('1950-03-04'))).toEqual([]);
  });

  it('moves a patient to a new MRN and birth date', () => {
    const moving = indexOf(patient('v', 'Jensen Søren', '700', '1961-01-01'));
    moving.upsert(patient('v', 'Jensen Søren', '701', '1961-01-02'));

    expect(ids(moving.search('700'))).toEqual([]);
    expect(ids(moving.search('701'))).toEqual(['v']);
    expect(ids(moving.search('1961-01-01'))).toEqual([]);
    expect(ids(moving.search('1961-01-02'))).toEqual(['v']);
  });

  it('ignores one-letter words and respects the limit', () => {
    const many = indexOf(...Array.from({ length: 80 }, (_, n) => patient(`m${n}`, `Nguyen Minh${n}`, String(n))));

    expect(many.search('nguyen')).toHaveLength(50);
    expect(many.search('nguyen', { limit: 5 })).toHaveLength(5);
    expect(many.search('n')).toEqual([]);
  });
});

describe('patient index fed from the replica', () => {
  it('loads every patient and placement in pages and follows changes', async () => {
    const directory = makeTempDirectory('patient-index-feed');
    const replica = await openReplica({ directory: directory.path, name: 'feed' });
    const context = { wardOfLocation: (id: string) => (id.startsWith('bed-4a') ? 'ward-4a' : undefined) };
    const patients = Array.from({ length: 4_500 }, (_, n) =>
      toRecordDocument({ resourceType: 'Patient', id: `p${String(n).padStart(5, '0')}`, name: [{ family: `Family${n}`, given: ['Given'] }], identifier: [{ system: MRN_SYSTEM, value: String(20_000_000 + n) }] }, context),
    );
    // Two encounters per patient, so that a page of 2,000 can end between a patient's encounters.
    const encounters = patients.flatMap((patient, n) =>
      ['old', 'current'].map((which) =>
        toRecordDocument(
          {
            resourceType: 'Encounter',
            id: `${which}-${patient.patientId}`,
            status: which === 'current' ? 'in-progress' : 'finished',
            subject: { reference: `Patient/${patient.patientId}` },
            location: [{ location: { reference: `Location/${n % 2 ? 'bed-4a-01' : 'bed-7b-01'}` }, status: 'active' }],
          },
          context,
        ),
      ),
    );
    await replica.records.bulkInsert([...patients, ...encounters]);

    const { index, subscription } = await followPatientIndex(replica, (patient) => ({ displayName: String((patient.name as { family: string }[])[0]?.family), gender: 'unknown' }));
    expect(index.size).toBe(4_500);
    expect(index.placementOf('p01999')).toEqual({ wardId: 'ward-4a', locationId: 'bed-4a-01', encounterId: 'current-p01999' });
    expect(index.placementOf('p02000')).toBeUndefined();
    expect(ids(index.search('20004321'))).toEqual(['p04321']);

    await replica.records.insert(toRecordDocument({ resourceType: 'Patient', id: 'late', name: [{ family: 'Ó Briain', given: ['Siobhán'] }] }, context));
    expect(ids(index.search('obriain'))).toEqual([]);
    expect(ids(index.search('briain siobhan'))).toEqual(['late']);

    subscription.unsubscribe();
    await replica.close();
    directory.remove();
  });
});
