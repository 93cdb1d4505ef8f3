import type { RxJsonSchema } from 'rxdb';

import { ACCESSION_MAX_LENGTH, CODE_MAX_LENGTH, DOCUMENT_ID_MAX_LENGTH, FHIR_ID_MAX_LENGTH, INSTANT_MAX_LENGTH, NAME_MAX_LENGTH } from '../protocol/collections.js';
import type { EntryDocument, RecordDocument, ReferenceDocument } from '../protocol/documents.js';

/**
 * RxDB schemas of the replica's collections. Every indexed string has a maxLength because RxDB
 * builds fixed-width index strings from it. The `resource` itself is stored as an opaque object:
 * FHIR validation happens where resources are built, not in the storage.
 */

const RESOURCE_TYPE_MAX_LENGTH = 40;

const base = {
  id: { type: 'string', maxLength: DOCUMENT_ID_MAX_LENGTH },
  resourceType: { type: 'string', maxLength: RESOURCE_TYPE_MAX_LENGTH },
  resource: { type: 'object' },
} as const;

export const referenceSchema: RxJsonSchema<ReferenceDocument> = {
  title: 'reference',
  description: 'Server-owned master data: Location',
  version: 0,
  primaryKey: 'id',
  type: 'object',
  properties: {
    ...base,
    wardId: { type: 'string', maxLength: FHIR_ID_MAX_LENGTH },
  },
  required: ['id', 'resourceType', 'resource', 'wardId'],
  indexes: [['resourceType', 'wardId']],
};

/**
 * Version 1 added `accession` and its index, so that a lab bench finds the Specimen of a scanned
 * or analyzer-sent accession number without reading the whole collection. The field is optional
 * because only Specimens carry it, and RxDB indexes a missing string as ''.
 */
export const recordsSchema: RxJsonSchema<RecordDocument> = {
  title: 'records',
  description: 'Editable resources: Patient, Encounter, AllergyIntolerance, ServiceRequest, Specimen',
  version: 1,
  primaryKey: 'id',
  type: 'object',
  properties: {
    ...base,
    patientId: { type: 'string', maxLength: FHIR_ID_MAX_LENGTH },
    wardId: { type: 'string', maxLength: FHIR_ID_MAX_LENGTH },
    mrn: { type: 'string', maxLength: FHIR_ID_MAX_LENGTH },
    nameNorm: { type: 'string', maxLength: NAME_MAX_LENGTH },
    accession: { type: 'string', maxLength: ACCESSION_MAX_LENGTH },
  },
  required: ['id', 'resourceType', 'resource', 'patientId', 'wardId', 'mrn', 'nameNorm'],
  indexes: [['resourceType', 'patientId'], ['resourceType', 'wardId'], 'mrn', 'nameNorm', ['resourceType', 'accession']],
};

/**
 * The entries collection also contains DiagnosticReports and AuditEvents. Its description still names
 * only Observation because RxDB hashes the whole schema, description included, and an existing
 * replica whose stored hash differs at the same version fails to open.
 */
export const entriesSchema: RxJsonSchema<EntryDocument> = {
  title: 'entries',
  description: 'Append-only clinical entries: Observation',
  version: 0,
  primaryKey: 'id',
  type: 'object',
  properties: {
    ...base,
    patientId: { type: 'string', maxLength: FHIR_ID_MAX_LENGTH },
    code: { type: 'string', maxLength: CODE_MAX_LENGTH },
    effective: { type: 'string', maxLength: INSTANT_MAX_LENGTH },
  },
  required: ['id', 'resourceType', 'resource', 'patientId', 'code', 'effective'],
  indexes: [['patientId', 'code', 'effective'], ['resourceType', 'patientId', 'effective']],
};
