import type { FhirResource } from '../documents.js';
import { SNOMED, UCUM } from './identifiers.js';

/**
 * FHIR R4 medication resources as this product exchanges them:
 *
 * - A Medication in the `reference` collection is one product of the hospital formulary. It is one
 *   package type with its GTIN (`code.coding`, system GTIN_SYSTEM) and its dose form. It gives the
 *   strength of its one active ingredient per unit (a tablet, a capsule, a syringe).
 * - A MedicationRequest is one medication order from the central HMS (prescribing and pharmacy
 *   verification happen there). `medicationCodeableConcept` names the dispensed product by its
 *   GTIN first, and its first `dosageInstruction` gives the dose, the route and the timing. An
 *   "as needed" (PRN) order has `asNeededBoolean` true or an `asNeededCodeableConcept` with the
 *   indication, its timing gives the minimum interval between doses, and `maxDosePerPeriod` the
 *   maximum in a rolling period.
 * - A MedicationAdministration records one dose given (status `completed`) or held (`not-done`,
 *   with `statusReason`). It names the scanned package in a contained Medication with the GTIN,
 *   lot and expiry date, the order in `request`, and the scheduled time it answers in the
 *   SCHEDULED_DOSE_EXTENSION. An as-needed dose has no scheduled time and gives the reason it was
 *   given in `reasonCode`. A dose given over a failed bedside check carries the
 *   BCMA_OVERRIDE_EXTENSION and a note with the nurse's reason.
 */

/** GS1 Global Trade Item Numbers, as FHIR code system URI. */
export const GTIN_SYSTEM = 'https://www.gs1.org/gtin';

/** Local extension: the scheduled time (FHIR dateTime) of the order's dose that an administration is for. */
export const SCHEDULED_DOSE_EXTENSION = 'urn:hms:extension:scheduled-dose-time';
/**
 * Local extension: the bedside check failed and the nurse gave the dose anyway. Sub-extensions
 * `problem` (valueCode, one per failed check) and `reason` (valueString, the nurse's reason).
 */
export const BCMA_OVERRIDE_EXTENSION = 'urn:hms:extension:bcma-override';

/** SNOMED CT routes of administration the demo formulary uses. */
export const ROUTES = {
  oral: { system: SNOMED, code: '26643006', display: 'Oral route' },
  intravenous: { system: SNOMED, code: '47625008', display: 'Intravenous route' },
  subcutaneous: { system: SNOMED, code: '34206005', display: 'Subcutaneous route' },
  intramuscular: { system: SNOMED, code: '78421000', display: 'Intramuscular route' },
} as const;
export type RouteName = keyof typeof ROUTES;

/** Local code system of the reasons a dose is held, for MedicationAdministration.statusReason. */
export const HOLD_REASON_SYSTEM = 'urn:hms:medication-hold-reason';
export const HOLD_REASONS = {
  'patient-refused': { system: HOLD_REASON_SYSTEM, code: 'patient-refused', display: 'Patient refused' },
  'nil-by-mouth': { system: HOLD_REASON_SYSTEM, code: 'nil-by-mouth', display: 'Nil by mouth' },
  'patient-away': { system: HOLD_REASON_SYSTEM, code: 'patient-away', display: 'Patient away from the ward' },
  'clinical-decision': { system: HOLD_REASON_SYSTEM, code: 'clinical-decision', display: 'Held on clinical assessment' },
} as const;
export type HoldReason = keyof typeof HOLD_REASONS;

interface Coding {
  system?: string;
  code?: string;
  display?: string;
}

interface CodeableConcept {
  coding?: Coding[];
  text?: string;
}

interface Quantity {
  value?: number;
  unit?: string;
  system?: string;
  code?: string;
}

/** Returns the GTIN coded in a CodeableConcept, or undefined. */
export function gtinIn(concept: unknown): string | undefined {
  const codings = (concept as CodeableConcept | undefined)?.coding;
  if (!Array.isArray(codings)) return undefined;
  return codings.find((coding) => coding?.system === GTIN_SYSTEM && typeof coding.code === 'string')?.code;
}

