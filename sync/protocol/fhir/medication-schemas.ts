import { z } from 'zod';

import { BCMA_OVERRIDE_EXTENSION, GTIN_SYSTEM, SCHEDULED_DOSE_EXTENSION } from './medication.js';

/**
 * The elements this product requires of medication resources, beyond what FHIR R4 makes
 * mandatory: a product identified by its GTIN (the bedside scan matches on it), an order's dose,
 * route and timing in its first dosageInstruction, and an administration's order and scheduled
 * time, or for an as-needed dose the reason it was given. The server validates pushed documents with these schemas and the seed's tests validate
 * the demo data with them.
 */

/** FHIR dateTime with a time: what a scheduled dose or an administration time is. */
const dateTime = z.iso.datetime({ offset: true, local: true });

function referenceTo(resourceType: string) {
  return z.object({ reference: z.string().startsWith(`${resourceType}/`, `must reference a ${resourceType}, as "${resourceType}/<id>"`) });
}

const coding = z.object({ system: z.string().min(1), code: z.string().min(1), display: z.string().optional() });

/** A GTIN: 14 digits (shorter GTINs are padded with zeros on the left, as GS1 element strings carry them). */
export const gtin = z.string().regex(/^\d{14}$/, 'must be a 14-digit GTIN');

const gtinCoded = z
  .object({ coding: z.array(coding).min(1), text: z.string().optional() })
  .refine((concept) => concept.coding.some((entry) => entry.system === GTIN_SYSTEM && gtin.safeParse(entry.code).success), {
    message: `must include a coding with system ${GTIN_SYSTEM} and a 14-digit GTIN: the bedside scan matches the package by it`,
    path: ['coding'],
  });

const ucumQuantity = z.object({ value: z.number().positive(), unit: z.string().min(1), system: z.literal('http://unitsofmeasure.org'), code: z.string().min(1) });

const timeOfDay = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d:[0-5]\d$/, 'must be a time as HH:MM:SS');

const timing = z.object({
  code: z.object({ coding: z.array(coding).optional(), text: z.string().optional() }).optional(),
  repeat: z.object({
    boundsPeriod: z.object({ start: dateTime.optional(), end: dateTime.optional() }).optional(),
    frequency: z.number().int().positive().optional(),
    period: z.number().positive().optional(),
    periodMax: z.number().positive().optional(),
    periodUnit: z.enum(['s', 'min', 'h', 'd', 'wk', 'mo', 'a']).optional(),
    timeOfDay: z.array(timeOfDay).optional(),
  }),
});

const dosageInstruction = z
  .object({
    text: z.string().optional(),
    // An as-needed order may have no timing ("as needed, at most 4 g a day"), but a scheduled one needs it.
    timing: timing.optional(),
    asNeededBoolean: z.boolean().optional(),
    asNeededCodeableConcept: z.object({ coding: z.array(coding).optional(), text: z.string().optional() }).optional(),
    route: z.object({ coding: z.array(coding).min(1) }),
    doseAndRate: z.array(z.object({ doseQuantity: ucumQuantity })).min(1, 'must give the dose as doseAndRate[0].doseQuantity'),
    maxDosePerPeriod: z
      .object({
        numerator: z.object({ value: z.number().positive(), unit: z.string().optional(), system: z.string().optional(), code: z.string().optional() }),
        denominator: z.object({ value: z.number().positive(), unit: z.string().optional(), system: z.string().optional(), code: z.enum(['min', 'h', 'd', 'wk']) }),
      })
      .optional(),
  })
  .refine((value) => value.asNeededBoolean === undefined || value.asNeededCodeableConcept === undefined, {
    message: 'give asNeededBoolean or asNeededCodeableConcept, not both: FHIR R4 allows one asNeeded[x]',
    path: ['asNeededCodeableConcept'],
  })
  .refine(
    (value) =>
      value.asNeededBoolean === true ||
      value.asNeededCodeableConcept !== undefined ||
      (value.timing?.repeat.timeOfDay?.length ?? 0) > 0 ||
      (value.timing?.repeat.frequency !== undefined && value.timing.repeat.period !== undefined),
    {
      message: 'timing.repeat needs timeOfDay, or frequency with period and periodUnit, so that the scheduled doses can be derived',
      path: ['timing', 'repeat'],
    },
  );

export const medicationRequestResource = z.object({
  resourceType: z.literal('MedicationRequest'),
  id: z.string().min(1).max(64),
  status: z.enum(['active', 'on-hold', 'cancelled', 'completed', 'entered-in-error', 'stopped', 'draft', 'unknown']),
  intent: z.enum(['proposal', 'plan', 'order', 'original-order', 'reflex-order', 'filler-order', 'instance-order', 'option']),
  medicationCodeableConcept: gtinCoded,
  subject: referenceTo('Patient'),
  encounter: referenceTo('Encounter').optional(),
  authoredOn: dateTime.optional(),
  dosageInstruction: z.array(dosageInstruction).min(1, 'must have a dosageInstruction with the dose, route and timing'),
});

