import { describe, expect, it } from 'vitest';

import { calls } from '../../../preload/api/index.js';
import { describeCallError, describeForbiddenRole, describeSyncError, isWorthRetrying, looksTechnical } from '../../../renderer/src/api/error-text.js';

describe('looksTechnical', () => {
  it.each([
    'Central server http://127.0.0.1:8080 is unreachable (UND_ERR_SOCKET)',
    'connect ECONNREFUSED',
    'GET /pull failed with HTTP 500: no message',
    'ward:listPatients needs the role nurse or doctor or pharmacist; rjones has lab-technician',
    'vitals:record failed unexpectedly; the workstation log has the details under error id 1a2b3c4d',
    '{"error":"bad"}',
  ])('marks %s', (message) => {
    expect(looksTechnical(message)).toBe(true);
  });

  it.each([
    "Patient pat-1 is not on this workstation's ward or has not synced yet",
    "Emergency access is read-only: the patient's own ward charts their observations",
    'Too many failed attempts for amorgan: try again after 14:05 UTC, or ask IT',
  ])('leaves %s', (message) => {
    expect(looksTechnical(message)).toBe(false);
  });
});

describe('describeCallError', () => {
  it('says the page is not connected', () => {
    const error = describeCallError({ code: 'unavailable', message: 'The connection to the workstation was lost.' }, 'disconnected');
    expect(error.text).toBe('This screen is not connected to the workstation.');
    expect(error.detail).toBe('The connection to the workstation was lost.');
  });

  it('keeps a plain unavailable message while connected', () => {
    const message = 'Emergency access to a patient of another ward needs the central server, which is unreachable';
    expect(describeCallError({ code: 'unavailable', message }, 'connected')).toEqual({ text: message, detail: null });
  });

  it('replaces a technical unavailable message', () => {
    const error = describeCallError({ code: 'unavailable', message: 'ward:listPatients timed out after 60 s' }, 'connected');
    expect(error.text).toBe('The workstation is not responding.');
    expect(error.detail).toBe('ward:listPatients timed out after 60 s');
  });

  it('keeps the error id of an internal error for IT', () => {
    const message = 'ward:listPatients failed unexpectedly; the workstation log has the details under error id 1a2b3c4d';
    const error = describeCallError({ code: 'internal', message }, 'connected');
    expect(error.text).not.toContain('1a2b3c4d');
    expect(error.detail).toBe(message);
  });

  it('replaces the gateway role message', () => {
    const error = describeCallError({ code: 'forbidden', message: 'ward:listPatients needs the role nurse; rjones has lab-technician' }, 'connected');
    expect(error.text).toBe('Your role does not allow this.');
  });

  it('asks for a reload on an unknown channel', () => {
    expect(describeCallError({ code: 'unknown-channel', message: 'No API call named "x:y" exists' }, 'connected').text).toContain('Reload the page');
  });

  it('keeps a plain not-found message', () => {
    const message = "Patient pat-1 is not on this workstation's ward or has not synced yet";
    expect(describeCallError({ code: 'not-found', message }, 'connected')).toEqual({ text: message, detail: null });
  });
});

describe('describeForbiddenRole', () => {
  it('names the roles that may open the ward list', () => {
    expect(describeForbiddenRole('The ward list', calls.ward.listPatients, ['lab-technician'])).toBe(
      'The ward list is only for the roles Nurse, Doctor and Pharmacist. You are signed in as Lab technician. If you need it for your work, ask IT.',
    );
  });

  it('returns null for an allowed role', () => {
    expect(describeForbiddenRole('The ward list', calls.ward.listPatients, ['lab-technician', 'pharmacist'])).toBeNull();
  });

  it('returns null for a call open to every session', () => {
    expect(describeForbiddenRole('The sync status', calls.sync.status, [])).toBeNull();
  });

  it('says when the user has no role', () => {
    expect(describeForbiddenRole('The ward list', calls.ward.listPatients, [])).toContain('You are signed in as no role.');
  });
});

describe('isWorthRetrying', () => {
  it('offers no retry where it cannot help', () => {
    expect(isWorthRetrying('forbidden')).toBe(false);
    expect(isWorthRetrying('unknown-channel')).toBe(false);
    expect(isWorthRetrying('invalid-input')).toBe(false);
  });

  it('offers a retry for passing failures', () => {
    expect(isWorthRetrying('unavailable')).toBe(true);
    expect(isWorthRetrying('internal')).toBe(true);
  });
});

describe('describeSyncError', () => {
  it.each([
    ['Central server http://127.0.0.1:8080 is unreachable (UND_ERR_SOCKET)', 'The central server cannot be reached.'],
    ['Central server http://127.0.0.1:8080 is unreachable (ECONNREFUSED)', 'The central server cannot be reached.'],
    ['Central server http://127.0.0.1:8080 is unreachable (timed out)', 'The central server cannot be reached.'],
    ['Central server http://127.0.0.1:8080 is unavailable (HTTP 503)', 'The central server cannot be reached.'],
    ['POST /push failed with HTTP 500: no message', 'The central server reported a problem.'],
    ["The server's response to pull breaks the sync protocol: bad", 'The central server sent a reply this workstation cannot read. Tell IT.'],
    ['The central server rejected the sync token; sign in again while online', "The central server no longer accepts this workstation's sign-in. Sign in again while the central server is reachable."],
  ])('maps %s', (message, text) => {
    const error = describeSyncError(message);
    expect(error.text).toBe(text);
    expect(error.detail).toBe(message);
  });

  it('keeps a plain message as it is', () => {
    const message = 'The account whose sign-in this workstation syncs with is disabled; another user must sign in while online';
    expect(describeSyncError(message)).toEqual({ text: message, detail: null });
  });

  it('replaces an unknown technical message', () => {
    expect(describeSyncError('ERR_STREAM_PREMATURE_CLOSE')).toEqual({ text: 'Sync failed.', detail: 'ERR_STREAM_PREMATURE_CLOSE' });
  });
});
