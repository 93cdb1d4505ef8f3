import { describe, expect, it } from 'vitest';

import type { PatientSearchResult } from '../../../preload/api/index.js';
import { checkBreakTheGlassReason, describeBreakTheGlassError } from '../../../renderer/src/search/break-the-glass.js';
import { SEARCH_QUERY_MIN_LENGTH, searchableQuery, toSearchResultRow, toSearchResultRows } from '../../../renderer/src/search/search-results.js';

function result(patientId: string, inScope: boolean, overrides: Partial<PatientSearchResult> = {}): PatientSearchResult {
  return {
    patientId,
    name: `NAME, ${patientId}`,
    mrn: `MRN-${patientId}`,
    birthDate: '1945-03-04',
    ageYears: 81,
    gender: 'female',
    wardName: inScope ? 'Ward 7B' : 'Ward 3A',
    bed: '4',
    inScope,
    ...overrides,
  };
}

describe('searchableQuery', () => {
  it('needs the contract minimum after trimming', () => {
    expect(SEARCH_QUERY_MIN_LENGTH).toBe(2);
    expect(searchableQuery('')).toBeNull();
    expect(searchableQuery(' b ')).toBeNull();
    expect(searchableQuery(' ba ')).toBe('ba');
  });
});

describe('toSearchResultRow', () => {
  it('maps identifiers, ward and bed', () => {
    expect(toSearchResultRow(result('p1', false))).toEqual({
      patientId: 'p1',
      name: 'NAME, p1',
      mrn: 'MRN-p1',
      born: '04 Mar 1945 (81 years)',
      gender: 'Female',
      ward: 'Ward 3A',
      bed: '4',
      inScope: false,
    });
  });

  it('shows "Not known" for missing values', () => {
    const row = toSearchResultRow(result('p2', true, { mrn: null, birthDate: null, ageYears: null, gender: 'unknown', wardName: null, bed: null }));

    expect(row.mrn).toBe('Not known');
    expect(row.born).toBe('Not known');
    expect(row.gender).toBe('Not known');
    expect(row.ward).toBe('Not known');
    expect(row.bed).toBe('No bed');
  });
});

describe('toSearchResultRows', () => {
  it('lists this ward first and keeps the core order', () => {
    const rows = toSearchResultRows([result('a', false), result('b', true), result('c', false), result('d', true)]);

    expect(rows.map((row) => row.patientId)).toEqual(['b', 'd', 'a', 'c']);
    expect(rows.map((row) => row.inScope)).toEqual([true, true, false, false]);
  });

  it('returns nothing for no results', () => {
    expect(toSearchResultRows([])).toEqual([]);
  });
});

describe('checkBreakTheGlassReason', () => {
  it('rejects a reason shorter than the contract minimum', () => {
    expect(checkBreakTheGlassReason('  too short ')).toBe('Give the clinical reason for emergency access, at least 10 characters');
  });

  it('accepts a reason of the minimum length', () => {
    expect(checkBreakTheGlassReason('Arrest 3A.')).toBeNull();
  });
});

describe('describeBreakTheGlassError', () => {
  it('shows the core issue for the reason', () => {
    const error = { code: 'invalid-input' as const, message: 'Invalid input', issues: [{ path: 'reason', message: 'Reason too short' }] };
    expect(describeBreakTheGlassError(error, 'connected')).toEqual({ text: 'Reason too short', detail: null });
  });

  it('shows the message of a refusal', () => {
    expect(describeBreakTheGlassError({ code: 'forbidden', message: 'Pharmacists may not break the glass' }, 'connected').text).toBe(
      'The chart was not opened: Pharmacists may not break the glass',
    );
  });

  it('keeps why the central server is needed', () => {
    const message = 'Emergency access to a patient of another ward needs the central server, which is unreachable';
    expect(describeBreakTheGlassError({ code: 'unavailable', message }, 'connected').text).toBe(`The chart was not opened: ${message}`);
  });

  it('moves the gateway message to the detail', () => {
    const message = 'patient:breakTheGlass needs the role nurse or doctor; lchen has pharmacist';
    const error = describeBreakTheGlassError({ code: 'forbidden', message }, 'connected');
    expect(error.text).toBe('The chart was not opened: Your role does not allow this.');
    expect(error.detail).toBe(message);
  });
});
