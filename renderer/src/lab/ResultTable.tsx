import type { LabResultView } from '../../../preload/api/lab-schemas.js';
import { t } from '../i18n/index.js';
import { FlagList } from './FlagList.js';
import { describeResultStatus, isCriticalResult } from './lab-text.js';

interface ResultTableProps {
  results: readonly LabResultView[];
  /** Names the table for screen readers, such as "Results of accession S1234". */
  caption: string;
  /** Opens a result's detail with the raw message; left out where the table is on that screen. */
  onOpenResult?: (resultIndex: number) => void;
  /** The result shown in detail beside the table, marked as the current one. */
  selected?: number | null;
}

/** Lists the results of one specimen: test, value, unit, reference range, flags and status. */
export function ResultTable({ results, caption, onOpenResult, selected = null }: ResultTableProps) {
  return (
    <table className="table lab-results">
      <caption className="visually-hidden">{caption}</caption>
      <thead>
        <tr>
          <th scope="col">{t('lab.result.test')}</th>
          <th scope="col">{t('lab.result.value')}</th>
          <th scope="col">{t('lab.result.unit')}</th>
          <th scope="col">{t('lab.result.referenceRange')}</th>
          <th scope="col">{t('lab.result.flags')}</th>
          <th scope="col">{t('lab.result.status')}</th>
        </tr>
      </thead>
      <tbody>
        {results.map((result, index) => (
          <ResultRow key={`${index}:${result.testCode}`} result={result} selected={index === selected} onOpen={onOpenResult === undefined ? undefined : () => onOpenResult(index)} />
        ))}
      </tbody>
    </table>
  );
}

function ResultRow({ result, selected, onOpen }: { result: LabResultView; selected: boolean; onOpen: (() => void) | undefined }) {
  const critical = isCriticalResult(result);
  const classes = ['lab-result', critical ? 'lab-result--critical' : '', selected ? 'lab-result--selected' : ''].filter((name) => name !== '').join(' ');

  return (
    <tr className={classes} data-testid="lab-result" data-test-code={result.testCode} data-critical={critical ? 'true' : 'false'} aria-current={selected ? 'true' : undefined}>
      <th scope="row" className="lab-result__test">
        {onOpen === undefined ? (
          <span className="lab-result__name">{result.display}</span>
        ) : (
          <button type="button" className="lab-result__open" data-testid="lab-result-open" onClick={onOpen} aria-label={t('lab.result.openLabel', { test: result.display })}>
            {result.display}
          </button>
        )}
        <span className="lab-result__code">{result.loinc === null ? t('lab.result.code', { code: result.testCode }) : t('lab.result.codeLoinc', { code: result.testCode, loinc: result.loinc })}</span>
      </th>
      <td className="lab-result__value num" data-testid="lab-result-value">
        {result.value}
      </td>
      <td>{result.unit ?? <span className="muted">{t('lab.result.noUnit')}</span>}</td>
      <td className="num">{result.referenceRange ?? <span className="muted">{t('lab.result.noRange')}</span>}</td>
      <td>
        <FlagList result={result} />
      </td>
      <td>{describeResultStatus(result.status)}</td>
    </tr>
  );
}
