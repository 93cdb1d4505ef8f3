import type { CheckProblemView } from '../../../preload/api/medication-schemas.js';
import { formatTime, formatTimeOrDateTime } from '../format/datetime.js';
import { t } from '../i18n/index.js';
import { durationText } from './duration-text.js';

/** Context of a check that the messages name: the patient's name, the scanned product and the clock that dates times. */
export interface ProblemContext {
  patientName: string;
  productName: string;
  now: Date;
}

function detail(problem: CheckProblemView, name: string): string {
  return String(problem.details[name] ?? '');
}

/** Returns the sentence that shows the nurse what failed and what to do next. */
export function checkProblemText(problem: CheckProblemView, context: ProblemContext): string {
  switch (problem.code) {
    case 'scan-invalid':
      return t('bcma.problem.scan-invalid', { reason: detail(problem, 'reason') });
    case 'not-a-medication':
      return t('bcma.problem.not-a-medication');
    case 'expired':
      return t('bcma.problem.expired', { expiry: detail(problem, 'expiry') });
    case 'patient-not-identified':
      return t('bcma.problem.patient-not-identified');
    case 'wrong-patient':
      return problem.details.source === 'wristband' ? t('bcma.problem.wrong-patient-wristband') : t('bcma.problem.wrong-patient-order', { name: context.patientName });
    case 'unknown-product':
      return t('bcma.problem.unknown-product', { gtin: detail(problem, 'gtin') });
    case 'no-order':
      return t('bcma.problem.no-order', { product: context.productName || detail(problem, 'gtin') });
    case 'order-not-active':
      return t('bcma.problem.order-not-active', { status: detail(problem, 'status') });
    case 'no-dose-scheduled':
      return t('bcma.problem.no-dose-scheduled');
    case 'already-given':
      return t('bcma.problem.already-given', { time: formatTime(detail(problem, 'scheduledAt')) });
    case 'wrong-time': {
      const minutes = Number(problem.details.minutes ?? 0);
      const values = { time: formatTime(detail(problem, 'scheduledAt')), duration: durationText(minutes), window: detail(problem, 'window') };
      return minutes < 0 ? t('bcma.problem.wrong-time-early', values) : t('bcma.problem.wrong-time-late', values);
    }
    case 'dose-mismatch':
      return t('bcma.problem.dose-mismatch', { ordered: detail(problem, 'ordered'), strength: detail(problem, 'strength'), unitName: detail(problem, 'unitName') });
    case 'route-mismatch':
      return t('bcma.problem.route-mismatch', { route: detail(problem, 'route') });
    case 'as-needed-too-soon':
      return t('bcma.problem.as-needed-too-soon', {
        time: formatTimeOrDateTime(detail(problem, 'lastGivenAt'), context.now),
        since: durationText(Number(problem.details.minutesSince ?? 0)),
        interval: durationText(Number(problem.details.interval ?? 0)),
        next: formatTimeOrDateTime(detail(problem, 'nextAllowedAt'), context.now),
      });
    case 'as-needed-maximum': {
      const values = {
        given: detail(problem, 'given'),
        after: detail(problem, 'after'),
        max: detail(problem, 'max'),
        hours: detail(problem, 'hours'),
        next: formatTimeOrDateTime(detail(problem, 'nextAllowedAt'), context.now),
      };
      return problem.details.kind === 'doses' ? t('bcma.problem.as-needed-maximum-doses', values) : t('bcma.problem.as-needed-maximum-amount', values);
    }
    case 'as-needed-maximum-unverified':
      return t('bcma.problem.as-needed-maximum-unverified', { max: detail(problem, 'max'), hours: detail(problem, 'hours') });
  }
}
