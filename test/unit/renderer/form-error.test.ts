import { describe, expect, it } from 'vitest';

import type { FormError } from '../../../renderer/src/vitals/form-error.js';
import { describeSaveError, formErrorText, visibleFormError } from '../../../renderer/src/vitals/form-error.js';

const fields: FormError = { kind: 'fields' };
const empty: FormError = { kind: 'empty' };
const saveFailed: FormError = { kind: 'save-failed', error: { text: 'The observations were not saved.', detail: null } };

function textOf(error: FormError): string {
  return formErrorText(error).text;
}

describe('visibleFormError', () => {
  it('shows the field message while a field is wrong', () => {
    expect(visibleFormError(fields, { hasFieldErrors: true, isEmpty: false })).toBe(fields);
  });

  it('hides the field message once the fields are corrected', () => {
    expect(visibleFormError(fields, { hasFieldErrors: false, isEmpty: false })).toBeNull();
  });

  it('hides the empty message once something is entered', () => {
    expect(visibleFormError(empty, { hasFieldErrors: false, isEmpty: true })).toBe(empty);
    expect(visibleFormError(empty, { hasFieldErrors: false, isEmpty: false })).toBeNull();
  });

  it('keeps a failed save until the next save', () => {
    expect(visibleFormError(saveFailed, { hasFieldErrors: false, isEmpty: false })).toBe(saveFailed);
  });

  it('shows nothing without an error', () => {
    expect(visibleFormError(null, { hasFieldErrors: true, isEmpty: true })).toBeNull();
  });
});

describe('describeSaveError', () => {
  it('points at the fields for field issues', () => {
    const error = describeSaveError({ code: 'invalid-input', message: 'Invalid input for vitals:record', issues: [] }, true, 'connected');
    expect(error).toEqual({ kind: 'fields' });
    expect(textOf(error)).toBe('Correct the highlighted fields, then save again.');
  });

  it('shows form issues without the channel', () => {
    const issues = [{ path: 'observations', message: 'Enter at least one observation' }];
    const error = describeSaveError({ code: 'invalid-input', message: 'Invalid input for vitals:record: Enter at least one observation', issues }, false, 'connected');
    expect(textOf(error)).toBe('The observations were not saved: Enter at least one observation Your entries are kept.');
  });

  it('says that saving again is safe after a lost result', () => {
    const error = describeSaveError({ code: 'unavailable', message: 'Timed out waiting for the workstation to return a result.' }, false, 'connected');
    expect(textOf(error)).toContain('Save again: a set that was already stored is not charted twice.');
    expect(textOf(error)).toContain('Your entries are kept.');
  });

  it('names the workstation connection when disconnected', () => {
    const error = describeSaveError({ code: 'unavailable', message: 'Timed out waiting for the connection to the workstation.' }, false, 'disconnected');
    expect(textOf(error)).toContain('not connected to the workstation');
    expect(textOf(error)).not.toContain('central server');
    expect(formErrorText(error).detail).toBe('Timed out waiting for the connection to the workstation.');
  });

  it('keeps a plain forbidden message', () => {
    const message = "Emergency access is read-only: the patient's own ward charts their observations";
    expect(textOf(describeSaveError({ code: 'forbidden', message }, false, 'connected'))).toBe(message);
  });

  it('replaces the gateway role message', () => {
    const message = 'vitals:record needs the role nurse or doctor; lchen has pharmacist';
    const error = describeSaveError({ code: 'forbidden', message }, false, 'connected');
    expect(textOf(error)).toBe('Your role may not record observations.');
    expect(formErrorText(error).detail).toBe(message);
  });

  it('says the entries are kept after an internal error', () => {
    const error = describeSaveError({ code: 'internal', message: 'vitals:record failed unexpectedly; error id 0badc0de' }, false, 'connected');
    expect(textOf(error)).toContain('Your entries are kept.');
    expect(textOf(error)).not.toContain('0badc0de');
  });
});
