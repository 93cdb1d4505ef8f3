import type { FormEvent } from 'react';
import { useCallback, useId, useState } from 'react';

import type { PlainError } from '../api/error-text.js';
import { ErrorDetail } from '../api/ErrorNotice.js';
import { t } from '../i18n/index.js';
import type { ScanEvent } from '../scan/index.js';
import { useScan } from '../scan/index.js';
import { readSpecimenScan } from './specimen-scan.js';

interface MatchFormProps {
  /** True once the group is matched: the field then corrects a wrong match. */
  matched: boolean;
  busy: boolean;
  error: PlainError | null;
  /** Matches the group to the specimen with `accession`; resolves true when it matched. */
  onMatch(accession: string): Promise<boolean>;
  /** Called when the technician edits the field, so a stale error goes. */
  onEdit(): void;
}

/** Renders the field for the accession on the tube's label, typed or scanned, and the Match button. */
export function MatchForm({ matched, busy, error, onMatch, onEdit }: MatchFormProps) {
  const [accession, setAccession] = useState('');
  const [focused, setFocused] = useState(false);
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (await onMatch(accession)) setAccession('');
  }

  // While the field has focus it takes every scan, as a wedge scanner typing into it would: the
  // label's accession fills the field and is matched at once. Other barcodes are ignored here.
  const onLabelScan = useCallback(
    (scan: ScanEvent) => {
      const reading = readSpecimenScan(scan);
      if (reading.kind !== 'accession') return;
      setAccession(reading.accession);
      onEdit();
      void onMatch(reading.accession).then((matchedNow) => {
        if (matchedNow) setAccession('');
      });
    },
    [onEdit, onMatch],
  );
  useScan(onLabelScan, { enabled: focused, exclusive: true });

  return (
    <form className="review-card__match" onSubmit={(event) => void submit(event)} noValidate>
      <label className="field__label" htmlFor={id}>
        {matched ? t('lab.review.rematchLabel') : t('lab.review.accessionLabel')}
      </label>
      <span id={hintId} className="field__hint">
        {t('lab.review.accessionHint')}
      </span>
      <div className="review-card__match-row">
        <input
          id={id}
          className="input review-card__accession"
          data-testid="review-accession"
          autoComplete="off"
          spellCheck={false}
          maxLength={64}
          value={accession}
          onFocus={() => setFocused(true)}
          onBlur={() => setFocused(false)}
          onChange={(event) => {
            setAccession(event.target.value);
            onEdit();
          }}
          aria-invalid={error === null ? undefined : true}
          aria-describedby={error === null ? hintId : `${hintId} ${errorId}`}
        />
        <button type="submit" className="button" data-testid="review-match" disabled={busy}>
          {busy ? t('lab.review.matching') : t('lab.review.match')}
        </button>
      </div>
      {error !== null && (
        <span id={errorId} className="field__error" role="alert" data-testid="review-match-error">
          {error.text}
          <ErrorDetail detail={error.detail} />
        </span>
      )}
    </form>
  );
}
