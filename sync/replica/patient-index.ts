import { normalizeForSearch } from '../protocol/documents.js';

/**
 * An in-memory search index of patients: by any part of the name in any order (each word of the
 * query must start a word of the name, accents and case ignored, so "muller an" finds "Müller,
 * Anna"), by exact MRN, and by birth date. Results rank an exact MRN first, then the patients of
 * the workstation's ward, then the rest, each group by name.
 *
 * Name words live in a sorted array, so a prefix is a binary search and a scan of the words that
 * share it; a query starts from its rarest word and checks the others on those candidates only.
 */

export interface IndexedPatient {
  patientId: string;
  mrn: string;
  /** FHIR date, YYYY-MM-DD; '' when unknown. */
  birthDate: string;
  /** Lower-case, accent-free "family given…", as the replica's `nameNorm` stores it. */
  nameNorm: string;
  /** Name as screens show it, and gender: kept here so a search result needs no further read. */
  displayName?: string;
  gender?: 'male' | 'female' | 'other' | 'unknown';
}

/** Where a patient lies: the ward and the bed (a Location id) of the current encounter. */
export interface Placement {
  wardId: string;
  locationId: string;
}

export interface SearchOptions {
  /** Ward of this workstation: its patients rank before the rest. */
  wardId?: string;
  limit?: number;
}

/** Fewer characters than this in every word of a query match too many patients to be useful. */
const MIN_WORD_LENGTH = 2;
const DEFAULT_LIMIT = 50;

export class PatientSearchIndex {
  readonly #patients = new Map<string, IndexedPatient>();
  readonly #placements = new Map<string, Placement>();
  readonly #wordsOf = new Map<string, string[]>();
  readonly #idsByWord = new Map<string, Set<string>>();
  readonly #idsByMrn = new Map<string, Set<string>>();
  readonly #idsByBirthDate = new Map<string, Set<string>>();
  #sortedWords: string[] = [];
  #sortedWordsStale = false;

  get size(): number {
    return this.#patients.size;
  }

