import type { PatientChart, Role, WardPatientRow } from '../../../preload/api/index.js';
import type { PlainMessageKey } from '../i18n/index.js';
import { t } from '../i18n/index.js';
import { formatCalendarDate } from './datetime.js';

type Gender = PatientChart['gender'];

const genderKeys: Record<Gender, PlainMessageKey> = {
  male: 'patient.gender.male',
  female: 'patient.gender.female',
  other: 'patient.gender.other',
  unknown: 'patient.gender.unknown',
};

export function formatGender(gender: Gender): string {
  return t(genderKeys[gender]);
}

/** Formats an age in whole years, short ("76 y") for tables or long ("76 years") for the banner. */
export function formatAge(ageYears: number | null, style: 'short' | 'long' = 'short'): string {
  if (ageYears === null) return t('patient.notKnown');
  return style === 'short' ? t('patient.age', { years: ageYears }) : t('patient.ageLong', { years: ageYears });
}

/** Formats the banner's "Born" value: the date of birth with the age, or "Not known". */
export function formatBorn(patient: Pick<WardPatientRow, 'birthDate' | 'ageYears'>): string {
  if (patient.birthDate === null) return t('patient.notKnown');
  return t('banner.bornValue', { date: formatCalendarDate(patient.birthDate), age: formatAge(patient.ageYears, 'long') });
}

/** Returns the value, or "Not known" when the record has none. */
export function orNotKnown(value: string | null): string {
  return value === null || value.trim() === '' ? t('patient.notKnown') : value;
}

const roleKeys: Record<Role, PlainMessageKey> = {
  nurse: 'role.nurse',
  doctor: 'role.doctor',
  pharmacist: 'role.pharmacist',
  'lab-technician': 'role.lab-technician',
  radiologist: 'role.radiologist',
  'it-administrator': 'role.it-administrator',
};

export function formatRoles(roles: readonly Role[]): string {
  return roles.map((role) => t(roleKeys[role])).join(', ');
}
