import { describe, expect, it } from 'vitest';

import { normalizeForSearch } from '../../../sync/protocol/documents.js';
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

  it('ignores one-letter words and respects the limit', () => {
    const many = indexOf(...Array.from({ length: 80 }, (_, n) => patient(`m${n}`, `Nguyen Minh${n}`, String(n))));

    expect(many.search('nguyen')).toHaveLength(50);
    expect(many.search('nguyen', { limit: 5 })).toHaveLength(5);
    expect(many.search('n')).toEqual([]);
  });
});
