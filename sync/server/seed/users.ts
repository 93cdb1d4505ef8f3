import type { Role } from '../../../preload/api/roles.js';
import { hashPassword } from '../passwords.js';
import type { UserRecord } from '../users.js';

export interface DemoUser {
  id: string;
  username: string;
  /** Demo password, printed by the demo command; never use these accounts with real data. */
  password: string;
  displayName: string;
  roles: Role[];
}

/** One demo account per workstation role: username `<role>`, password `<role>-demo`. */
export const DEMO_USERS: readonly DemoUser[] = [
  { id: 'user-nurse', username: 'nurse', password: 'nurse-demo', displayName: 'Demo Nurse', roles: ['nurse'] },
  { id: 'user-doctor', username: 'doctor', password: 'doctor-demo', displayName: 'Demo Doctor', roles: ['doctor'] },
  { id: 'user-pharmacist', username: 'pharmacist', password: 'pharmacist-demo', displayName: 'Demo Pharmacist', roles: ['pharmacist'] },
  { id: 'user-lab-technician', username: 'lab-technician', password: 'lab-technician-demo', displayName: 'Demo Lab Technician', roles: ['lab-technician'] },
  { id: 'user-radiologist', username: 'radiologist', password: 'radiologist-demo', displayName: 'Demo Radiologist', roles: ['radiologist'] },
  { id: 'user-it-administrator', username: 'it-administrator', password: 'it-administrator-demo', displayName: 'Demo IT Administrator', roles: ['it-administrator'] },
];

/** Returns the FHIR performer reference for a demo user's charting. */
export function performerOf(user: DemoUser): { reference: string; display: string } {
  return { reference: `Practitioner/${user.id}`, display: user.displayName };
}

export function demoUser(role: Role): DemoUser {
  const user = DEMO_USERS.find((candidate) => candidate.roles.includes(role));
  if (!user) throw new Error(`No demo user has the role ${role}`);
  return user;
}

/** Builds the demo users' records with scrypt-hashed passwords, ready to insert. */
export function hashDemoUsers(): Promise<UserRecord[]> {
  return Promise.all(
    DEMO_USERS.map(async (user) => ({
      id: user.id,
      username: user.username,
      displayName: user.displayName,
      roles: user.roles,
      password: await hashPassword(user.password),
      disabled: false,
    })),
  );
}
