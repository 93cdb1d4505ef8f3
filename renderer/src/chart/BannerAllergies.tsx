import type { AllergySummary, PatientChart } from '../../../preload/api/index.js';
import type { PlainMessageKey } from '../i18n/index.js';
import { t } from '../i18n/index.js';

const criticalityKeys: Record<NonNullable<AllergySummary['criticality']>, PlainMessageKey> = {
  high: 'allergy.criticality.high',
  low: 'allergy.criticality.low',
  'unable-to-assess': 'allergy.criticality.unable-to-assess',
};

/** Renders the allergy zone of the patient banner: every recorded substance, or which of the two "none" facts applies. */
export function BannerAllergies({ chart }: { chart: Pick<PatientChart, 'allergyStatus' | 'allergies'> }) {
  if (chart.allergyStatus !== 'allergies') {
    const text = chart.allergyStatus === 'none-known' ? t('allergy.none-known.long') : t('allergy.unknown.long');
    return (
      <div className={`banner-allergies banner-allergies--${chart.allergyStatus}`} data-testid="banner-allergies" data-allergy-status={chart.allergyStatus}>
        <span className="banner-allergies__status">{text}</span>
      </div>
    );
  }

  return (
    <div className="banner-allergies banner-allergies--allergies" data-testid="banner-allergies" data-allergy-status="allergies">
      <h2 className="banner-allergies__heading">{t('allergy.heading')}</h2>
      <ul className="banner-allergies__list">
        {chart.allergies.map((allergy, index) => (
          <li key={`${allergy.substance}-${index}`} className={allergy.criticality === 'high' ? 'allergy allergy--high' : 'allergy'}>
            <span className="allergy__substance">{allergy.substance}</span>
            {allergy.criticality !== null && <span className="allergy__criticality">{t(criticalityKeys[allergy.criticality])}</span>}
            {allergy.reactions.length > 0 && (
              <span className="allergy__reactions">{t('allergy.reactions', { reactions: allergy.reactions.join(', ') })}</span>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}
