import type { Role } from '../../preload/api/roles.js';
import { ROLES, WARD_CLINICIANS } from '../../preload/api/roles.js';
import type { FhirResource } from '../protocol/documents.js';
import { isLaboratoryObservation } from '../protocol/fhir/laboratory.js';
import { SPO2_SCALE_KEY, VITAL_SIGNS_PANEL_KEY } from '../protocol/fhir/vital-signs.js';
import type { Session } from './auth.js';
import { describeRoles } from './auth.js';
import { sameJson } from './canonical-json.js';
import { forbidden } from './errors.js';

/**
 * The roles allowed to push each kind of document. The server checks every pushed row against this
 * table, whatever the workstation checked before sending it. An Observation's rule depends on its
 * code (`system|code`, the entry's `code` field), or for lab results on its category.
 */
export interface WriteRule {
  resourceType: string;
  /** The Observation code this rule covers; unset for other resource types. */
  code?: string;
  /** Set for the rule of Observations of category laboratory, whatever their code. */
  laboratory?: true;
  /** Description of the covered documents for error messages, such as "a vital signs panel". */
  description: string;
  /** Roles that may create, change and delete such documents. */
  roles: readonly Role[];
  /** Roles that may change only these elements of a stored document, and never create or delete one. */
  partialUpdate?: { roles: readonly Role[]; elements: readonly string[] };
}

const LAB_TECHNICIANS: readonly Role[] = ['lab-technician'];

export const WRITE_RULES: readonly WriteRule[] = [
  { resourceType: 'Observation', code: VITAL_SIGNS_PANEL_KEY, description: 'a vital signs panel', roles: WARD_CLINICIANS },
  { resourceType: 'Observation', code: SPO2_SCALE_KEY, description: 'an SpO2 scale decision', roles: ['doctor'] },
  { resourceType: 'Observation', laboratory: true, description: 'a laboratory Observation', roles: LAB_TECHNICIANS },
  { resourceType: 'DiagnosticReport', description: 'a DiagnosticReport', roles: LAB_TECHNICIANS },
  { resourceType: 'Patient', description: 'a Patient', roles: WARD_CLINICIANS },
  { resourceType: 'Encounter', description: 'an Encounter', roles: WARD_CLINICIANS },
  { resourceType: 'AllergyIntolerance', description: 'an AllergyIntolerance', roles: WARD_CLINICIANS },
  // The ward orders and collects; the lab records the specimen's arrival and condition.
  { resourceType: 'ServiceRequest', description: 'a ServiceRequest', roles: WARD_CLINICIANS },
  { resourceType: 'Specimen', description: 'a Specimen', roles: WARD_CLINICIANS, partialUpdate: { roles: LAB_TECHNICIANS, elements: ['status', 'receivedTime'] } },
  // Nurses and doctors record the doses they give or hold at the bedside.
  { resourceType: 'MedicationAdministration', description: 'a MedicationAdministration', roles: WARD_CLINICIANS },
  { resourceType: 'AuditEvent', description: 'an AuditEvent', roles: ROLES },
];

/**
 * Resource types that workstations only read, with the reason for the error message: the central
 * HMS writes them. Medication orders are prescribed and verified by pharmacy there.
 */
const SERVER_OWNED_TYPES: Readonly<Record<string, string>> = {
  MedicationRequest: 'medication orders come from the central HMS, where they are prescribed and verified by pharmacy; workstations only read them',
};

/** A pushed or stored document, reduced to the fields the rules look at. */
export interface RuledDocument {
  id: string;
  resourceType: string;
  code?: unknown;
  resource?: FhirResource;
  _deleted?: boolean;
}

/**
 * Returns the rule for a document, or undefined when no role may push it (an Observation of
 * another code and no laboratory category). The code rules come first, so a vital signs panel
 * stays a nurse's whatever its category is.
 */
