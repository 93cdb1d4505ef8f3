import type { CollectionName } from './collections.js';
import { ACCESSION_MAX_LENGTH, collectionForResourceType, FHIR_ID_MAX_LENGTH, NAME_MAX_LENGTH } from './collections.js';
import { MRN_SYSTEM } from './fhir/identifiers.js';
import { medicationCodeKey } from './fhir/medication.js';

/**
 * Replicated documents: a FHIR R4 resource wrapped with the derived top-level fields that the
 * replica's indexes need. The workstation and the server derive these fields with the same
 * functions below, so an index never disagrees with the resource it wraps.
 */

/** Any FHIR resource as JSON; the replica stores it as received and never rewrites it. */
export interface FhirResource {
  resourceType: string;
  id?: string;
  [element: string]: unknown;
}

interface DocumentBase {
  /** `ResourceType/id`, the primary key in the replica and on the server. */
  id: string;
  resourceType: string;
  resource: FhirResource;
}

export interface ReferenceDocument extends DocumentBase {
  /** The ward this Location belongs to (its own id for a ward). */
  wardId: string;
}

export interface RecordDocument extends DocumentBase {
  /** Patient.id this record is about ('' for none). */
  patientId: string;
  /**
   * The scope Location this record places its patient in ('' for other types): the ward of an
   * Encounter's current location, or the laboratory department that a ServiceRequest names in
   * `locationReference`.
   */
  wardId: string;
  /** Hospital MRN of a Patient ('' for other types). */
  mrn: string;
  /** Lower-case, accent-free "family given" of a Patient, for search ('' for other types). */
  nameNorm: string;
  /**
   * Accession number of a Specimen (`accessionIdentifier.value`). Other types leave it out rather
   * than set '', so that the records written before the field existed keep the exact JSON that
   * the server compares on push.
   */
  accession?: string;
}

export interface EntryDocument extends DocumentBase {
  patientId: string;
  /** `system|code` of the resource's first code, e.g. `http://loinc.org|85353-1`. */
  code: string;
  /** Clinically relevant time as a UTC instant (`…Z`), so that it sorts as text. */
  effective: string;
}

export interface DocumentsByCollection {
  reference: ReferenceDocument;
  records: RecordDocument;
  entries: EntryDocument;
}

export type ReplicatedDocument = DocumentsByCollection[CollectionName];

/** Facts the resource alone does not hold: which ward a bed or encounter location belongs to. */
export interface DerivationContext {
  /** Returns the ward id of a Location id, or undefined when the location is unknown. */
  wardOfLocation(locationId: string): string | undefined;
}

export function documentId(resourceType: string, id: string): string {
  return `${resourceType}/${id}`;
}

/** Removes the `Patient/` prefix of a FHIR reference; '' when absent. */
export function referencedId(reference: unknown, expectedType: string): string {
  if (typeof reference !== 'object' || reference === null) return '';
  const value = (reference as { reference?: unknown }).reference;
  if (typeof value !== 'string') return '';
  const prefix = `${expectedType}/`;
  if (value.startsWith(prefix)) return value.slice(prefix.length);
  if (value.startsWith('urn:uuid:')) return value.slice('urn:uuid:'.length);
  return '';
}

/** Lower-case, strips accents and collapses spaces: "Müller  Ana" → "muller ana". */
export function normalizeForSearch(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{Mn}/gu, '')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();
}

/** Converts a FHIR dateTime or instant to a UTC instant string; a bare date becomes its midnight UTC. */
export function toUtcInstant(value: string): string {
  if (/^\d{4}(-\d{2}(-\d{2})?)?$/.test(value)) {
    const [year, month = '01', day = '01'] = value.split('-');
    return `${year}-${month}-${day}T00:00:00.000Z`;
  }
  const millis = Date.parse(value);
  if (Number.isNaN(millis)) throw new Error(`Invalid FHIR dateTime "${value}": expected ISO 8601 such as 2026-12-04T10:15:00Z`);
  return new Date(millis).toISOString();
}

interface HumanNameJson {
  use?: string;
  family?: string;
  given?: string[];
}

export function officialName(resource: FhirResource): HumanNameJson | undefined {
  const names = (resource.name as HumanNameJson[] | undefined) ?? [];
  return names.find((name) => name.use === 'official') ?? names[0];
}

export function mrnOf(resource: FhirResource): string {
  const identifiers = (resource.identifier as { system?: string; value?: string }[] | undefined) ?? [];
  return identifiers.find((identifier) => identifier.system === MRN_SYSTEM)?.value ?? '';
}

function requireId(resource: FhirResource): string {
  const id = resource.id;
  if (typeof id !== 'string' || id.length === 0 || id.length > FHIR_ID_MAX_LENGTH) {
    throw new Error(`${resource.resourceType} has no valid id (got ${JSON.stringify(id)}); a FHIR id has 1 to 64 characters`);
  }
  return id;
}

/** `system|code` of a CodeableConcept's first coding, or of a bare Coding (AuditEvent.type is one). */
function firstCoding(codeable: unknown): string {
  const value = codeable as { coding?: { system?: string; code?: string }[]; system?: string; code?: string } | undefined;
  const coding = value?.coding?.[0] ?? (typeof value?.code === 'string' ? value : undefined);
  return coding?.code ? `${coding.system ?? ''}|${coding.code}` : '';
}