/**
 * Returns the Medication an order or administration names: its `medicationCodeableConcept`, or the
 * contained Medication its `medicationReference` points to (`#id`).
 */
function medicationConceptOf(resource: FhirResource): CodeableConcept | undefined {
  if (resource.medicationCodeableConcept) return resource.medicationCodeableConcept as CodeableConcept;
  const reference = (resource.medicationReference as { reference?: string } | undefined)?.reference;
  if (!reference?.startsWith('#')) return undefined;
  const contained = (resource.contained as FhirResource[] | undefined) ?? [];
  return contained.find((entry) => entry.resourceType === 'Medication' && entry.id === reference.slice(1))?.code as CodeableConcept | undefined;
}

/** Returns the GTIN of the product an order or administration names, or undefined. */
export function medicationGtinOf(resource: FhirResource): string | undefined {
  return gtinIn(medicationConceptOf(resource));
}

/** Returns the display text of the product an order or administration names. */
export function medicationNameOf(resource: FhirResource): string {
  const concept = medicationConceptOf(resource);
  return concept?.text ?? concept?.coding?.find((coding) => coding.display)?.display ?? '';
}

/** `system|code` of the product: the GTIN coding, which the entries' `code` index stores for administrations. */
export function medicationCodeKey(resource: FhirResource): string {
  const gtin = medicationGtinOf(resource);
  return gtin ? `${GTIN_SYSTEM}|${gtin}` : '';
}

/** The parts of a dosageInstruction's timing that give the scheduled times of its doses. */
export interface DoseTiming {
  /** Clock times (`HH:MM:SS`, local) of the doses on each day. */
  timeOfDay: string[];
  /** Doses per period, when the doses follow an interval instead of clock times. */
  frequency?: number;
  period?: number;
  periodUnit?: 'min' | 'h' | 'd';
  /** The code of the schedule, such as BID or Q8H (HL7 GTSAbbreviation). */
  code?: string;
  /** When the first dose is due and, for an order that ends, the last. */
  boundsStart?: string;
  boundsEnd?: string;
}

/** A medication order reduced to what the MAR and the bedside check read. */
export interface MedicationOrder {
  id: string;
  patientId: string;
  status: string;
  gtin: string | undefined;
  drug: string;
  dose: { value: number; unit: string; code: string } | undefined;
  route: { code: string; display: string } | undefined;
  /** The order's own text of its frequency, such as "Twice a day at 08:00 and 20:00". */
  frequencyText: string;
  timing: DoseTiming;
  /** True for an "as needed" order, which has no scheduled doses. */
  asNeeded: boolean;
  /** The indication of an as-needed order (`asNeededCodeableConcept`), such as "pain or fever". */
  asNeededFor?: Indication;
  /** `dosageInstruction.maxDosePerPeriod`: at most `amount` in any `periodHours` hours. */
  maxDosePerPeriod?: MaxDosePerPeriod;
  authoredOn: string | undefined;
}

/** A reason for a medication as text, with its coding when the source gave one. */
export interface Indication {
  text: string;
  coding?: { system: string; code: string; display?: string };
}

/**
 * The numerator of maxDosePerPeriod with the denominator in hours. A numerator in a unit of the
 * dose (g, mg, mL, or the dose's own code) limits the amount. One without a unit, or with the
 * UCUM count codes `1` or `{dose}`, limits the number of doses.
 */
export interface MaxDosePerPeriod {
  amount: { value: number; unit: string; code: string };
  periodHours: number;
}

interface DosageJson {
  text?: string;
  timing?: {
    code?: CodeableConcept;
    repeat?: { frequency?: number; period?: number; periodUnit?: string; timeOfDay?: string[]; boundsPeriod?: { start?: string; end?: string } };
  };
  asNeededBoolean?: boolean;
  asNeededCodeableConcept?: CodeableConcept;
  route?: CodeableConcept;
  doseAndRate?: { doseQuantity?: Quantity }[];
  maxDosePerPeriod?: { numerator?: Quantity; denominator?: Quantity };
}

const HOURS_PER_UNIT: Record<string, number> = { min: 1 / 60, h: 1, d: 24, wk: 168 };

