import type { CallDefinition, Role } from '../../../preload/api/index.js';

/** Returns the roles the contract lets make a call, or null when any session (or none) may. */
export function rolesAllowed(definition: CallDefinition): readonly Role[] | null {
  return definition.access === 'public' || definition.access === 'signed-in' ? null : definition.access;
}

/** Returns whether a session holding `roles` passes the contract's access rule for a call. */
export function mayCall(definition: CallDefinition, roles: readonly Role[]): boolean {
  const allowed = rolesAllowed(definition);
  return allowed === null || roles.some((role) => allowed.includes(role));
}
