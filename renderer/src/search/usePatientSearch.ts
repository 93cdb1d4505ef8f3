import { useEffect, useState } from 'react';

import type { ApiErrorBody, PatientSearchResult } from '../../../preload/api/index.js';
import { toApiError } from '../api/api-error.js';
import { useApi } from '../api/ApiContext.js';
import { useSession } from '../app/SessionContext.js';
import { searchableQuery } from './search-results.js';

/** Pause after the last keystroke before `patient.search` is called, in milliseconds. */
export const SEARCH_DEBOUNCE_MS = 300;

export type SearchState =
  | { status: 'too-short' }
  | { status: 'searching'; query: string }
  | { status: 'ready'; query: string; results: PatientSearchResult[] }
  | { status: 'failed'; query: string; error: ApiErrorBody };

/**
 * Searches patients by MRN or name as the user types, once the text is long enough and typing
 * has paused. Only the response to the latest query is shown.
 */
export function usePatientSearch(text: string): SearchState {
  const api = useApi();
  const { handleCallError } = useSession();
  const query = searchableQuery(text);
  const [state, setState] = useState<SearchState>({ status: 'too-short' });

  useEffect(() => {
    if (query === null) {
      setState({ status: 'too-short' });
      return undefined;
    }

    let current = true;
    // Results of an older query are hidden while the new one runs, so that a click in that moment
    // cannot open a patient who does not match what is typed.
    setState((previous) => (previous.status === 'ready' && previous.query === query ? previous : { status: 'searching', query }));
    const timer = setTimeout(() => {
      api.patient.search({ query }).then(
        (results) => {
          if (!current) return;
          console.info(`search: ${results.length} results (${results.filter((result) => !result.inScope).length} on other wards)`);
          setState({ status: 'ready', query, results });
        },
        (error: unknown) => {
          if (!current) return;
          const body = toApiError(error);
          console.warn(`search: failed (${body.code})`);
          handleCallError(body);
          setState({ status: 'failed', query, error: body });
        },
      );
    }, SEARCH_DEBOUNCE_MS);

    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [api, handleCallError, query]);

  return state;
}
