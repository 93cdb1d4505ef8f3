import type { PatientContact, UpdateContactInput } from '../../../preload/api/index.js';
import { updateContactInput } from '../../../preload/api/index.js';
import { t } from '../i18n/index.js';

/** The contact form's fields as typed. */
export interface ContactDraft {
  phone: string;
  kinName: string;
  kinRelationship: string;
  kinPhone: string;
}

export type ContactField = keyof ContactDraft;

export type ContactProblems = Partial<Record<ContactField, string>>;

/** Returns the form's starting values: the details as stored. */
export function draftOf(contact: PatientContact): ContactDraft {
  return {
    phone: contact.phone ?? '',
    kinName: contact.nextOfKin?.name ?? '',
    kinRelationship: contact.nextOfKin?.relationship ?? '',
    kinPhone: contact.nextOfKin?.phone ?? '',
  };
}

/** Maps a path of the call's input to the form field that contains it. */
const FIELD_OF_PATH: Record<string, ContactField> = {
  phone: 'phone',
  'nextOfKin.name': 'kinName',
  'nextOfKin.relationship': 'kinRelationship',
  'nextOfKin.phone': 'kinPhone',
};

export function fieldOfIssuePath(path: string): ContactField | null {
  return FIELD_OF_PATH[path] ?? null;
}

/**
 * Turns the typed fields into the call's input, checked by the contract's own schema, so that the
 * form shows the same messages as the core. An empty phone field removes the number; an empty name
 * removes the next of kin, which needs the other next-of-kin fields empty too.
 */
export function parseContactDraft(patientId: string, draft: ContactDraft): { input: UpdateContactInput | null; problems: ContactProblems } {
  const blank = (value: string) => value.trim() === '';
  if (blank(draft.kinName) && (!blank(draft.kinRelationship) || !blank(draft.kinPhone))) {
    return { input: null, problems: { kinName: t('contact.error.kinWithoutName') } };
  }

  const parsed = updateContactInput.safeParse({
    patientId,
    phone: blank(draft.phone) ? null : draft.phone,
    nextOfKin: blank(draft.kinName) ? null : { name: draft.kinName, relationship: draft.kinRelationship, phone: blank(draft.kinPhone) ? null : draft.kinPhone },
  });
  if (parsed.success) return { input: parsed.data, problems: {} };

  const problems: ContactProblems = {};
  for (const issue of parsed.error.issues) {
    const field = fieldOfIssuePath(issue.path.join('.'));
    if (field !== null) problems[field] ??= describeFieldProblem(field);
  }
  return { input: null, problems };
}

/** Returns the form's own words for a field the schema rejected; the schema's messages are for the log. */
export function describeFieldProblem(field: ContactField): string {
  switch (field) {
    case 'phone':
    case 'kinPhone':
      return t('contact.error.phone');
    case 'kinName':
      return t('contact.error.kinName');
    case 'kinRelationship':
      return t('contact.error.kinRelationship');
  }
}
