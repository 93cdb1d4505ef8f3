import { z } from 'zod';

import type { CollectionName } from '../protocol/collections.js';
import { RESOURCE_TYPES_BY_COLLECTION } from '../protocol/collections.js';
import type { ReplicatedDocument } from '../protocol/documents.js';
import { documentId, toReplicatedDocument } from '../protocol/documents.js';
import { describeResourceIssues, medicationSchemaFor } from '../protocol/fhir/medication-schemas.js';
import type { WireDocument } from '../protocol/wire.js';
import { badRequest, describeIssues, forbidden, quoteValue } from './errors.js';
import { validateLaboratoryDocument } from './laboratory-validation.js';
import type { LocationDirectory } from './locations.js';

/**
 * The elements an AuditEvent must have here, as buildAuditEvent writes them: FHIR R4 makes `type`
 * (a Coding), `recorded` and at least one `agent` with `requestor` mandatory, and this server also
 * requires `action` and a `who` on every agent.
 */
const auditEventResource = z.object({
  type: z.object({ system: z.string().min(1), code: z.string().min(1) }),
  action: z.enum(['C', 'R', 'U', 'D', 'E']),
  recorded: z.iso.datetime({ offset: true }),
  outcome: z.enum(['0', '4', '8', '12']).optional(),
  agent: z
    .array(
      z.object({
        requestor: z.boolean(),
        who: z.object({ reference: z.string().optional(), display: z.string().optional() }).refine((who) => Boolean(who.reference ?? who.display), 'needs a reference or a display'),
      }),
    )
    .min(1),
});

/** Throws a 400 HttpError unless the document is an AuditEvent with the elements above, or a 403 for a deletion. */
function validateAuditEvent(document: WireDocument): void {
  if (document._deleted) {
    throw forbidden(`Document ${document.id}: AuditEvents are immutable and cannot be deleted. Push them with _deleted false`);
  }
  const parsed = auditEventResource.safeParse(document.resource);
  if (!parsed.success) throw badRequest(`Document ${document.id}: invalid AuditEvent: ${describeIssues(parsed.error)}`);
}

/** Throws a 400 HttpError naming the elements unless a medication resource has what medication-schemas.ts requires. */
function validateMedicationResource(document: WireDocument): void {
  const schema = medicationSchemaFor(document.resourceType);
  if (!schema || document._deleted) return;
  const parsed = schema.safeParse(document.resource);
  if (!parsed.success) throw badRequest(`Document ${document.id}: invalid ${document.resourceType}: ${describeResourceIssues(parsed.error)}`);
}

/**
 * Checks a pushed document against its collection and its resource, and returns the server's own
 * derivation of it. The derived top-level fields feed the replica's indexes on every workstation,
 * so a document whose fields disagree with its resource is rejected rather than corrected: the
 * server never rewrites what a client sent.
 */
export function validatePushedDocument(collection: CollectionName, document: WireDocument, context: LocationDirectory): ReplicatedDocument {
  const allowedTypes: readonly string[] = RESOURCE_TYPES_BY_COLLECTION[collection];
  if (!allowedTypes.includes(document.resourceType)) {
    throw badRequest(
      `Document ${document.id}: resourceType ${quoteValue(document.resourceType)} does not belong in the ${collection} collection, which contains ${allowedTypes.join(', ')}`,
    );
  }
  if (document.resource.resourceType !== document.resourceType) {
    throw badRequest(`Document ${document.id}: field resource.resourceType is ${quoteValue(document.resource.resourceType)}, expected ${quoteValue(document.resourceType)}`);
  }
  const expectedId = documentId(document.resourceType, document.resource.id ?? '');
  if (document.id !== expectedId) {
    throw badRequest(`Document ${document.id}: field id must be ResourceType/resource.id, here ${quoteValue(expectedId)}`);
  }

  if (document.resourceType === 'AuditEvent') validateAuditEvent(document);
  validateLaboratoryDocument(document, context);
  validateMedicationResource(document);

  let derived: ReplicatedDocument;
  try {
    derived = toReplicatedDocument(document.resource, context).document;
  } catch (error) {
    throw badRequest(`Document ${document.id}: ${(error as Error).message}`);
  }

  for (const [field, expected] of Object.entries(derived)) {
    if (field === 'resource') continue;
    const sent = (document as Record<string, unknown>)[field];
    if (sent !== expected) {
      const sentText = sent === undefined ? 'missing' : quoteValue(sent);
      throw badRequest(`Document ${document.id}: field ${field} is ${sentText}, but the resource gives ${quoteValue(expected)}`);
    }
  }
  // Only Specimens carry `accession`. On any other record the field would match an accession lookup.
  if (collection === 'records' && !('accession' in derived) && 'accession' in document) {
    throw badRequest(`Document ${document.id}: field accession is set, but only a Specimen has an accession number; leave the field out`);
  }

  // An AuditEvent may name no patient (a sign-in) or several (a ward list read).
  if ('patientId' in derived && derived.patientId === '' && derived.resourceType !== 'AuditEvent') {
    throw badRequest(`Document ${document.id}: the resource references no Patient, so no ward can receive it; set its subject or patient`);
  }
  return derived;
}
