import { describe, expect, it } from 'vitest';

import type { VitalSignsSet, WardPatientRow } from '../../../preload/api/index.js';
import { HmsApiError, scoreNews2 } from '../../../preload/api/index.js';
import { toApiError } from '../../../renderer/src/api/api-error.js';
import { formatAge, formatBorn, formatRoles, orNotKnown } from '../../../renderer/src/format/patient.js';
import { describeSpO2Scale } from '../../../renderer/src/format/spo2-scale.js';
import { formatDecimal, formatList } from '../../../renderer/src/format/text.js';
import { describeSignInError, describeSignInNotice, describeUnlockError } from '../../../renderer/src/signin/sign-in-errors.js';
import { newestFirst } from '../../../renderer/src/vitals/history-order.js';
import { sortByBed } from '../../../renderer/src/ward/ward-order.js';

describe('toApiError', () => {
  it('reads an HmsApiError', () => {
    const error = new HmsApiError({ code: 'forbidden', message: 'No' });
    expect(toApiError(error)).toEqual({ code: 'forbidden', message: 'No' });
  });

  it('reads a plain object that crossed the contextBridge', () => {
    const error = Object.assign(new Error('Invalid'), { code: 'invalid-input', issues: [{ path: 'observations.pulse', message: 'Too big' }, 7] });
    expect(toApiError(error)).toEqual({ code: 'invalid-input', message: 'Invalid', issues: [{ path: 'observations.pulse', message: 'Too big' }] });
  });

  it('treats anything else as internal', () => {
    expect(toApiError(new TypeError('boom'))).toEqual({ code: 'internal', message: 'boom' });
    expect(toApiError({ code: 'teapot', message: 'odd' })).toEqual({ code: 'internal', message: 'odd' });
  });
});

describe('sign-in errors', () => {
  it('shows the core message for unauthenticated', () => {
    const message = 'Offline sign-in is not possible: this user has never signed in on this workstation while online';
    expect(describeSignInError({ code: 'unauthenticated', message })).toEqual({ text: message, detail: null });
  });

  it('falls back when the core message is empty', () => {
    expect(describeSignInError({ code: 'unauthenticated', message: ' ' }).text).toBe('Username or password is incorrect.');
  });

  it('keeps the catalog wording for unavailable', () => {
    const error = describeSignInError({ code: 'unavailable', message: 'socket closed' });
    expect(error.text).toContain('did not respond');
    expect(error.text).not.toContain('socket closed');
    expect(error.detail).toBe('socket closed');
  });

  it('says when the page is not connected', () => {
    expect(describeSignInError({ code: 'unavailable', message: 'x' }, 'disconnected').text).toContain('not connected to the workstation');
  });

  it('lists the input issues', () => {
    expect(describeSignInError({ code: 'invalid-input', message: 'x', issues: [{ path: 'username', message: 'Enter your username' }] }).text).toBe(
      'Enter your username',
    );
  });

  it('hides an error id from the main text', () => {
    const message = 'session:signIn failed unexpectedly; the workstation log has the details under error id 1a2b3c4d';
    const error = describeSignInError({ code: 'internal', message });
    expect(error.text).not.toContain('1a2b3c4d');
    expect(error.detail).toBe(message);
  });
});

describe('unlock errors', () => {
  it('shows the core message for a wrong password', () => {
    expect(describeUnlockError({ code: 'unauthenticated', message: 'Password is incorrect; 2 attempts left' }).text).toBe('Password is incorrect; 2 attempts left');
  });

  it('uses the catalog wording for unavailable', () => {
    expect(describeUnlockError({ code: 'unavailable', message: 'x' }).text).toBe('The workstation is not responding.');
  });
});

describe('sign-in notices', () => {
  it('says another user signed in', () => {
    expect(describeSignInNotice('replaced')).toContain('Another user signed in at this workstation');
  });

  it('says the account was disabled', () => {
    expect(describeSignInNotice('disabled')).toContain('disabled');
  });
});

describe('patient formatting', () => {
  it('shows "Not known" for missing values', () => {
    expect(orNotKnown(null)).toBe('Not known');
    expect(orNotKnown('  ')).toBe('Not known');
    expect(formatAge(null)).toBe('Not known');
    expect(formatBorn({ birthDate: null, ageYears: null })).toBe('Not known');
  });

  it('formats the banner date of birth with the age', () => {
    expect(formatBorn({ birthDate: '1945-03-04', ageYears: 81 })).toBe('04 Mar 1945 (81 years)');
  });

  it('names the roles', () => {
    expect(formatRoles(['nurse', 'lab-technician'])).toBe('Nurse, Lab technician');
  });
});

describe('text formatting', () => {
  it('joins a list with "and"', () => {
    expect(formatList(['Pulse', 'SpO2', 'Temperature'], 'en-GB')).toBe('Pulse, SpO2 and Temperature');
  });

  it('keeps one decimal place', () => {
    expect(formatDecimal(37, 1, 'en-GB')).toBe('37.0');
  });
});

describe('describeSpO2Scale', () => {
  it('names scale 1', () => {
    expect(describeSpO2Scale({ scale: 1, decidedBy: null, decidedAt: null })).toBe('Scale 1');
  });

  it('says who set scale 2', () => {
    expect(describeSpO2Scale({ scale: 2, decidedBy: 'Dr Shah', decidedAt: '2026-12-01T09:00:00Z' })).toMatch(/^Scale 2, set by Dr Shah on 01 Dec 2026, \d\d:\d\d$/);
  });
});

function row(patientId: string, bed: string | null, name = patientId): WardPatientRow {
  return {
    patientId,
    bed,
    name,
    birthDate: null,
    ageYears: null,
    gender: 'unknown',
    mrn: null,
    allergyStatus: 'unknown',
    allergyCount: 0,
    latestNews2: null,
    latestVitals: null,
  };
}

describe('sortByBed', () => {
  it('sorts beds in natural order with no bed last', () => {
    const sorted = sortByBed([row('a', '10'), row('b', null), row('c', '2'), row('d', 'A10'), row('e', 'A2')]);
    expect(sorted.map((patient) => patient.bed)).toEqual(['2', '10', 'A2', 'A10', null]);
  });
});

describe('newestFirst', () => {
  it('orders sets by the time they were taken', () => {
    const set = (id: string, effectiveDateTime: string): VitalSignsSet => ({
      id,
      patientId: 'p',
      effectiveDateTime,
      recordedBy: 'x',
      observations: {},
      news2: scoreNews2({}, 1),
      generated: false,
      syncState: 'synced',
    });
    const sorted = newestFirst([set('old', '2026-12-01T08:00:00Z'), set('new', '2026-12-01T10:00:00+01:00'), set('mid', '2026-12-01T08:30:00Z')]);
    expect(sorted.map((entry) => entry.id)).toEqual(['new', 'mid', 'old']);
  });
});
