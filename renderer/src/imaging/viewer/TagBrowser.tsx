import type { DataSet } from 'dicom-parser';
import { useMemo, useState } from 'react';

import { t } from '../../i18n/index.js';
import { listTags } from './dicom-tags.js';
import { tagValueText } from './viewer-text.js';

interface TagBrowserProps {
  dataSet: DataSet | null;
}

/** Renders the header of the shown file as a table, filtered by tag, keyword or value. */
export function TagBrowser({ dataSet }: TagBrowserProps) {
  const [filter, setFilter] = useState('');
  const rows = useMemo(() => (dataSet === null ? [] : listTags(dataSet)), [dataSet]);
  const needle = filter.trim().toLowerCase();
  const shown =
    needle === ''
      ? rows
      : rows.filter((row) => `${row.tag} ${row.keyword ?? ''} ${tagValueText(row.value)}`.toLowerCase().includes(needle));

  return (
    <section className="viewer-tags" aria-label={t('viewer.tagsTitle')} data-testid="viewer-tags">
      <h3 className="viewer-tags__title">{t('viewer.tagsTitle')}</h3>
      <label className="viewer-tags__filter">
        <span>{t('viewer.tagsFilter')}</span>
        <input type="search" value={filter} onChange={(event) => setFilter(event.target.value)} data-testid="viewer-tags-filter" />
      </label>
      {dataSet === null ? (
        <p>{t('viewer.tagsNone')}</p>
      ) : (
        <div className="viewer-tags__scroll">
          <table className="viewer-tags__table">
            <thead>
              <tr>
                <th scope="col">{t('viewer.tagsTag')}</th>
                <th scope="col">{t('viewer.tagsKeyword')}</th>
                <th scope="col">{t('viewer.tagsVr')}</th>
                <th scope="col">{t('viewer.tagsValue')}</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((row, position) => (
                <tr key={`${position}-${row.tag}`} data-tag={row.tag} data-depth={row.depth}>
                  <td className={`viewer-tags__tag viewer-tags__depth-${Math.min(row.depth, 3)}`}>{row.tag}</td>
                  <td>{row.keyword ?? ''}</td>
                  <td>{row.vr ?? ''}</td>
                  <td>{tagValueText(row.value)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
