import type { ConflictElement, SyncConflict } from '../../../preload/api/sync-review-schemas.js';
import type { ConflictRecord } from '../../../sync/client/conflict-log.js';
import type { ConflictDocument } from '../../../sync/protocol/conflict-rules.js';
import { sameContent } from '../../../sync/protocol/conflict-rules.js';
import type { RecordDocument } from '../../../sync/protocol/documents.js';
import { displayName, mrn } from './fhir-views.js';
import { contactName } from './patient-contact.js';

/**
 * Turns a conflict record into what the review screen shows: which elements the two versions hold
 * differently, each side as a line of text a nurse can compare. The text carries values only; the
 * screen supplies the labels.
 */

/** Elements never shown as a difference: identity, and what the server alone maintains. */
const HIDDEN_ELEMENTS = new Set(['resourceType', 'id', 'meta']);

/** Only a local edit of a mergeable record can be written again over the server's version. */
export function canKeepMine(record: Pick<ConflictRecord, 'rule' | 'status'>): boolean {
  return record.status === 'open' && record.rule === 'field-merge';
}

export function conflictView(record: ConflictRecord, patient: RecordDocument | undefined): SyncConflict {
  return {
    id: record.id,
    collection: record.collection,
    documentId: record.documentId,
    resourceType: record.resourceType,
    patientId: record.patientId === '' ? null : record.patientId,
    patientName: patient ? displayName(patient.resource) : null,
    mrn: patient ? mrn(patient.resource) : null,
    rule: record.rule,
    outcome: record.outcome,
    elements: conflictElements(record),
    detectedAt: record.detectedAt,
    status: record.status,
    closedAt: record.closedAt,
    decision: record.decision,
    canKeepMine: canKeepMine(record),
    serverAuthor: record.authors.server
      ? { userName: record.authors.server.userName, workstationId: record.authors.server.workstationId, writtenAt: record.authors.server.writtenAt }
      : null,
    localAuthor: record.authors.local,
  };
}

/**
 * Returns the elements to compare: those the rule could not merge, or, where a rule keeps the
 * server's copy whole, every element in which the two versions differ.
 */
export function conflictElements(record: Pick<ConflictRecord, 'overlapping' | 'local' | 'server'>): ConflictElement[] {
  const { local, server } = record;
  const elements = record.overlapping.length > 0 ? record.overlapping : differingElements(local, server);
  return elements.map((element) => {
    if (element === '_deleted') return { element, local: String(local._deleted), server: String(server._deleted) };
    return { element, local: readableValue(element, local.resource[element]), server: readableValue(element, server.resource[element]) };
  });
}

/** Top-level elements of the two resources that differ, and `_deleted` when only one side is deleted. */
export function differingElements(local: ConflictDocument, server: ConflictDocument): string[] {
  if (local._deleted !== server._deleted) return ['_deleted'];
  const keys = new Set([...Object.keys(local.resource), ...Object.keys(server.resource)]);
  return [...keys].filter((key) => !HIDDEN_ELEMENTS.has(key) && !sameContent(local.resource[key], server.resource[key])).sort();
}

/** Renders one element's value as a line of text; null when the element is absent. */
export function readableValue(element: string, value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (element === 'telecom' && Array.isArray(value)) return joinLines(value.map((point) => contactPointText(point)));
  if (element === 'contact' && Array.isArray(value)) return joinLines(value.map((contact) => contactText(contact)));
  if (element === 'name' && Array.isArray(value)) return joinLines(value.map((name) => contactName({ name: name as { text?: string } })));
  return joinLines(leafValues(value));
}

function joinLines(parts: string[]): string | null {
  const text = parts.filter((part) => part !== '').join('; ');
  return text === '' ? null : text;
}

function contactPointText(point: unknown): string {
  const { value, use } = (point ?? {}) as { value?: unknown; use?: unknown };
  if (typeof value !== 'string') return '';
  return typeof use === 'string' ? `${value} (${use})` : value;
}

function contactText(contact: unknown): string {
  const item = (contact ?? {}) as Parameters<typeof contactName>[0] & { relationship?: { text?: string }[]; telecom?: unknown[] };
  const name = contactName(item);
  const relation = (item.relationship ?? []).map((concept) => concept.text).find((text) => typeof text === 'string');
  const phones = (item.telecom ?? []).map((point) => contactPointText(point)).filter(Boolean);
  return [relation ? `${name} (${relation})` : name, ...phones].filter(Boolean).join(', ');
}

/** Strings, numbers and booleans of a JSON value in document order, for elements without a text form here. */
function leafValues(value: unknown): string[] {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return [String(value)];
  if (Array.isArray(value)) return value.flatMap(leafValues);
  if (typeof value === 'object' && value !== null) return Object.values(value).flatMap(leafValues);
  return [];
}
