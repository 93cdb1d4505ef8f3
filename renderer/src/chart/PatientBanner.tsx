import type { RefObject } from 'react';

import type { PatientChart } from '../../../preload/api/index.js';
import { formatBorn, formatGender, orNotKnown } from '../format/patient.js';
import { t } from '../i18n/index.js';
import { BannerAllergies } from './BannerAllergies.js';

interface PatientBannerProps {
  chart: PatientChart;
  headingRef: RefObject<HTMLHeadingElement | null>;
  /**
   * A one-line layout for a screen that needs the height, such as the imaging viewer: the name,
   * date of birth and age, gender, MRN and the allergies, without the bed and the ward.
   */
  compact?: boolean;
}

/**
 * Renders the persistent patient banner after the NHS Common User Interface pattern. The name comes
 * first and has no label. The labelled identifiers follow, with labels quieter than their values,
 * no colons, and "Not known" for a missing value. Allergies are always visible here, in the compact
 * layout too, where a long allergy list wraps to more lines instead of being cut.
 */
export function PatientBanner({ chart, headingRef, compact = false }: PatientBannerProps) {
  return (
    <section
      className={compact ? 'banner banner--compact' : 'banner'}
      data-testid="patient-banner"
      data-layout={compact ? 'compact' : 'full'}
      aria-label={t('banner.label')}
    >
      <div className="banner__identity">
        <h1 className="banner__name" data-testid="banner-name" ref={headingRef} tabIndex={-1}>
          {chart.name}
        </h1>
        <dl className="banner__facts">
          <div className="banner__fact">
            <dt title={t('banner.bornHint')}>{t('banner.born')}</dt>
            <dd data-testid="banner-born">{formatBorn(chart)}</dd>
          </div>
          <div className="banner__fact">
            <dt>{t('banner.gender')}</dt>
            <dd>{formatGender(chart.gender)}</dd>
          </div>
          <div className="banner__fact">
            <dt>
              <abbr title={t('banner.mrnHint')}>{t('banner.mrn')}</abbr>
            </dt>
            <dd className="mono" data-testid="banner-mrn">
              {orNotKnown(chart.mrn)}
            </dd>
          </div>
          {!compact && (
            <>
              <div className="banner__fact">
                <dt>{t('banner.bed')}</dt>
                <dd>{chart.bed ?? t('ward.noBed')}</dd>
              </div>
              <div className="banner__fact">
                <dt>{t('banner.ward')}</dt>
                <dd>{orNotKnown(chart.wardName)}</dd>
              </div>
            </>
          )}
        </dl>
      </div>
      <BannerAllergies chart={chart} />
    </section>
  );
}
