import type { FocusEvent, KeyboardEvent, RefObject } from 'react';
import { useId, useRef, useState } from 'react';

import type { PatientSearchResult } from '../../../preload/api/index.js';
import { describeCallError } from '../api/error-text.js';
import type { ConnectionState } from '../host/connection.js';
import { useConnectionState } from '../host/ConnectionContext.js';
import { t } from '../i18n/index.js';
import type { SearchResultRow } from './search-results.js';
import { SEARCH_QUERY_MIN_LENGTH, toSearchResultRows } from './search-results.js';
import type { SearchState } from './usePatientSearch.js';
import { usePatientSearch } from './usePatientSearch.js';

interface PatientSearchProps {
  /** The text in the field. The caller keeps it, so that it survives the lock screen. */
  text: string;
  onTextChange(text: string): void;
  /** Called with the chosen result, whether it is on this ward or another. */
  onChoose(result: PatientSearchResult): void;
  inputRef: RefObject<HTMLInputElement | null>;
}

/**
 * Finds a patient by MRN or name from the shell header. Results of this ward open the chart.
 * Results of other wards are marked, because opening them means breaking the glass. Down moves
 * from the field to the results, Up and Down move between results, and Escape returns to the field.
 */
export function PatientSearch({ text, onTextChange, onChoose, inputRef }: PatientSearchProps) {
  const state = usePatientSearch(text);
  const connection = useConnectionState();
  const [focused, setFocused] = useState(false);
  const [dismissed, setDismissed] = useState(false);
  const listRef = useRef<HTMLUListElement>(null);
  const panelId = useId();

  const results = state.status === 'ready' ? state.results : [];
  const rows = toSearchResultRows(results);
  const open = focused && !dismissed && text.trim() !== '';

  function resultButtons(): HTMLButtonElement[] {
    return [...(listRef.current?.querySelectorAll<HTMLButtonElement>('button[data-testid="search-result"]') ?? [])];
  }

  function handleBlur(event: FocusEvent<HTMLDivElement>) {
    if (event.relatedTarget instanceof Node && event.currentTarget.contains(event.relatedTarget)) return;
    setFocused(false);
  }

  function handleInputKeyDown(event: KeyboardEvent<HTMLInputElement>) {
    if (event.key === 'ArrowDown') {
      const first = resultButtons()[0];
      if (first === undefined) return;
      event.preventDefault();
      setDismissed(false);
      first.focus();
    } else if (event.key === 'Escape' && open) {
      event.preventDefault();
      setDismissed(true);
    }
  }

  function handleResultKeyDown(event: KeyboardEvent<HTMLButtonElement>) {
    const buttons = resultButtons();
    const index = buttons.indexOf(event.currentTarget);
    let target: HTMLElement | undefined;
    if (event.key === 'ArrowDown') target = buttons[Math.min(index + 1, buttons.length - 1)];
    else if (event.key === 'ArrowUp') target = index <= 0 ? (inputRef.current ?? undefined) : buttons[index - 1];
    else if (event.key === 'Home') target = buttons[0];
    else if (event.key === 'End') target = buttons.at(-1);
    else if (event.key === 'Escape') {
      setDismissed(true);
      target = inputRef.current ?? undefined;
    }
    if (target === undefined) return;
    event.preventDefault();
    target.focus();
  }

  return (
    <div className="search" role="search" onFocus={() => setFocused(true)} onBlur={handleBlur}>
      <label className="visually-hidden" htmlFor={`${panelId}-input`}>
        {t('search.label')}
      </label>
      <input
        ref={inputRef}
        id={`${panelId}-input`}
        className="input search__input"
        data-testid="patient-search"
        type="search"
        autoComplete="off"
        spellCheck={false}
        placeholder={t('search.placeholder')}
        value={text}
        aria-controls={panelId}
        aria-expanded={open}
        onChange={(event) => {
          setDismissed(false);
          onTextChange(event.target.value);
        }}
        onKeyDown={handleInputKeyDown}
      />
      <div id={panelId} className="search__panel" hidden={!open}>
        <p className="search__status" role="status">
          {open ? describeStatus(state, rows.length, connection) : ''}
        </p>
        {open && rows.length > 0 && (
          <ul ref={listRef} className="search__results" aria-label={t('search.resultsLabel')}>
            {rows.map((row) => (
              <li key={row.patientId}>
                <SearchResultButton row={row} onChoose={() => onChoose(findResult(results, row.patientId))} onKeyDown={handleResultKeyDown} />
              </li>
            ))}
          </ul>
        )}
      </div>
    </div>
  );
}

function findResult(results: readonly PatientSearchResult[], patientId: string): PatientSearchResult {
  const result = results.find((candidate) => candidate.patientId === patientId);
  if (result === undefined) throw new Error(`search result ${patientId} is not in the current results`);
  return result;
}

function describeStatus(state: SearchState, count: number, connection: ConnectionState): string {
  switch (state.status) {
    case 'too-short':
      return t('search.tooShort', { count: SEARCH_QUERY_MIN_LENGTH });
    case 'searching':
      return t('search.searching');
    case 'failed':
      return t('search.failed', { message: describeCallError(state.error, connection).text });
    case 'ready':
      if (count === 0) return t('search.none');
      return count === 1 ? t('search.countOne') : t('search.countMany', { count });
  }
}

interface SearchResultButtonProps {
  row: SearchResultRow;
  onChoose(): void;
  onKeyDown(event: KeyboardEvent<HTMLButtonElement>): void;
}

function SearchResultButton({ row, onChoose, onKeyDown }: SearchResultButtonProps) {
  return (
    <button
      type="button"
      className={row.inScope ? 'search-result' : 'search-result search-result--other-ward'}
      data-testid="search-result"
      data-patient-id={row.patientId}
      data-in-scope={row.inScope ? 'true' : 'false'}
      onClick={onChoose}
      onKeyDown={onKeyDown}
    >
      <span className="search-result__heading">
        <span className="search-result__name">{row.name}</span>
        {!row.inScope && <span className="tag tag--other-ward">{t('search.otherWard')}</span>}
        <span className="search-result__place">
          <span className="search-result__label">{t('banner.ward')}</span> {row.ward}
          <span className="search-result__label search-result__bed-label">{t('banner.bed')}</span> {row.bed}
        </span>
      </span>
      <span className="search-result__facts">
        <span>
          <span className="search-result__label">{t('banner.mrn')}</span> <span className="mono">{row.mrn}</span>
        </span>
        <span>
          <span className="search-result__label">{t('banner.born')}</span> {row.born}
        </span>
        <span>
          <span className="search-result__label">{t('banner.gender')}</span> {row.gender}
        </span>
      </span>
    </button>
  );
}