/** Reads a CodeableConcept as an Indication, or undefined when it has neither text nor a display. */
function indicationOf(concept: CodeableConcept | undefined): Indication | undefined {
  const coding = concept?.coding?.find((entry) => entry.system && entry.code);
  const text = concept?.text ?? coding?.display;
  if (!text) return undefined;
  return { text, ...(coding?.system && coding.code ? { coding: { system: coding.system, code: coding.code, ...(coding.display ? { display: coding.display } : {}) } } : {}) };
}

/** Reads maxDosePerPeriod; undefined unless the numerator has a positive value and the denominator a time unit. */
function maxDosePerPeriodOf(ratio: DosageJson['maxDosePerPeriod']): MaxDosePerPeriod | undefined {
  const numerator = ratio?.numerator;
  const denominator = ratio?.denominator;
  const hoursPerUnit = HOURS_PER_UNIT[denominator?.code ?? denominator?.unit ?? ''];
  if (typeof numerator?.value !== 'number' || numerator.value <= 0 || hoursPerUnit === undefined) return undefined;
  return {
    amount: { value: numerator.value, unit: numerator.unit ?? numerator.code ?? '', code: numerator.code ?? numerator.unit ?? '' },
    periodHours: (denominator?.value ?? 1) * hoursPerUnit,
  };
}

/** Reads a MedicationRequest into the fields the MAR shows and the check compares. */
export function readMedicationOrder(resource: FhirResource): MedicationOrder {
  const dosage = ((resource.dosageInstruction as DosageJson[] | undefined) ?? [])[0] ?? {};
  const repeat = dosage.timing?.repeat ?? {};
  const dose = dosage.doseAndRate?.[0]?.doseQuantity;
  const route = dosage.route?.coding?.[0];
  const subject = (resource.subject as { reference?: string } | undefined)?.reference ?? '';
  const periodUnit = repeat.periodUnit === 'min' || repeat.periodUnit === 'h' || repeat.periodUnit === 'd' ? repeat.periodUnit : undefined;
  const asNeededFor = indicationOf(dosage.asNeededCodeableConcept);
  const maxDosePerPeriod = maxDosePerPeriodOf(dosage.maxDosePerPeriod);
  const timingCode = dosage.timing?.code?.coding?.[0]?.code;

  return {
    id: String(resource.id ?? ''),
    patientId: subject.startsWith('Patient/') ? subject.slice('Patient/'.length) : '',
    status: String(resource.status ?? ''),
    gtin: medicationGtinOf(resource),
    drug: medicationNameOf(resource),
    dose:
      typeof dose?.value === 'number' ? { value: dose.value, unit: dose.unit ?? dose.code ?? '', code: dose.code ?? dose.unit ?? '' } : undefined,
    route: route?.code ? { code: route.code, display: route.display ?? dosage.route?.text ?? route.code } : undefined,
    frequencyText: dosage.text ?? dosage.timing?.code?.text ?? '',
    timing: {
      timeOfDay: repeat.timeOfDay ?? [],
      ...(repeat.frequency !== undefined ? { frequency: repeat.frequency } : {}),
      ...(repeat.period !== undefined ? { period: repeat.period } : {}),
      ...(periodUnit ? { periodUnit } : {}),
      ...(timingCode ? { code: timingCode } : {}),
      ...(repeat.boundsPeriod?.start ? { boundsStart: repeat.boundsPeriod.start } : {}),
      ...(repeat.boundsPeriod?.end ? { boundsEnd: repeat.boundsPeriod.end } : {}),
    },
    // FHIR R4 allows one of asNeededBoolean and asNeededCodeableConcept, and the concept implies true.
    asNeeded: dosage.asNeededBoolean === true || dosage.asNeededCodeableConcept !== undefined,
    ...(asNeededFor ? { asNeededFor } : {}),
    ...(maxDosePerPeriod ? { maxDosePerPeriod } : {}),
    authoredOn: typeof resource.authoredOn === 'string' ? resource.authoredOn : undefined,
  };
}

