import { describe, expect, it } from 'vitest';

import { en } from '../../../renderer/src/i18n/en.js';
import { availableCatalogs, listPlaceholders, t } from '../../../renderer/src/i18n/index.js';

describe('t', () => {
  it('returns a message without parameters', () => {
    expect(t('signin.submit')).toBe('Sign in');
  });

  it('fills in parameters', () => {
    expect(t('vitals.error.outOfRange', { min: 40, max: 100 })).toBe('Enter a value from 40 to 100.');
  });

  it('keeps the exact missing-token wording', () => {
    expect(t('host.missingToken.body').replace('\u00a0', ' ')).toBe('Open the address printed by the workstation, including the part after #.');
  });
});

describe('catalogs', () => {
  it.each(Object.entries(availableCatalogs))('%s has every English key with the same parameters', (_locale, catalog) => {
    for (const [key, text] of Object.entries(en)) {
      const translated = catalog[key as keyof typeof en];
      expect(translated, key).toBeTypeOf('string');
      expect(listPlaceholders(translated), key).toEqual(listPlaceholders(text));
    }
  });

  it('shows "Not known", never a question mark', () => {
    const withQuestionMark = Object.entries(en).filter(([key, text]) => key.startsWith('patient.') && text.includes('?'));
    expect(withQuestionMark).toEqual([]);
  });
});
