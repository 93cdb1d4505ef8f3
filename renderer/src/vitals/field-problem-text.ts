import { t } from '../i18n/index.js';
import type { FieldProblem } from './vitals-draft.js';

/** Describes what is wrong with a field's text and what to enter instead. */
export function describeFieldProblem(problem: FieldProblem): string {
  switch (problem.kind) {
    case 'not-number':
      return t('vitals.error.notNumber');
    case 'blood-pressure-pair':
      return t('vitals.error.bloodPressurePair');
    case 'not-whole-number':
      return t('vitals.error.notWholeNumber');
    case 'too-many-decimals':
      return t('vitals.error.tooManyDecimals');
    case 'out-of-range':
      return t('vitals.error.outOfRange', { min: problem.min, max: problem.max });
    case 'not-an-option':
      return t('vitals.error.notAnOption');
  }
}
