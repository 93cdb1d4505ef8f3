import type { ReactNode } from 'react';

import type { News2Parameter } from '../../../preload/api/index.js';
import { t } from '../i18n/index.js';
import { parameterName } from '../news2/news2-text.js';

interface VitalFieldProps {
  parameter: News2Parameter;
  /** The id of the input or select that `children` renders; the hint and error ids derive from it. */
  inputId: string;
  unit?: string;
  hint?: string;
  /** Draws the hint as a warning, for a fact the nurse must not miss (SpO2 scale 2). */
  emphasiseHint?: boolean;
  subScore: number | undefined;
  error: string | undefined;
  children: ReactNode;
}

export function hintId(inputId: string): string {
  return `${inputId}-hint`;
}

export function errorId(inputId: string): string {
  return `${inputId}-error`;
}

/** Renders one row of the vitals form: label, input, unit, live NEWS2 sub-score, then any hint and error. */
export function VitalField({ parameter, inputId, unit, hint, emphasiseHint = false, subScore, error, children }: VitalFieldProps) {
  const scoreClass = subScore === undefined ? 'subscore subscore--none' : `subscore subscore--${subScore}`;
  return (
    <div className={error === undefined ? 'vital' : 'vital vital--invalid'}>
      <label className="vital__label" htmlFor={inputId}>
        {parameterName(parameter)}
      </label>
      <div className="vital__input">
        {children}
        {unit !== undefined && <span className="vital__unit">{unit}</span>}
      </div>
      <output
        className={scoreClass}
        htmlFor={inputId}
        data-testid={`vitals-subscore-${parameter}`}
        aria-label={subScore === undefined ? t('vitals.subScoreNone') : t('vitals.subScoreOf', { score: subScore })}
      >
        {subScore ?? ''}
      </output>
      <div className="vital__aside">
        {hint !== undefined && (
          <p className={emphasiseHint ? 'vital__hint vital__hint--emphasised' : 'vital__hint'} id={hintId(inputId)}>
            {hint}
          </p>
        )}
        {error !== undefined && (
          <p className="vital__error" id={errorId(inputId)} data-testid={`vitals-field-error-${parameter}`}>
            {error}
          </p>
        )}
      </div>
    </div>
  );
}
