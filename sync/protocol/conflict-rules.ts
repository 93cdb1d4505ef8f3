import { RESOURCE_TYPES_BY_COLLECTION } from './collections.js';
import type { FhirResource } from './documents.js';
import { toEntryDocument, toRecordDocument } from './documents.js';

/**
 * What happens when a workstation pushes a document whose server copy changed since the
 * workstation last saw it. The rules are per resource type and written down in
 * docs/sync-conflicts.md; the workstation and the tests share them from here.
 *
 * - Entries (Observation, DiagnosticReport, AuditEvent) are append-only with fresh ids and never
 *   conflict. If two different entries ever share an id, the server's copy stays and a person is
 *   told.
 * - Patient, AllergyIntolerance, ServiceRequest and Specimen: a three-way merge by FHIR element
 *   against the version both sides started from. An element changed on one side only takes that side's value; lists whose
 *   items carry FHIR element ids are merged item by item. An element changed differently on both
 *   sides keeps the server's value, and the workstation's version waits for review.
 * - Encounter: the hospital's admission system owns it, so the server's copy always wins; the
 *   workstation's version is kept and the user told.
 * - A deletion on the server wins over a local edit, and a local deletion of a record the server
 *   changed is not applied; both wait for review.
 */

export type ConflictOutcome =
  /** Both versions hold the same content: a replayed push, nothing to do. */
  | 'same'
  /** The local changes were combined with the server's; nothing was lost. */
  | 'merged'
  /** A rule chose the server's copy; the local version is kept and the user told. */
  | 'server-kept'
  /** Both sides changed the same elements: the server's values stand until a person decides. */
  | 'needs-review';

export interface ConflictInput<T> {
  /** The version the workstation wants to write. */
  local: T;
  /** The server's current version. */
  master: T;
  /** The server version the local edit started from; absent when the workstation assumed none. */
  base?: T | undefined;
}

export interface ConflictResolution<T> {
  document: T;
  outcome: ConflictOutcome;
  /** Name of the rule applied, as written in docs/sync-conflicts.md. */
  rule: 'identical' | 'field-merge' | 'server-owned' | 'server-deletion' | 'append-only';
  /** FHIR elements both sides changed differently (for 'needs-review'). */
  overlapping: string[];
}

/** The shape every replicated document shares on the wire and in the replica. */
export interface ConflictDocument {
  id: string;
  resourceType: string;
  resource: FhirResource;
  _deleted: boolean;
}

/** Elements the server owns: its copy is taken whatever the workstation sent. */
const SERVER_OWNED_ELEMENTS = new Set(['meta']);

/**
 * Resource types whose documents merge element by element. A Specimen's collection (ward) and its
 * status and receivedTime (lab) are separate elements, so the two sides' edits combine.
 */
const MERGEABLE_TYPES = new Set(['Patient', 'AllergyIntolerance', 'ServiceRequest', 'Specimen']);

function isEntry(resourceType: string): boolean {
  return (RESOURCE_TYPES_BY_COLLECTION.entries as readonly string[]).includes(resourceType);
}

/** Compares JSON values by content, whatever the order of object keys. */
export function sameContent(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const other = b as unknown[];
    return a.length === other.length && a.every((item, index) => sameContent(item, other[index]));
  }
  const left = definedEntries(a as Record<string, unknown>);
  const right = definedEntries(b as Record<string, unknown>);
  if (left.length !== right.length) return false;
  const rightByKey = new Map(right);
  return left.every(([key, value]) => rightByKey.has(key) && sameContent(value, rightByKey.get(key)));
}

/** Object entries without `undefined` values: JSON has no undefined, so `{a: undefined}` equals `{}`. */
function definedEntries(value: Record<string, unknown>): [string, unknown][] {
  return Object.entries(value).filter(([, item]) => item !== undefined);
}

/** RxDB's local bookkeeping, which never travels to the server. */
const LOCAL_FIELDS = new Set(['_meta', '_rev', '_attachments']);

/**
 * Whether two versions of a document hold the same replicated content: every field but RxDB's
 * local bookkeeping, compared as the server compares them (canonical JSON, so key order and
 * undefined members do not count).
 */
export function sameDocument(a: ConflictDocument, b: ConflictDocument): boolean {
  const replicated = (document: ConflictDocument) => Object.fromEntries(Object.entries(document).filter(([key]) => !LOCAL_FIELDS.has(key)));
  return sameContent(replicated(a), replicated(b));
}

interface MergedValue {
  value: unknown;
  overlapping: boolean;
}

