import type { PatientChart } from '../../../preload/api/index.js';
import { formatDateTime } from '../format/datetime.js';
import { t } from '../i18n/index.js';

interface EmergencyAccessBandProps {
  /** The chart's record of the break-the-glass: reason, time and who opened it. */
  access: PatientChart['emergencyAccess'];
  /** The reason typed in this window, shown when the chart carries no record of its own. */
  reasonTypedHere: string | null;
}

/**
 * Marks a chart opened by breaking the glass, above the patient banner, in red, with the reason
 * given, who gave it and when. The core returns that record with every emergency chart, so it
 * shows however the chart was reached.
 */
export function EmergencyAccessBand({ access, reasonTypedHere }: EmergencyAccessBandProps) {
  const reason = access?.reason ?? reasonTypedHere;
  return (
    <section className="emergency-band" data-testid="emergency-access" aria-label={t('emergency.title')}>
      <p className="emergency-band__title">{t('emergency.title')}</p>
      <div className="emergency-band__text">
        <p>{t('emergency.explanation')}</p>
        {reason !== null && (
          <p className="emergency-band__reason">
            <span className="emergency-band__label">{t('emergency.reason')}</span> <span data-testid="emergency-reason">{reason}</span>
          </p>
        )}
        {access !== null && (
          <p className="emergency-band__opened" data-testid="emergency-opened">
            {t('emergency.openedBy', { name: access.openedBy, time: formatDateTime(access.openedAt) })}
          </p>
        )}
      </div>
    </section>
  );
}
