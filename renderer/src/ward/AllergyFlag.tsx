import type { AllergyStatus } from '../../../preload/api/index.js';
import { t } from '../i18n/index.js';

interface AllergyFlagProps {
  status: AllergyStatus;
  count: number;
}

/**
 * Shows the allergy status of a ward list row. Recorded allergies, "no known allergies" and "not
 * recorded" are different facts and get different styles, not just different words.
 */
export function AllergyFlag({ status, count }: AllergyFlagProps) {
  if (status === 'allergies') {
    return (
      <span className="allergy-flag allergy-flag--allergies" data-allergy-status={status}>
        {t('ward.allergyCount', { count })}
      </span>
    );
  }

  const [short, long] =
    status === 'none-known'
      ? [t('allergy.none-known'), t('allergy.none-known.long')]
      : [t('allergy.unknown'), t('allergy.unknown.long')];
  return (
    <span className={`allergy-flag allergy-flag--${status}`} data-allergy-status={status} title={long}>
      {short}
    </span>
  );
}
