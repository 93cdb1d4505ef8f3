/**
 * The replica's collections. Resource types are grouped by how they sync, not one collection per
 * type: the open-source RxDB allows at most 13 open collections per process (error COL23), and two
 * replicas in one test process must fit.
 *
 * - `reference`: server-owned master data (Location, and the formulary's Medication products). The
 *   workstation only pulls it.
 * - `records`: editable resources (Patient, Encounter, AllergyIntolerance, the lab orders
 *   ServiceRequest and Specimen, and medication orders, MedicationRequest). Pushes carry the
 *   assumed master state and the server returns a conflict when it is stale.
 * - `entries`: append-only entries (Observation, DiagnosticReport, MedicationAdministration,
 *   AuditEvent). Each has a fresh id, so they never conflict; every workstation's entries end up
 *   side by side. AuditEvents travel only upwards: the server keeps them and never sends them to
 *   workstations.
 */
export const COLLECTION_NAMES = ['reference', 'records', 'entries'] as const;
export type CollectionName = (typeof COLLECTION_NAMES)[number];

export const RESOURCE_TYPES_BY_COLLECTION = {
  reference: ['Location', 'Medication'],
  records: ['Patient', 'Encounter', 'AllergyIntolerance', 'ServiceRequest', 'Specimen', 'MedicationRequest'],
  entries: ['Observation', 'DiagnosticReport', 'MedicationAdministration', 'AuditEvent'],
} as const satisfies Record<CollectionName, readonly string[]>;

export type ReplicatedResourceType = (typeof RESOURCE_TYPES_BY_COLLECTION)[CollectionName][number];

export function collectionForResourceType(resourceType: string): CollectionName {
  for (const name of COLLECTION_NAMES) {
    if ((RESOURCE_TYPES_BY_COLLECTION[name] as readonly string[]).includes(resourceType)) return name;
  }
  throw new Error(`Resource type ${resourceType} is not replicated; replicated types are ${replicatedResourceTypes().join(', ')}`);
}

export function replicatedResourceTypes(): string[] {
  return COLLECTION_NAMES.flatMap((name) => [...RESOURCE_TYPES_BY_COLLECTION[name]]);
}

/** Maximum length of a document id: `ResourceType/` plus a FHIR id (at most 64 characters). */
export const DOCUMENT_ID_MAX_LENGTH = 100;
export const FHIR_ID_MAX_LENGTH = 64;
/** ISO 8601 instants in UTC, as `effective` stores them for lexical ordering. */
export const INSTANT_MAX_LENGTH = 30;
export const CODE_MAX_LENGTH = 120;
/** Maximum length of a Specimen's accession number, the value a tube's barcode label carries. */
export const ACCESSION_MAX_LENGTH = 64;
export const NAME_MAX_LENGTH = 200;