/** A formulary product reduced to what the bedside check compares. */
export interface FormularyProduct {
  gtin: string;
  name: string;
  /** SNOMED CT code of the active ingredient, which distinguishes two strengths of one drug from two drugs. */
  ingredient: string;
  /** Amount of the ingredient per unit, in a UCUM mass or volume unit. */
  strength: { value: number; code: string } | undefined;
  /** Unit of one package item, such as "tablet". */
  unitName: string;
  /** SNOMED CT codes of the routes this dose form can be given by. */
  routes: string[];
}

/** Local extension on a formulary Medication: the routes its dose form can be given by. */
export const FORM_ROUTES_EXTENSION = 'urn:hms:extension:dose-form-routes';

/** Reads a formulary Medication; undefined when it carries no GTIN. */
export function readFormularyProduct(resource: FhirResource): FormularyProduct | undefined {
  const gtin = gtinIn(resource.code);
  if (!gtin) return undefined;
  const ingredient = ((resource.ingredient as { itemCodeableConcept?: CodeableConcept; strength?: { numerator?: Quantity; denominator?: Quantity } }[] | undefined) ?? [])[0];
  const numerator = ingredient?.strength?.numerator;
  const extensions = (resource.extension as { url?: string; valueCodeableConcept?: CodeableConcept }[] | undefined) ?? [];
  return {
    gtin,
    name: (resource.code as CodeableConcept).text ?? '',
    ingredient: ingredient?.itemCodeableConcept?.coding?.[0]?.code ?? '',
    strength: typeof numerator?.value === 'number' && numerator.code ? { value: numerator.value, code: numerator.code } : undefined,
    unitName: ingredient?.strength?.denominator?.unit ?? '',
    routes: extensions.filter((extension) => extension.url === FORM_ROUTES_EXTENSION).flatMap((extension) => extension.valueCodeableConcept?.coding?.map((coding) => coding.code ?? '') ?? []),
  };
}

export interface MedicationAdministrationInput {
  id: string;
  patientId: string;
  encounterId?: string;
  orderId: string;
  status: 'completed' | 'not-done';
  effectiveDateTime: string;
  /** The order's scheduled time this dose is for; absent for an as-needed dose. */
  scheduledAt?: string;
  performer: { reference: string; display: string };
  /** The scanned package; absent for a held dose, which scans none. */
  product?: { gtin: string; name: string; lot?: string; expirationDate?: string; serial?: string };
  /** The ordered product when no package was scanned (a held dose). */
  orderedProduct?: { gtin?: string; name: string };
  dose?: { value: number; unit: string; code: string };
  route?: { code: string; display: string };
  holdReason?: HoldReason;
  /** The reason an as-needed dose was given: the order's indication or the nurse's own words. */
  reason?: Indication;
  /** The failed checks and the nurse's reason, for a dose given over a failed check. */
  override?: { problems: readonly string[]; reason: string };
  note?: string;
}

