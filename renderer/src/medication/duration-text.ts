import { t } from '../i18n/index.js';

/** Formats a number of minutes for a nurse: "25 min" up to 90 minutes, "5 h 55 min" beyond. */
export function durationText(totalMinutes: number): string {
  const minutes = Math.abs(Math.round(totalMinutes));
  if (minutes <= 90) return t('bcma.durationMinutes', { minutes });
  return t('bcma.durationHours', { hours: Math.floor(minutes / 60), minutes: minutes % 60 });
}
