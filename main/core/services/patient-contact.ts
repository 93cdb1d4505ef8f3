import type { NextOfKin, NextOfKinInput } from '../../../preload/api/patient-contact-schemas.js';
import type { FhirResource } from '../../../sync/protocol/documents.js';

/**
 * Reads and writes the phone number (Patient.telecom) and the next of kin (Patient.contact) of a
 * FHIR R4 Patient. Items written here carry fixed element ids, so that the conflict rules merge
 * Patient.telecom and Patient.contact item by item. Two workstations that set the phone number
 * then both write the item `phone`, and they meet in a conflict instead of leaving two numbers.
 */

export const PHONE_ELEMENT_ID = 'phone';
export const NEXT_OF_KIN_ELEMENT_ID = 'next-of-kin';

/** HL7 v2 table 0131 (contact role), code N: next of kin. */
const CONTACT_ROLE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v2-0131';
const NEXT_OF_KIN_CODE = 'N';

interface ContactPoint {
  id?: string;
  system?: string;
  value?: string;
  use?: string;
  [element: string]: unknown;
}

interface CodeableConcept {
  coding?: { system?: string; code?: string; display?: string }[];
  text?: string;
}

interface PatientContactItem {
  id?: string;
  relationship?: CodeableConcept[];
  name?: { text?: string; family?: string; given?: string[] };
  telecom?: ContactPoint[];
  [element: string]: unknown;
}

export interface ContactDetails {
  phone: string | null;
  nextOfKin: NextOfKin | null;
}

function telecomOf(resource: FhirResource): ContactPoint[] {
  return Array.isArray(resource.telecom) ? (resource.telecom as ContactPoint[]) : [];
}

function contactsOf(resource: FhirResource): PatientContactItem[] {
  return Array.isArray(resource.contact) ? (resource.contact as PatientContactItem[]) : [];
}

/** Returns the index of the item written here, or else of the first phone number in the list. */
function phoneIndex(telecom: ContactPoint[]): number {
  const written = telecom.findIndex((point) => point.id === PHONE_ELEMENT_ID);
  return written >= 0 ? written : telecom.findIndex((point) => point.system === 'phone' && typeof point.value === 'string');
}

function isNextOfKinRole(concept: CodeableConcept): boolean {
  return (concept.coding ?? []).some((coding) => coding.system === CONTACT_ROLE_SYSTEM && coding.code === NEXT_OF_KIN_CODE);
}

function nextOfKinIndex(contacts: PatientContactItem[]): number {
  const written = contacts.findIndex((contact) => contact.id === NEXT_OF_KIN_ELEMENT_ID);
  return written >= 0 ? written : contacts.findIndex((contact) => (contact.relationship ?? []).some(isNextOfKinRole));
}

/** Returns the name of a contact as one line: its text, or given names then family name. */
export function contactName(contact: Pick<PatientContactItem, 'name'>): string {
  const name = contact.name;
  if (typeof name?.text === 'string' && name.text.trim() !== '') return name.text;
  return [...(name?.given ?? []), name?.family ?? ''].filter(Boolean).join(' ');
}

function nextOfKinOf(contact: PatientContactItem): NextOfKin {
  const relation = (contact.relationship ?? []).find((concept) => !isNextOfKinRole(concept) && typeof concept.text === 'string');
  const phone = (contact.telecom ?? []).find((point) => point.system === 'phone' && typeof point.value === 'string');
  return { name: contactName(contact), relationship: relation?.text ?? null, phone: phone?.value ?? null };
}

export function contactDetailsOf(resource: FhirResource): ContactDetails {
  const telecom = telecomOf(resource);
  const contacts = contactsOf(resource);
  const phone = telecom[phoneIndex(telecom)];
  const kin = contacts[nextOfKinIndex(contacts)];
  return { phone: phone?.value ?? null, nextOfKin: kin ? nextOfKinOf(kin) : null };
}

/** Returns whether the stored next of kin already reads as `input`, so that saving it again changes nothing. */
export function sameNextOfKin(stored: NextOfKin | null, input: NextOfKinInput | null): boolean {
  if (stored === null || input === null) return stored === input;
  return stored.name === input.name && (stored.relationship ?? '') === input.relationship && stored.phone === input.phone;
}

/** Copies `resource` with `element` set to `items`, or without the element when the list is empty. */
function withList(resource: FhirResource, element: string, items: unknown[]): FhirResource {
  if (items.length > 0) return { ...resource, [element]: items };
  return Object.fromEntries(Object.entries(resource).filter(([key]) => key !== element)) as FhirResource;
}

/** Sets the phone number, keeping the other elements of the item it replaces; null removes it. */
export function withPhone(resource: FhirResource, phone: string | null): FhirResource {
  const telecom = [...telecomOf(resource)];
  const index = phoneIndex(telecom);
  if (phone === null) {
    if (index >= 0) telecom.splice(index, 1);
  } else if (index >= 0) {
    const current = telecom[index] as ContactPoint;
    telecom[index] = { ...current, id: PHONE_ELEMENT_ID, system: 'phone', value: phone };
  } else {
    telecom.push({ id: PHONE_ELEMENT_ID, system: 'phone', value: phone });
  }
  return withList(resource, 'telecom', telecom);
}

/** Sets the next of kin, keeping elements of the item it replaces that the form does not show; null removes it. */
export function withNextOfKin(resource: FhirResource, kin: NextOfKinInput | null): FhirResource {
  const contacts = [...contactsOf(resource)];
  const index = nextOfKinIndex(contacts);
  if (kin === null) {
    if (index >= 0) contacts.splice(index, 1);
    return withList(resource, 'contact', contacts);
  }

  const { telecom: _telecom, ...kept } = index >= 0 ? (contacts[index] as PatientContactItem) : {};
  const item: PatientContactItem = {
    ...kept,
    id: NEXT_OF_KIN_ELEMENT_ID,
    relationship: [
      { coding: [{ system: CONTACT_ROLE_SYSTEM, code: NEXT_OF_KIN_CODE, display: 'Next-of-Kin' }] },
      ...(kin.relationship === '' ? [] : [{ text: kin.relationship }]),
    ],
    name: { text: kin.name },
    ...(kin.phone === null ? {} : { telecom: [{ system: 'phone', value: kin.phone }] }),
  };
  if (index >= 0) contacts[index] = item;
  else contacts.push(item);
  return withList(resource, 'contact', contacts);
}