const containedMedication = z.object({
  resourceType: z.literal('Medication'),
  id: z.string().min(1),
  code: gtinCoded,
  batch: z.object({ lotNumber: z.string().min(1).max(20).optional(), expirationDate: z.string().optional() }).optional(),
});

const extension = z.object({ url: z.string().min(1) }).passthrough();

export const medicationAdministrationResource = z
  .object({
    resourceType: z.literal('MedicationAdministration'),
    id: z.string().min(1).max(64),
    extension: z.array(extension).optional(),
    status: z.enum(['in-progress', 'not-done', 'on-hold', 'completed', 'entered-in-error', 'stopped', 'unknown']),
    statusReason: z.array(z.object({ coding: z.array(coding).optional(), text: z.string().optional() })).optional(),
    contained: z.array(containedMedication).optional(),
    medicationReference: z.object({ reference: z.string().startsWith('#', 'must point to the contained Medication, as "#<id>"') }).optional(),
    medicationCodeableConcept: z.object({ coding: z.array(coding), text: z.string().optional() }).optional(),
    subject: referenceTo('Patient'),
    context: referenceTo('Encounter').optional(),
    effectiveDateTime: dateTime,
    performer: z.array(z.object({ actor: z.object({ reference: z.string().optional(), display: z.string().optional() }) })).min(1, 'must name who gave or held the dose'),
    request: referenceTo('MedicationRequest'),
    note: z.array(z.object({ text: z.string().min(1) })).optional(),
    reasonCode: z.array(z.object({ coding: z.array(coding).optional(), text: z.string().min(1) })).optional(),
    dosage: z.object({ route: z.object({ coding: z.array(coding) }).optional(), dose: ucumQuantity.optional() }).optional(),
  })
  .refine((resource) => resource.medicationReference !== undefined || resource.medicationCodeableConcept !== undefined, {
    message: 'must name the medication: medicationReference to the contained scanned package, or medicationCodeableConcept',
    path: ['medicationReference'],
  })
  .refine((resource) => resource.status !== 'completed' || resource.medicationReference !== undefined || gtinCoded.safeParse(resource.medicationCodeableConcept).success, {
    message: `a given dose must name the package by its GTIN (system ${GTIN_SYSTEM})`,
    path: ['medicationReference'],
  })
  .refine(
    (resource) =>
      (resource.extension ?? []).some((entry) => entry.url === SCHEDULED_DOSE_EXTENSION && dateTime.safeParse(entry.valueDateTime).success) ||
      (resource.status === 'completed' && (resource.reasonCode ?? []).length > 0),
    {
      message: `must carry the scheduled dose time in the extension ${SCHEDULED_DOSE_EXTENSION} (valueDateTime), or for a dose of an as-needed order the reason in reasonCode`,
      path: ['extension'],
    },
  )
  .refine((resource) => !(resource.extension ?? []).some((entry) => entry.url === BCMA_OVERRIDE_EXTENSION) || (resource.note ?? []).length > 0, {
    message: 'a dose given over a failed bedside check must carry the reason in note',
    path: ['note'],
  })
  .refine((resource) => resource.status !== 'not-done' || (resource.statusReason ?? []).length > 0, {
    message: 'a held dose (status not-done) must give statusReason',
    path: ['statusReason'],
  });

export const formularyMedicationResource = z.object({
  resourceType: z.literal('Medication'),
  id: z.string().min(1).max(64),
  code: gtinCoded,
  form: z.object({ coding: z.array(coding).min(1) }).optional(),
  ingredient: z
    .array(
      z.object({
        itemCodeableConcept: z.object({ coding: z.array(coding).min(1) }),
        isActive: z.boolean().optional(),
        strength: z.object({ numerator: ucumQuantity, denominator: z.object({ value: z.number().positive(), unit: z.string().min(1) }) }),
      }),
    )
    .min(1, 'must give the active ingredient and its strength per unit'),
});

/** Lists a zod error's issues as `resource.path: message`, for error messages that name the element. */
export function describeResourceIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.reduce<string>((text, key) => (typeof key === 'number' ? `${text}[${key}]` : `${text}.${String(key)}`), 'resource')}: ${issue.message}`)
    .join('; ');
}

/** Returns the schema of a medication resource type, or undefined for other types. */
export function medicationSchemaFor(resourceType: string): z.ZodType | undefined {
  switch (resourceType) {
    case 'MedicationRequest':
      return medicationRequestResource;
    case 'MedicationAdministration':
      return medicationAdministrationResource;
    case 'Medication':
      return formularyMedicationResource;
    default:
      return undefined;
  }
}
