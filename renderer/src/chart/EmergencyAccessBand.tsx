import { t } from '../i18n/index.js';

/**
 * Marks a chart opened by breaking the glass, above the patient banner, in red and with the reason
 * given. `reason` is null when this window does not know it, for a chart the core returned as
 * emergency access without a break-the-glass call from this screen.
 */
export function EmergencyAccessBand({ reason }: { reason: string | null }) {
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
      </div>
    </section>
  );
}
