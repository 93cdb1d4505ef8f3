import { useRef } from 'react';

import { useFocusOnMount } from '../app/useFocusOnMount.js';
import { t } from '../i18n/index.js';

/**
 * Renders the home screen of roles that may find a patient but not list the ward (radiologists),
 * which points to the patient search in the header.
 */
export function FindPatientScreen() {
  const headingRef = useRef<HTMLHeadingElement>(null);
  useFocusOnMount(headingRef);
  return (
    <main className="screen" data-testid="find-patient">
      <h1 ref={headingRef} tabIndex={-1} className="screen__title">
        {t('findPatient.title')}
      </h1>
      <p>{t('findPatient.body')}</p>
    </main>
  );
}
