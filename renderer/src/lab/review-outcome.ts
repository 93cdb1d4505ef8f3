import type { LabReviewItem } from '../../../preload/api/lab-schemas.js';
import { getLocale, t } from '../i18n/index.js';

/** The result of a technician's last action in the review queue, for the confirmation above the queue. */
export type ReviewOutcome =
  | { kind: 'matched'; item: LabReviewItem; accession: string }
  | { kind: 'released'; item: LabReviewItem }
  | { kind: 'rejected'; item: LabReviewItem };

/** Returns the shortest text that names a group's patient, or null when the group has none. */
function patientOf(item: LabReviewItem): string | null {
  const { patientName, mrn } = item.group;
  if (patientName === null) return null;
  return mrn === null ? patientName : t('lab.review.patientWithMrn', { name: patientName, mrn });
}

/** Returns the accession the analyzer sent, or a word for none. */
export function sentAccession(item: LabReviewItem): string {
  return item.group.accession === '' ? t('lab.review.noAccessionSent') : item.group.accession;
}

/** Counts results in words: "1 result", "7 results". */
export function countResults(count: number): string {
  return new Intl.PluralRules(getLocale()).select(count) === 'one' ? t('lab.count.resultOne') : t('lab.count.resultMany', { count });
}

/** Describes what happened, naming the specimen, the patient and how many results moved. */
export function describeReviewOutcome(outcome: ReviewOutcome): string {
  const patient = patientOf(outcome.item);
  const results = countResults(outcome.item.group.results.length);
  switch (outcome.kind) {
    case 'matched':
      return patient === null
        ? t('lab.review.outcome.matchedNoPatient', { accession: outcome.accession })
        : t('lab.review.outcome.matched', { accession: outcome.accession, patient });
    case 'released':
      return patient === null ? t('lab.review.outcome.releasedNoPatient', { results }) : t('lab.review.outcome.released', { results, patient });
    case 'rejected': {
      const reason = outcome.item.decisionReason ?? '';
      const accession = outcome.item.group.accession;
      return accession === '' ? t('lab.review.outcome.rejectedNoAccession', { results, reason }) : t('lab.review.outcome.rejected', { results, accession, reason });
    }
  }
}
