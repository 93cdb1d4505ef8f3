import { describe, expect, it } from 'vitest';

import { draftOf, parseContactDraft } from '../../../renderer/src/contact/contact-draft.js';
import { t } from '../../../renderer/src/i18n/index.js';

const EMPTY = { phone: '', kinName: '', kinRelationship: '', kinPhone: '' };

describe('contact form draft', () => {
  it('starts from the stored details', () => {
    const draft = draftOf({
      patientId: 'p-1',
      phone: '07700 900000',
      nextOfKin: { name: 'Ben Muller', relationship: null, phone: '07700 900456' },
      syncState: 'synced',
      openConflict: null,
      editable: true,
    });

    expect(draft).toEqual({ phone: '07700 900000', kinName: 'Ben Muller', kinRelationship: '', kinPhone: '07700 900456' });
  });

  it('turns empty fields into removals', () => {
    expect(parseContactDraft('p-1', EMPTY)).toEqual({ input: { patientId: 'p-1', phone: null, nextOfKin: null }, problems: {} });
  });

  it('trims and sends the next of kin', () => {
    const parsed = parseContactDraft('p-1', { phone: ' +44 7700 900123 ', kinName: ' Ben Muller ', kinRelationship: 'son', kinPhone: '' });

    expect(parsed.input).toEqual({ patientId: 'p-1', phone: '+44 7700 900123', nextOfKin: { name: 'Ben Muller', relationship: 'son', phone: null } });
  });

  it('names each invalid field in the form words', () => {
    const parsed = parseContactDraft('p-1', { phone: 'call me', kinName: 'Ben', kinRelationship: 'x'.repeat(51), kinPhone: '12' });

    expect(parsed.input).toBeNull();
    expect(parsed.problems).toEqual({ phone: t('contact.error.phone'), kinRelationship: t('contact.error.kinRelationship'), kinPhone: t('contact.error.phone') });
  });

  it('asks for a name when other next-of-kin fields are filled', () => {
    expect(parseContactDraft('p-1', { ...EMPTY, kinPhone: '07700 900456' }).problems).toEqual({ kinName: t('contact.error.kinWithoutName') });
  });
});