function hasElementIds(items: unknown): items is { id: string }[] {
  return Array.isArray(items) && items.every((item) => typeof item === 'object' && item !== null && typeof (item as { id?: unknown }).id === 'string');
}

/** Merges lists of identified items: each item by its id, in the server's order, then the local additions. */
function mergeById(base: unknown, local: unknown, master: unknown): MergedValue {
  const byId = (items: unknown) => new Map(((items as { id: string }[] | undefined) ?? []).map((item) => [item.id, item]));
  const baseItems = byId(base);
  const localItems = byId(local);
  const masterItems = byId(master);
  const order = [...masterItems.keys(), ...[...localItems.keys()].filter((id) => !masterItems.has(id))];
  let overlapping = false;
  const merged: unknown[] = [];
  for (const id of order) {
    // An item one side removed and the other left alone goes; an item removed on one side and changed on the other stays.
    const item = mergeValue(baseItems.get(id), localItems.get(id), masterItems.get(id));
    overlapping ||= item.overlapping;
    if (item.value !== undefined) merged.push(item.value);
  }
  return { value: merged, overlapping };
}

function mergeValue(base: unknown, local: unknown, master: unknown): MergedValue {
  if (sameContent(local, master)) return { value: master, overlapping: false };
  if (sameContent(local, base)) return { value: master, overlapping: false };
  if (sameContent(master, base)) return { value: local, overlapping: false };
  const lists = [base, local, master].filter((value) => value !== undefined);
  if (lists.every(hasElementIds)) return mergeById(base, local, master);
  return { value: master, overlapping: true };
}

/** Three-way merge of two FHIR resources by top-level element. */
function mergeResources(base: FhirResource | undefined, local: FhirResource, master: FhirResource): { resource: FhirResource; overlapping: string[] } {
  const keys = new Set([...Object.keys(base ?? {}), ...Object.keys(local), ...Object.keys(master)]);
  const resource: Record<string, unknown> = {};
  const overlapping: string[] = [];
  for (const key of keys) {
    if (SERVER_OWNED_ELEMENTS.has(key) || key === 'resourceType' || key === 'id') {
      if (master[key] !== undefined) resource[key] = master[key];
      continue;
    }
    const merged = mergeValue(base?.[key], local[key], master[key]);
    if (merged.overlapping) overlapping.push(key);
    if (merged.value !== undefined) resource[key] = merged.value;
  }
  return { resource: resource as FhirResource, overlapping: overlapping.sort() };
}

/** Rebuilds a document's derived fields after its resource changed, as both sides derive them. */
function rederive<T extends ConflictDocument>(template: T, resource: FhirResource): T {
  // Merged types derive nothing from the Location documents: a ServiceRequest's department is the
  // Location id it names.
  const derived = isEntry(template.resourceType) ? toEntryDocument(resource) : toRecordDocument(resource, { wardOfLocation: () => undefined });
  return { ...template, ...derived, resource, _deleted: template._deleted };
}

/** Applies the rule of the document's resource type to a push conflict. */
export function resolveConflict<T extends ConflictDocument>({ local, master, base }: ConflictInput<T>): ConflictResolution<T> {
  if (sameDocument(local, master)) return { document: master, outcome: 'same', rule: 'identical', overlapping: [] };
  // Nothing changed here since the version the edit started from: the server's copy is simply newer.
  if (base && sameDocument(local, base)) return { document: master, outcome: 'same', rule: 'identical', overlapping: [] };

  if (isEntry(master.resourceType)) {
    return { document: master, outcome: 'server-kept', rule: 'append-only', overlapping: [] };
  }
  if (!MERGEABLE_TYPES.has(master.resourceType) || local.resourceType !== master.resourceType) {
    return { document: master, outcome: 'server-kept', rule: 'server-owned', overlapping: [] };
  }
  if (master._deleted !== local._deleted) {
    // A deletion on the server (entered in error) stands, and so does the server's live record
    // against a local deletion: either way a person looks at the local version.
    return { document: master, outcome: 'needs-review', rule: 'server-deletion', overlapping: ['_deleted'] };
  }
  if (master._deleted) return { document: master, outcome: 'same', rule: 'identical', overlapping: [] };

  const merged = mergeResources(base?._deleted ? undefined : base?.resource, local.resource, master.resource);
  const document = rederive(master, merged.resource);
  return { document, outcome: merged.overlapping.length > 0 ? 'needs-review' : 'merged', rule: 'field-merge', overlapping: merged.overlapping };
}