export function writeRuleFor(document: RuledDocument): WriteRule | undefined {
  const code = typeof document.code === 'string' ? document.code : undefined;
  return WRITE_RULES.find((rule) => {
    if (rule.resourceType !== document.resourceType) return false;
    if (rule.code !== undefined) return rule.code === code;
    if (rule.laboratory) return document.resource !== undefined && isLaboratoryObservation(document.resource);
    return true;
  });
}

function hasAnyRole(session: Session, roles: readonly Role[]): boolean {
  return session.roles.some((role) => roles.includes(role));
}

function requireRule(document: RuledDocument): WriteRule {
  const rule = writeRuleFor(document);
  if (rule) return rule;
  const serverOwned = SERVER_OWNED_TYPES[document.resourceType];
  if (serverOwned) throw forbidden(`Document ${document.id}: no role may push ${document.resourceType}: ${serverOwned}`);
  const code = typeof document.code === 'string' ? document.code : '';
  throw forbidden(
    `Document ${document.id}: no role may push ${document.resourceType} with code ${JSON.stringify(code)}; the server accepts Observations coded ${VITAL_SIGNS_PANEL_KEY} or ${SPO2_SCALE_KEY}, or of category laboratory`,
  );
}

function rejectForRoles(document: RuledDocument, action: string, rule: WriteRule, session: Session): never {
  throw forbidden(`Document ${document.id}: ${action} ${rule.description} needs the role ${describeRoles(rule.roles)}; user ${session.userId} has ${describeRoles(session.roles)}`);
}

/**
 * Throws a 403 HttpError naming the document and the roles needed unless the session may push such
 * a document at all. A role with a partial update passes here; checkCreatePermission and
 * checkUpdatePermission decide once the stored document is known.
 */
export function checkWritePermission(session: Session, document: RuledDocument): void {
  const rule = requireRule(document);
  if (hasAnyRole(session, rule.roles) || (rule.partialUpdate && hasAnyRole(session, rule.partialUpdate.roles))) return;
  rejectForRoles(document, 'pushing', rule, session);
}

/** Throws a 403 HttpError unless the session may create this document, which nothing stored has the id of. */
export function checkCreatePermission(session: Session, document: RuledDocument): void {
  const rule = requireRule(document);
  if (!hasAnyRole(session, rule.roles)) rejectForRoles(document, 'creating', rule, session);
}

/** Top-level elements whose values differ between two versions of a resource. */
function changedElements(before: FhirResource | undefined, after: FhirResource | undefined): string[] {
  const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})]);
  return [...keys].filter((key) => !sameJson(before?.[key], after?.[key])).sort();
}

/**
 * Throws a 403 HttpError unless the session may turn the stored document into the pushed one. The
 * stored document's rule applies as well as the pushed one's, so a nurse may not turn a doctor's
 * SpO2 scale decision into a vitals panel. A role with a partial update may change only that
 * rule's elements, and may not delete.
 */
export function checkUpdatePermission(session: Session, stored: RuledDocument, next: RuledDocument): void {
  const storedRule = requireRule(stored);
  const nextRule = requireRule(next);
  if (hasAnyRole(session, storedRule.roles) && hasAnyRole(session, nextRule.roles)) return;

  const partial = storedRule === nextRule ? storedRule.partialUpdate : undefined;
  if (!partial || !hasAnyRole(session, partial.roles)) {
    rejectForRoles(stored, 'changing', hasAnyRole(session, storedRule.roles) ? nextRule : storedRule, session);
  }
  if (next._deleted) {
    throw forbidden(`Document ${next.id}: deleting ${storedRule.description} needs the role ${describeRoles(storedRule.roles)}; user ${session.userId} has ${describeRoles(session.roles)}`);
  }
  const outside = changedElements(stored.resource, next.resource).filter((element) => !partial.elements.includes(element));
  if (outside.length > 0) {
    throw forbidden(
      `Document ${next.id}: the role ${describeRoles(partial.roles)} may change only ${partial.elements.join(' and ')} of ${storedRule.description}, ` +
        `but this push also changes ${outside.join(', ')}; changing those needs the role ${describeRoles(storedRule.roles)}`,
    );
  }
}
