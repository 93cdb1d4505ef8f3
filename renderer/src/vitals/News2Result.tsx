import type { News2Parameter, News2Score } from '../../../preload/api/index.js';
import { formatList } from '../format/text.js';
import { t } from '../i18n/index.js';
import { monitoringFrequencyText, parameterName, responseLevelName, responseText } from '../news2/news2-text.js';

/**
 * Shows the live NEWS2 result of the form. The total, response level and monitoring frequency
 * appear only for a complete set, because the RCP defines no response to a partial score. An
 * incomplete set lists what is missing instead, apart from the fields whose text is not a valid
 * value yet (`invalid`), which the score also lacks but which the nurse did fill in.
 */
export function News2Result({ score, invalid = [] }: { score: News2Score; invalid?: readonly News2Parameter[] }) {
  const redScore = score.singleParameterThree && <p className="news2-result__red">{t('news2.redScore')}</p>;
  const missing = score.missing.filter((parameter) => !invalid.includes(parameter));

  if (score.total === null || score.responseLevel === null) {
    return (
      <section className="news2-result news2-result--incomplete" aria-labelledby="news2-result-title">
        <h2 id="news2-result-title" className="news2-result__title">
          {t('news2.title')}
        </h2>
        <div data-testid="vitals-incomplete">
          <p className="news2-result__incomplete">{t('news2.incomplete')}</p>
          {missing.length > 0 && <p className="news2-result__missing">{t('news2.missing', { parameters: formatList(missing.map(parameterName)) })}</p>}
          {invalid.length > 0 && (
            <p className="news2-result__invalid" data-testid="vitals-invalid">
              {t('news2.invalid', { parameters: formatList(invalid.map(parameterName)) })}
            </p>
          )}
        </div>
        {redScore}
      </section>
    );
  }

  const level = score.responseLevel;
  return (
    <section className={`news2-result news2-level-${level}`} data-level={level} aria-labelledby="news2-result-title">
      <h2 id="news2-result-title" className="news2-result__title">
        {t('news2.title')}
      </h2>
      <p className="news2-result__score">
        <span className="news2-result__label">{t('news2.total')}</span>
        <span className="news2-result__total" data-testid="vitals-total">
          {score.total}
        </span>
      </p>
      <div className="news2-result__response" data-testid="vitals-response">
        <p className="news2-result__level">{responseLevelName(level)}</p>
        <p>{responseText(level)}</p>
        <p className="news2-result__frequency">{monitoringFrequencyText(level)}</p>
      </div>
      {redScore}
    </section>
  );
}