  /** Adds or replaces a patient. */
  upsert(patient: IndexedPatient): void {
    this.remove(patient.patientId);
    this.#patients.set(patient.patientId, patient);
    this.#wordsOf.set(patient.patientId, [...wordsOf(patient.nameNorm)]);
    for (const word of wordsOf(patient.nameNorm)) {
      if (!this.#idsByWord.has(word)) this.#sortedWordsStale = true;
      addTo(this.#idsByWord, word, patient.patientId);
    }
    if (patient.mrn) addTo(this.#idsByMrn, patient.mrn, patient.patientId);
    if (patient.birthDate) addTo(this.#idsByBirthDate, patient.birthDate, patient.patientId);
  }

  remove(patientId: string): void {
    const previous = this.#patients.get(patientId);
    if (!previous) return;
    this.#patients.delete(patientId);
    this.#wordsOf.delete(patientId);
    for (const word of wordsOf(previous.nameNorm)) {
      if (removeFrom(this.#idsByWord, word, patientId)) this.#sortedWordsStale = true;
    }
    removeFrom(this.#idsByMrn, previous.mrn, patientId);
    removeFrom(this.#idsByBirthDate, previous.birthDate, patientId);
  }

  /** Records the ward and bed of a patient's current encounter, or clears them with undefined. */
  setPlacement(patientId: string, placement: Placement | undefined): void {
    if (placement) this.#placements.set(patientId, placement);
    else this.#placements.delete(patientId);
  }

  placementOf(patientId: string): Placement | undefined {
    return this.#placements.get(patientId);
  }

  search(query: string, options: SearchOptions = {}): IndexedPatient[] {
    const limit = options.limit ?? DEFAULT_LIMIT;
    const trimmed = query.trim();
    const exactMrn = [...(this.#idsByMrn.get(trimmed) ?? [])];

    const terms = normalizeForSearch(trimmed).split(' ').filter(Boolean);
    const birthDates = terms.map(parseBirthDate).filter((date): date is string => date !== null);
    const words = terms.filter((term) => parseBirthDate(term) === null && !this.#idsByMrn.has(term) && term.length >= MIN_WORD_LENGTH);

    const best = new TopResults<IndexedPatient>(limit, (a, b) => this.#rank(a, options.wardId) - this.#rank(b, options.wardId) || compare(a.nameNorm, b.nameNorm) || compare(a.patientId, b.patientId));
    const accepts = (patient: IndexedPatient) =>
      !exactMrn.includes(patient.patientId) &&
      birthDates.every((date) => patient.birthDate === date) &&
      words.every((word) => (this.#wordsOf.get(patient.patientId) ?? []).some((own) => own.startsWith(word)));

    // Start from the most selective part of the query and check the rest on each candidate.
    if (words.length > 0) {
      const ranges = words.map((word) => this.#wordRange(word));
      const rarest = ranges.reduce((smallest, range) => (range.count < smallest.count ? range : smallest));
      const seen = rarest.end - rarest.start > 1 ? new Set<string>() : undefined;
      const sorted = this.#words();
      for (let position = rarest.start; position < rarest.end; position += 1) {
        for (const id of this.#idsByWord.get(sorted[position] as string) ?? []) {
          if (seen) {
            if (seen.has(id)) continue;
            seen.add(id);
          }
          const patient = this.#patients.get(id) as IndexedPatient;
          if (accepts(patient)) best.offer(patient);
        }
      }
    } else if (birthDates.length > 0) {
      for (const id of this.#idsByBirthDate.get(birthDates[0] as string) ?? []) {
        const patient = this.#patients.get(id) as IndexedPatient;
        if (accepts(patient)) best.offer(patient);
      }
    }

    const mrnMatches = exactMrn.map((id) => this.#patients.get(id) as IndexedPatient);
    return [...mrnMatches, ...best.results()].slice(0, limit);
  }

  /** The positions in the sorted word list of the words starting with `prefix`, and how many patients they name. */
  #wordRange(prefix: string): { start: number; end: number; count: number } {
    const words = this.#words();
    let low = 0;
    let high = words.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((words[middle] as string) < prefix) low = middle + 1;
      else high = middle;
    }
    let end = low;
    let count = 0;
    while (end < words.length && (words[end] as string).startsWith(prefix)) {
      count += this.#idsByWord.get(words[end] as string)?.size ?? 0;
      end += 1;
    }
    return { start: low, end, count };
  }

  #rank(patient: IndexedPatient, wardId: string | undefined): number {
    return wardId && this.#placements.get(patient.patientId)?.wardId === wardId ? 0 : 1;
  }

  #words(): string[] {
    if (this.#sortedWordsStale) {
      this.#sortedWords = [...this.#idsByWord.keys()].sort();
      this.#sortedWordsStale = false;
    }
    return this.#sortedWords;
  }
}

function wordsOf(nameNorm: string): Set<string> {
  return new Set(nameNorm.split(/[\s\-']+/).filter(Boolean));
}

/** Accepts 1984-07-02, 02.07.1984 and 02/07/1984 (day first, as charted in Europe). */
function parseBirthDate(term: string): string | null {
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(term);
  if (iso) return term;
  const dayFirst = /^(\d{1,2})[./](\d{1,2})[./](\d{4})$/.exec(term);
  if (dayFirst) return `${dayFirst[3]}-${(dayFirst[2] as string).padStart(2, '0')}-${(dayFirst[1] as string).padStart(2, '0')}`;
  return null;
}

function addTo(map: Map<string, Set<string>>, key: string, id: string): void {
  const ids = map.get(key);
  if (ids) ids.add(id);
  else map.set(key, new Set([id]));
}

/** Removes `id`; returns true when the key has no ids left and was dropped. */
function removeFrom(map: Map<string, Set<string>>, key: string, id: string): boolean {
  const ids = map.get(key);
  if (!ids) return false;
  ids.delete(id);
  if (ids.size > 0) return false;
  map.delete(key);
  return true;
}

/** The best `limit` items offered so far, in order, without sorting every candidate. */
class TopResults<T> {
  readonly #items: T[] = [];

  constructor(
    private readonly limit: number,
    private readonly order: (a: T, b: T) => number,
  ) {}

  offer(item: T): void {
    const items = this.#items;
    if (items.length === this.limit && this.order(item, items[items.length - 1] as T) >= 0) return;
    let low = 0;
    let high = items.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.order(items[middle] as T, item) <= 0) low = middle + 1;
      else high = middle;
    }
    items.splice(low, 0, item);
    if (items.length > this.limit) items.pop();
  }

  results(): T[] {
    return this.#items;
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