/** Builds a MedicationAdministration for a dose given or held at the bedside. */
export function buildMedicationAdministration(input: MedicationAdministrationInput): FhirResource {
  const resource: FhirResource = {
    resourceType: 'MedicationAdministration',
    id: input.id,
    extension: input.scheduledAt ? [{ url: SCHEDULED_DOSE_EXTENSION, valueDateTime: input.scheduledAt }] : [],
    status: input.status,
    subject: { reference: `Patient/${input.patientId}` },
    effectiveDateTime: input.effectiveDateTime,
    performer: [{ actor: input.performer }],
    request: { reference: `MedicationRequest/${input.orderId}` },
  };

  if (input.product) {
    const batch = {
      ...(input.product.lot ? { lotNumber: input.product.lot } : {}),
      ...(input.product.expirationDate ? { expirationDate: input.product.expirationDate } : {}),
    };
    const contained: FhirResource = {
      resourceType: 'Medication',
      id: 'scanned',
      code: { coding: [{ system: GTIN_SYSTEM, code: input.product.gtin, display: input.product.name }], text: input.product.name },
      ...(Object.keys(batch).length > 0 ? { batch } : {}),
    };
    if (input.product.serial) contained.identifier = [{ system: 'https://www.gs1.org/serial', value: input.product.serial }];
    resource.contained = [contained];
    resource.medicationReference = { reference: '#scanned', display: input.product.name };
  } else {
    const coding = input.orderedProduct?.gtin ? [{ system: GTIN_SYSTEM, code: input.orderedProduct.gtin, display: input.orderedProduct.name }] : [];
    resource.medicationCodeableConcept = { coding, text: input.orderedProduct?.name ?? '' };
  }

  if (input.encounterId) resource.context = { reference: `Encounter/${input.encounterId}` };
  if (input.holdReason) resource.statusReason = [{ coding: [{ ...HOLD_REASONS[input.holdReason] }] }];
  if (input.reason) resource.reasonCode = [{ ...(input.reason.coding ? { coding: [{ ...input.reason.coding }] } : {}), text: input.reason.text }];
  if (input.dose || input.route) {
    resource.dosage = {
      ...(input.route ? { route: { coding: [{ system: SNOMED, code: input.route.code, display: input.route.display }] } } : {}),
      ...(input.dose ? { dose: { value: input.dose.value, unit: input.dose.unit, system: UCUM, code: input.dose.code } } : {}),
    };
  }
  const notes: { text: string }[] = [];
  if (input.override) {
    (resource.extension as unknown[]).push({
      url: BCMA_OVERRIDE_EXTENSION,
      extension: [...input.override.problems.map((problem) => ({ url: 'problem', valueCode: problem })), { url: 'reason', valueString: input.override.reason }],
    });
    notes.push({ text: `Bedside check overridden (${input.override.problems.join(', ')}): ${input.override.reason}` });
  }
  if (input.note) notes.push({ text: input.note });
  if (notes.length > 0) resource.note = notes;
  if ((resource.extension as unknown[]).length === 0) delete resource.extension;
  return resource;
}

/** The facts of a recorded administration that the MAR shows. */
export interface RecordedAdministration {
  id: string;
  orderId: string;
  status: string;
  scheduledAt: string | undefined;
  effectiveDateTime: string;
  performer: string;
  gtin: string | undefined;
  lot: string | undefined;
  expirationDate: string | undefined;
  holdReason: string | undefined;
  /** The reason an as-needed dose was given (`reasonCode`), as text. */
  reason: string | undefined;
  /** The dose recorded in `dosage.dose`, in its UCUM code. */
  dose: { value: number; code: string } | undefined;
  overridden: boolean;
}

/** Reads a MedicationAdministration back for the MAR. */
export function readMedicationAdministration(resource: FhirResource): RecordedAdministration {
  const extensions = (resource.extension as { url?: string; valueDateTime?: string }[] | undefined) ?? [];
  const request = (resource.request as { reference?: string } | undefined)?.reference ?? '';
  const contained = ((resource.contained as FhirResource[] | undefined) ?? []).find((entry) => entry.resourceType === 'Medication');
  const batch = contained?.batch as { lotNumber?: string; expirationDate?: string } | undefined;
  const reason = ((resource.statusReason as CodeableConcept[] | undefined) ?? [])[0];
  const givenFor = indicationOf(((resource.reasonCode as CodeableConcept[] | undefined) ?? [])[0]);
  const dose = (resource.dosage as { dose?: Quantity } | undefined)?.dose;
  return {
    id: String(resource.id ?? ''),
    orderId: request.startsWith('MedicationRequest/') ? request.slice('MedicationRequest/'.length) : '',
    status: String(resource.status ?? ''),
    scheduledAt: extensions.find((extension) => extension.url === SCHEDULED_DOSE_EXTENSION)?.valueDateTime,
    effectiveDateTime: String(resource.effectiveDateTime ?? ''),
    performer: ((resource.performer as { actor?: { display?: string } }[] | undefined) ?? [])[0]?.actor?.display ?? '',
    gtin: medicationGtinOf(resource),
    lot: batch?.lotNumber,
    expirationDate: batch?.expirationDate,
    holdReason: reason?.coding?.[0]?.display ?? reason?.text,
    reason: givenFor?.text,
    dose: typeof dose?.value === 'number' ? { value: dose.value, code: dose.code ?? dose.unit ?? '' } : undefined,
    overridden: extensions.some((extension) => extension.url === BCMA_OVERRIDE_EXTENSION),
  };
}
