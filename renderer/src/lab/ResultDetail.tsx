import type { LabResultGroupView, LabResultView } from '../../../preload/api/lab-schemas.js';
import { t } from '../i18n/index.js';
import { Fact } from './Fact.js';
import { FlagList } from './FlagList.js';
import { describeResultStatus, describeReviewReason, isCriticalResult } from './lab-text.js';
import { PatientOfGroup } from './PatientOfGroup.js';

/** Everything the workstation made of one result: codes, value, range, flags, status and why it waits, if it does. */
export function ResultDetail({ result, group }: { result: LabResultView; group: LabResultGroupView }) {
  const critical = isCriticalResult(result);
  const notGiven = <span className="muted">{t('lab.detail.notGiven')}</span>;

  return (
    <section className={critical ? 'lab-detail lab-detail--critical' : 'lab-detail'} aria-labelledby="lab-detail-title" data-testid="lab-result-detail">
      <h2 id="lab-detail-title" className="section-title">
        {critical && <span aria-hidden="true">⚠ </span>}
        {t('lab.detail.result', { test: result.display })}
      </h2>
      <dl className="lab-facts">
        <Fact label={t('lab.detail.value')}>
          <strong className="lab-detail__value" data-testid="lab-detail-value">
            {result.value}
          </strong>{' '}
          {result.unit}
        </Fact>
        <Fact label={t('lab.result.referenceRange')}>{result.referenceRange ?? notGiven}</Fact>
        <Fact label={t('lab.result.flags')}>
          <FlagList result={result} />
        </Fact>
        <Fact label={t('lab.result.status')}>{describeResultStatus(result.status)}</Fact>
        <Fact label={t('lab.detail.analyzerCode')}>
          <span className="lab-code">{result.testCode}</span>
        </Fact>
        <Fact label={t('lab.detail.loinc')}>{result.loinc === null ? <span className="muted">{t('lab.detail.noLoinc')}</span> : <span className="lab-code">{result.loinc}</span>}</Fact>
        <Fact label={t('lab.group.accession')}>{group.accession === '' ? <span className="lab-warning-text">{t('lab.group.noAccession')}</span> : <span className="lab-accession">{group.accession}</span>}</Fact>
        <Fact label={t('lab.group.patient')}>
          <PatientOfGroup group={group} label={null} />
        </Fact>
      </dl>
      {result.reviewReasons.length > 0 && (
        <div className="review-card__reasons">
          <p className="lab-label">{t('lab.detail.reviewReasons')}</p>
          <ul>
            {result.reviewReasons.map((code) => (
              <li key={code}>{describeReviewReason(code)}</li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}
