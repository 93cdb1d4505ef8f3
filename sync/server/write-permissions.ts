import type { Role } from '../../preload/api/roles.js';
import { ROLES, WARD_CLINICIANS } from '../../preload/api/roles.js';
import { SPO2_SCALE_KEY, VITAL_SIGNS_PANEL_KEY } from '../protocol/fhir/vital-signs.js';
import type { Session } from './auth.js';
import { describeRoles } from './auth.js';
import { forbidden } from './errors.js';

/**
 * The roles allowed to push each kind of document. The server checks every pushed row against this
 * table, whatever the workstation checked before sending it. An Observation's rule depends on its
 * code (`system|code`, the entry's `code` field).
 */
export interface WriteRule {
  resourceType: string;
  /** The Observation code this rule covers; unset for other resource types. */
  code?: string;
  /** Description of the covered documents for error messages, such as "a vital signs panel". */
  description: string;
  roles: readonly Role[];
}

export const WRITE_RULES: readonly WriteRule[] = [
  { resourceType: 'Observation', code: VITAL_SIGNS_PANEL_KEY, description: 'a vital signs panel', roles: WARD_CLINICIANS },
  { resourceType: 'Observation', code: SPO2_SCALE_KEY, description: 'an SpO2 scale decision', roles: ['doctor'] },
  { resourceType: 'Patient', description: 'a Patient', roles: WARD_CLINICIANS },
  { resourceType: 'Encounter', description: 'an Encounter', roles: WARD_CLINICIANS },
  { resourceType: 'AllergyIntolerance', description: 'an AllergyIntolerance', roles: WARD_CLINICIANS },
  { resourceType: 'AuditEvent', description: 'an AuditEvent', roles: ROLES },
];

/** Returns the rule for a document, or undefined when no role may push it (an Observation of another code). */
export function writeRuleFor(resourceType: string, code: string | undefined): WriteRule | undefined {
  return WRITE_RULES.find((rule) => rule.resourceType === resourceType && (rule.code === undefined || rule.code === code));
}

/** A pushed or stored document, reduced to the fields the rules look at. */
export interface RuledDocument {
  id: string;
  resourceType: string;
  code?: unknown;
}

/** Throws a 403 HttpError naming the document and the roles needed unless the session may push it. */
export function checkWritePermission(session: Session, document: RuledDocument): void {
  const code = typeof document.code === 'string' ? document.code : undefined;
  const rule = writeRuleFor(document.resourceType, code);
  if (!rule) {
    throw forbidden(
      `Document ${document.id}: no role may push ${document.resourceType} with code ${JSON.stringify(code ?? '')}; the server accepts Observations coded ${VITAL_SIGNS_PANEL_KEY} or ${SPO2_SCALE_KEY}`,
    );
  }
  if (session.roles.some((role) => rule.roles.includes(role))) return;
  throw forbidden(`Document ${document.id}: pushing ${rule.description} needs the role ${describeRoles(rule.roles)}; user ${session.userId} has ${describeRoles(session.roles)}`);
}
