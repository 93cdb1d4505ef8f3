import type { CollectionName } from '../protocol/collections.js';
import { RESOURCE_TYPES_BY_COLLECTION } from '../protocol/collections.js';
import type { DerivationContext, ReplicatedDocument } from '../protocol/documents.js';
import { documentId, toReplicatedDocument } from '../protocol/documents.js';
import type { WireDocument } from '../protocol/wire.js';
import { badRequest, quoteValue } from './errors.js';

/**
 * Checks a pushed document against its collection and its resource, and returns the server's own
 * derivation of it. The derived top-level fields feed the replica's indexes on every workstation,
 * so a document whose fields disagree with its resource is rejected rather than corrected: the
 * server never rewrites what a client sent.
 */
export function validatePushedDocument(collection: CollectionName, document: WireDocument, context: DerivationContext): ReplicatedDocument {
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

  if ('patientId' in derived && derived.patientId === '') {
    throw badRequest(`Document ${document.id}: the resource references no Patient, so no ward can receive it; set its subject or patient`);
  }
  return derived;
}