function effectiveOf(resource: FhirResource): string {
  const candidates = [
    resource.effectiveDateTime,
    resource.effectiveInstant,
    resource.issued,
    (resource.effectivePeriod as { start?: string } | undefined)?.start,
    resource.recorded,
  ];
  const found = candidates.find((value): value is string => typeof value === 'string');
  if (!found) throw new Error(`${resource.resourceType}/${resource.id ?? '?'} has no effective time; set effectiveDateTime`);
  return toUtcInstant(found);
}

/** Returns the id of the Location a ServiceRequest's first `locationReference` names, or ''. */
export function performingDepartmentOf(resource: FhirResource): string {
  const locations = resource.locationReference as unknown[] | undefined;
  return Array.isArray(locations) ? referencedId(locations[0], 'Location') : '';
}

/** Returns a Specimen's accession number; throws when it is missing or too long for the index. */
export function accessionOf(resource: FhirResource): string {
  const value = (resource.accessionIdentifier as { value?: unknown } | undefined)?.value;
  if (typeof value !== 'string' || value.trim() === '') {
    throw new Error(`Specimen/${resource.id ?? '?'} has no accession number: set accessionIdentifier.value to the number on the tube's label`);
  }
  if (value.length > ACCESSION_MAX_LENGTH) {
    throw new Error(`Specimen/${resource.id ?? '?'} has an accession number of ${value.length} characters; accessionIdentifier.value takes at most ${ACCESSION_MAX_LENGTH}`);
  }
  return value;
}

function encounterWard(resource: FhirResource, context: DerivationContext): string {
  const locations = (resource.location as { location?: { reference?: string }; status?: string }[] | undefined) ?? [];
  const current = locations.find((entry) => entry.status === 'active') ?? locations[0];
  const locationId = referencedId(current?.location, 'Location');
  return locationId ? (context.wardOfLocation(locationId) ?? '') : '';
}

export function toReferenceDocument(resource: FhirResource, context: DerivationContext): ReferenceDocument {
  const id = requireId(resource);
  return {
    id: documentId(resource.resourceType, id),
    resourceType: resource.resourceType,
    // A formulary Medication belongs to no ward, so every workstation receives it.
    wardId: resource.resourceType === 'Location' ? (context.wardOfLocation(id) ?? '') : '',
    resource,
  };
}

export function toRecordDocument(resource: FhirResource, context: DerivationContext): RecordDocument {
  const id = requireId(resource);
  const document: RecordDocument = {
    id: documentId(resource.resourceType, id),
    resourceType: resource.resourceType,
    patientId: '',
    wardId: '',
    mrn: '',
    nameNorm: '',
    resource,
  };
  switch (resource.resourceType) {
    case 'Patient': {
      const name = officialName(resource);
      document.patientId = id;
      document.mrn = mrnOf(resource);
      document.nameNorm = normalizeForSearch([name?.family ?? '', ...(name?.given ?? [])].join(' ')).slice(0, NAME_MAX_LENGTH);
      break;
    }
    case 'Encounter':
      document.patientId = referencedId(resource.subject, 'Patient');
      document.wardId = encounterWard(resource, context);
      break;
    case 'AllergyIntolerance':
      document.patientId = referencedId(resource.patient, 'Patient');
      break;
    case 'ServiceRequest':
      document.patientId = referencedId(resource.subject, 'Patient');
      document.wardId = performingDepartmentOf(resource);
      break;
    case 'Specimen':
      document.patientId = referencedId(resource.subject, 'Patient');
      document.accession = accessionOf(resource);
      break;
    case 'MedicationRequest':
      document.patientId = referencedId(resource.subject, 'Patient');
      break;
    default:
      throw new Error(`${resource.resourceType} does not belong in the records collection`);
  }
  return document;
}

/** The one patient an AuditEvent is about, or '' when it names none or several (a ward list read). */
function auditedPatient(resource: FhirResource): string {
  const entities = (resource.entity as { what?: unknown }[] | undefined) ?? [];
  const patients = [...new Set(entities.map((entity) => referencedId(entity.what, 'Patient')).filter(Boolean))];
  return patients.length === 1 ? (patients[0] as string) : '';
}

/** The `code` of an entry: an AuditEvent's type, an administration's product GTIN, or the resource's code. */
function entryCode(resource: FhirResource): string {
  if (resource.resourceType === 'AuditEvent') return firstCoding(resource.type);
  if (resource.resourceType === 'MedicationAdministration') return medicationCodeKey(resource);
  return firstCoding(resource.code);
}

export function toEntryDocument(resource: FhirResource): EntryDocument {
  const id = requireId(resource);
  const isAudit = resource.resourceType === 'AuditEvent';
  return {
    id: documentId(resource.resourceType, id),
    resourceType: resource.resourceType,
    patientId: isAudit ? auditedPatient(resource) : referencedId(resource.subject, 'Patient'),
    code: entryCode(resource),
    effective: effectiveOf(resource),
    resource,
  };
}

/** Wraps a resource for the collection its type belongs to. */
export function toReplicatedDocument(resource: FhirResource, context: DerivationContext): { collection: CollectionName; document: ReplicatedDocument } {
  const collection = collectionForResourceType(resource.resourceType);
  switch (collection) {
    case 'reference':
      return { collection, document: toReferenceDocument(resource, context) };
    case 'records':
      return { collection, document: toRecordDocument(resource, context) };
    case 'entries':
      return { collection, document: toEntryDocument(resource) };
  }
}
