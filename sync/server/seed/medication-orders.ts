import { createHash } from 'node:crypto';

import { scheduledDoseTimes } from '../../../preload/api/clinical/dose-schedule.js';
import type { FhirResource } from '../../protocol/documents.js';
import { GENERATED_TAG, SNOMED, UCUM } from '../../protocol/fhir/identifiers.js';
import type { HoldReason, RouteName } from '../../protocol/fhir/medication.js';
import { buildMedicationAdministration, FORM_ROUTES_EXTENSION, GTIN_SYSTEM, readMedicationOrder, ROUTES } from '../../protocol/fhir/medication.js';
import { admissionEncounterId } from './patients.js';
import type { Random } from './random.js';
import type { Performer } from './vitals.js';

/**
 * The demo formulary and medication orders. Every product carries a GTIN of the GS1 prefix 952,
 * which GS1 keeps for demonstrations and examples, so no demo number belongs to a real product;
 * 09520123456788 is GS1's own example GTIN. The check digits are computed by the GS1 mod-10 rule
 * and test/unit/sync/medication-seed.test.ts verifies them.
 *
 * Each admitted patient gets two or three scheduled orders, and every eighth patient also an "as
 * needed" order. The doses scheduled in the 12 hours before the seed's clock are recorded as given,
 * a few as held. Those of the last 90 minutes stay open, so that the MAR shows due and overdue
 * doses. An as-needed order has two doses given, the last one far enough back for the next.
 */

export interface FormularyEntry {
  id: string;
  gtin: string;
  name: string;
  ingredient: { code: string; display: string };
  strength: { value: number; unit: string };
  /** Unit of one item of the package, the strength's denominator. */
  unitName: string;
  form: { code: string; display: string };
  routes: readonly RouteName[];
}

const TABLET = { code: '385055001', display: 'Tablet' } as const;
const CAPSULE = { code: '385049006', display: 'Capsule' } as const;
const INJECTION = { code: '385219001', display: 'Solution for injection' } as const;

export const FORMULARY = {
  paracetamol500: {
    id: 'paracetamol-500mg-tablet',
    gtin: '09520123456788',
    name: 'Paracetamol 500 mg tablets',
    ingredient: { code: '387517004', display: 'Paracetamol' },
    strength: { value: 500, unit: 'mg' },
    unitName: 'tablet',
    form: TABLET,
    routes: ['oral'],
  },
  metoprolol25: {
    id: 'metoprolol-25mg-tablet',
    gtin: '09520123450014',
    name: 'Metoprolol tartrate 25 mg tablets',
    ingredient: { code: '372826007', display: 'Metoprolol' },
    strength: { value: 25, unit: 'mg' },
    unitName: 'tablet',
    form: TABLET,
    routes: ['oral'],
  },
  metoprolol50: {
    id: 'metoprolol-50mg-tablet',
    gtin: '09520123450021',
    name: 'Metoprolol tartrate 50 mg tablets',
    ingredient: { code: '372826007', display: 'Metoprolol' },
    strength: { value: 50, unit: 'mg' },
    unitName: 'tablet',
    form: TABLET,
    routes: ['oral'],
  },
  amoxicillin500: {
    id: 'amoxicillin-500mg-capsule',
    gtin: '09520123450038',
    name: 'Amoxicillin 500 mg capsules',
    ingredient: { code: '372687004', display: 'Amoxicillin' },
    strength: { value: 500, unit: 'mg' },
    unitName: 'capsule',
    form: CAPSULE,
    routes: ['oral'],
  },
  enoxaparin40: {
    id: 'enoxaparin-40mg-syringe',
    gtin: '09520123450045',
    name: 'Enoxaparin 40 mg/0.4 mL pre-filled syringes',
    ingredient: { code: '372562003', display: 'Enoxaparin' },
    strength: { value: 40, unit: 'mg' },
    unitName: 'syringe',
    form: INJECTION,
    routes: ['subcutaneous', 'intravenous'],
  },
  omeprazole20: {
    id: 'omeprazole-20mg-capsule',
    gtin: '09520123450052',
    name: 'Omeprazole 20 mg capsules',
    ingredient: { code: '387137007', display: 'Omeprazole' },
    strength: { value: 20, unit: 'mg' },
    unitName: 'capsule',
    form: CAPSULE,
    routes: ['oral'],
  },
  furosemide40: {
    id: 'furosemide-40mg-tablet',
    gtin: '09520123450069',
    name: 'Furosemide 40 mg tablets',
    ingredient: { code: '387475002', display: 'Furosemide' },
    strength: { value: 40, unit: 'mg' },
    unitName: 'tablet',
    form: TABLET,
    routes: ['oral'],
  },
} as const satisfies Record<string, FormularyEntry>;

/** Builds a formulary product as a Medication of the `reference` collection. */
export function formularyMedication(entry: FormularyEntry): FhirResource {
  return {
    resourceType: 'Medication',
    id: entry.id,
    meta: { tag: [{ ...GENERATED_TAG }] },
    extension: entry.routes.map((route) => ({ url: FORM_ROUTES_EXTENSION, valueCodeableConcept: { coding: [{ ...ROUTES[route] }] } })),
    code: { coding: [{ system: GTIN_SYSTEM, code: entry.gtin, display: entry.name }], text: entry.name },
    status: 'active',
    form: { coding: [{ system: SNOMED, ...entry.form }] },
    ingredient: [
      {
        itemCodeableConcept: { coding: [{ system: SNOMED, ...entry.ingredient }] },
        isActive: true,
        strength: {
          numerator: { value: entry.strength.value, unit: entry.strength.unit, system: UCUM, code: entry.strength.unit },
          denominator: { value: 1, unit: entry.unitName },
        },
      },
    ],
  };
}

/** One regimen: the product, the dose and how often, as the central HMS would send it. */
export interface Regimen {
  key: string;
  product: FormularyEntry;
  dose: { value: number; unit: string };
  route: RouteName;
  /** HL7 GTSAbbreviation code of the schedule. */
  timingCode: string;
  text: string;
  /** Clock times of a fixed drug round, or an interval counted from the order's start. */
  timeOfDay?: readonly string[];
  everyHours?: number;
  /** Terms that make the order "as needed": its indication, the interval in hours and the maximum in 24 hours. */
  asNeeded?: AsNeededTerms;
}

export interface AsNeededTerms {
  indication: { code: string; display: string; text: string };
  /** Minimum hours between doses. */
  minHours: number;
  /** Maximum interval in hours, the 6 of "every 4 to 6 hours" (Timing.repeat.periodMax). */
  maxHours?: number;
  maxPer24Hours: { value: number; unit: string };
}

export const REGIMENS = {
  paracetamol: {
    key: 'paracetamol',
    product: FORMULARY.paracetamol500,
    dose: { value: 1, unit: 'g' },
    route: 'oral',
    timingCode: 'QID',
    text: 'Four times a day at 06:00, 12:00, 18:00 and 22:00',
    timeOfDay: ['06:00:00', '12:00:00', '18:00:00', '22:00:00'],
  },
  metoprolol: {
    key: 'metoprolol',
    product: FORMULARY.metoprolol25,
    dose: { value: 25, unit: 'mg' },
    route: 'oral',
    timingCode: 'BID',
    text: 'Twice a day at 08:00 and 20:00',
    timeOfDay: ['08:00:00', '20:00:00'],
  },
  amoxicillin: {
    key: 'amoxicillin',
    product: FORMULARY.amoxicillin500,
    dose: { value: 500, unit: 'mg' },
    route: 'oral',
    timingCode: 'Q8H',
    text: 'Every 8 hours',
    everyHours: 8,
  },
  enoxaparin: {
    key: 'enoxaparin',
    product: FORMULARY.enoxaparin40,
    dose: { value: 40, unit: 'mg' },
    route: 'subcutaneous',
    timingCode: 'QD',
    text: 'Once a day at 18:00',
    timeOfDay: ['18:00:00'],
  },
  omeprazole: {
    key: 'omeprazole',
    product: FORMULARY.omeprazole20,
    dose: { value: 20, unit: 'mg' },
    route: 'oral',
    timingCode: 'AM',
    text: 'Once a day at 08:00',
    timeOfDay: ['08:00:00'],
  },
  furosemide: {
    key: 'furosemide',
    product: FORMULARY.furosemide40,
    dose: { value: 40, unit: 'mg' },
    route: 'oral',
    timingCode: 'AM',
    text: 'Once a day at 08:00',
    timeOfDay: ['08:00:00'],
  },
  paracetamolAsNeeded: {
    key: 'paracetamol-prn',
    product: FORMULARY.paracetamol500,
    dose: { value: 1, unit: 'g' },
    route: 'oral',
    timingCode: 'Q4H',
    text: 'Every 4 to 6 hours as needed for pain or fever, at most 4 g in 24 hours',
    asNeeded: {
      indication: { code: '22253000', display: 'Pain', text: 'Pain or fever' },
      minHours: 4,
      maxHours: 6,
      maxPer24Hours: { value: 4, unit: 'g' },
    },
  },
} as const satisfies Record<string, Regimen>;

/**
 * The regimens of the patient at each position (in Patient.id order), repeating every eight
 * patients. The wards alternate by position, so each ward keeps patients with furosemide and
 * enoxaparin but no paracetamol at all, for checks of a scan of another patient's paracetamol.
 */
const REGIMENS_BY_POSITION: readonly (readonly Regimen[])[] = [
  [REGIMENS.paracetamol, REGIMENS.metoprolol],
  [REGIMENS.amoxicillin, REGIMENS.enoxaparin, REGIMENS.omeprazole],
  [REGIMENS.furosemide, REGIMENS.enoxaparin, REGIMENS.paracetamolAsNeeded],
  [REGIMENS.paracetamol, REGIMENS.omeprazole, REGIMENS.amoxicillin],
  [REGIMENS.paracetamol, REGIMENS.metoprolol],
  [REGIMENS.amoxicillin, REGIMENS.enoxaparin, REGIMENS.omeprazole],
  [REGIMENS.furosemide, REGIMENS.enoxaparin],
  [REGIMENS.paracetamol, REGIMENS.omeprazole, REGIMENS.amoxicillin],
];

export function regimensAt(position: number): readonly Regimen[] {
  return REGIMENS_BY_POSITION[position % REGIMENS_BY_POSITION.length] ?? [];
}

export function medicationOrderId(patientId: string, regimen: Regimen): string {
  return `med-${regimen.key}-${patientId}`.slice(0, 64);
}

export interface MedicationOrderParties {
  prescriber: Performer;
}

/** Returns the Timing.repeat of a regimen: clock times, an interval, or the minimum interval of an as-needed order. */
function repeatOf(regimen: Regimen, startedAt: Date): Record<string, unknown> {
  const boundsPeriod = { start: startedAt.toISOString() };
  if (regimen.asNeeded) {
    const { minHours, maxHours } = regimen.asNeeded;
    return { boundsPeriod, frequency: 1, period: minHours, ...(maxHours ? { periodMax: maxHours } : {}), periodUnit: 'h' };
  }
  if (regimen.timeOfDay) return { boundsPeriod, timeOfDay: [...regimen.timeOfDay] };
  return { boundsPeriod, frequency: 24 / (regimen.everyHours ?? 24), period: 1, periodUnit: 'd' };
}

/** Returns the as-needed elements of a dosageInstruction: the indication and maxDosePerPeriod. */
function asNeededElements(terms: AsNeededTerms): Record<string, unknown> {
  return {
    asNeededCodeableConcept: { coding: [{ system: SNOMED, code: terms.indication.code, display: terms.indication.display }], text: terms.indication.text },
    maxDosePerPeriod: {
      numerator: { value: terms.maxPer24Hours.value, unit: terms.maxPer24Hours.unit, system: UCUM, code: terms.maxPer24Hours.unit },
      denominator: { value: 24, unit: 'h', system: UCUM, code: 'h' },
    },
  };
}

/** Builds an active MedicationRequest for a regimen, authored at `startedAt`. */
export function medicationOrder(patientId: string, regimen: Regimen, startedAt: Date, parties: MedicationOrderParties): FhirResource {
  const route = ROUTES[regimen.route];
  const repeat = repeatOf(regimen, startedAt);
  return {
    resourceType: 'MedicationRequest',
    id: medicationOrderId(patientId, regimen),
    meta: { tag: [{ ...GENERATED_TAG }] },
    status: 'active',
    intent: 'order',
    medicationCodeableConcept: {
      coding: [{ system: GTIN_SYSTEM, code: regimen.product.gtin, display: regimen.product.name }],
      text: regimen.product.name,
    },
    subject: { reference: `Patient/${patientId}` },
    encounter: { reference: `Encounter/${admissionEncounterId(patientId)}` },
    authoredOn: startedAt.toISOString(),
    requester: parties.prescriber,
    dosageInstruction: [
      {
        text: regimen.text,
        timing: {
          code: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-GTSAbbreviation', code: regimen.timingCode }], text: regimen.text },
          repeat,
        },
        ...(regimen.asNeeded ? asNeededElements(regimen.asNeeded) : {}),
        route: { coding: [{ ...route }] },
        doseAndRate: [{ doseQuantity: { value: regimen.dose.value, unit: regimen.dose.unit, system: UCUM, code: regimen.dose.unit } }],
      },
    ],
  };
}

const HOUR_MS = 60 * 60 * 1000;
/** Doses this close before the seed's clock stay open, so the MAR shows due and overdue doses. */
const OPEN_DOSES_HOURS = 1.5;
const RECORDED_HOURS = 12;
const HOLD_SHARE = 0.12;
const HOLD_REASON_CHOICES: readonly HoldReason[] = ['patient-refused', 'nil-by-mouth', 'patient-away'];

export interface AdministrationHistoryInput {
  patientId: string;
  order: FhirResource;
  regimen: Regimen;
  now: Date;
  random: Random;
  nurse: Performer;
}

/** Hours before the seed's clock at which an as-needed order's doses were given: the last one more than its interval back. */
const AS_NEEDED_DOSE_HOURS = [13, 7.5] as const;

/** Builds the two doses of an as-needed order given before the seed's clock, for its indication. */
function asNeededHistory(input: AdministrationHistoryInput, terms: AsNeededTerms): FhirResource[] {
  const order = readMedicationOrder(input.order);
  const product = input.regimen.product;
  return AS_NEEDED_DOSE_HOURS.map((hoursBefore) => {
    const givenAt = new Date(input.now.getTime() - hoursBefore * HOUR_MS + input.random.integer(-15, 15) * 60_000);
    const administration = buildMedicationAdministration({
      id: `adm-${createHash('sha256').update(`${order.id}@as-needed-${hoursBefore}`).digest('hex').slice(0, 32)}`,
      patientId: input.patientId,
      encounterId: admissionEncounterId(input.patientId),
      orderId: order.id,
      status: 'completed',
      effectiveDateTime: givenAt.toISOString(),
      performer: input.nurse,
      product: { gtin: product.gtin, name: product.name, lot: `L${input.random.integer(10000, 99999)}`, expirationDate: '2028-06-30' },
      reason: { text: terms.indication.text, coding: { system: SNOMED, code: terms.indication.code, display: terms.indication.display } },
      ...(order.dose ? { dose: order.dose } : {}),
      ...(order.route ? { route: order.route } : {}),
    });
    administration.meta = { tag: [{ ...GENERATED_TAG }] };
    return administration;
  });
}

/**
 * Builds the administrations of an order's doses scheduled 12 to 1.5 hours before the seed's
 * clock, or the doses given of an as-needed order.
 */
export function administrationHistory(input: AdministrationHistoryInput): FhirResource[] {
  if (input.regimen.asNeeded) return asNeededHistory(input, input.regimen.asNeeded);
  const order = readMedicationOrder(input.order);
  const from = new Date(input.now.getTime() - RECORDED_HOURS * HOUR_MS);
  const to = new Date(input.now.getTime() - OPEN_DOSES_HOURS * HOUR_MS);
  return scheduledDoseTimes(order.timing, from, to).map((scheduled) => {
    const held = input.random.next() < HOLD_SHARE;
    const givenAt = new Date(scheduled.getTime() + input.random.integer(-10, 20) * 60_000);
    const product = input.regimen.product;
    const administration = buildMedicationAdministration({
      id: `adm-${createHash('sha256').update(`${order.id}@${scheduled.toISOString()}`).digest('hex').slice(0, 32)}`,
      patientId: input.patientId,
      encounterId: admissionEncounterId(input.patientId),
      orderId: order.id,
      status: held ? 'not-done' : 'completed',
      effectiveDateTime: givenAt.toISOString(),
      scheduledAt: scheduled.toISOString(),
      performer: input.nurse,
      ...(held
        ? { holdReason: HOLD_REASON_CHOICES[input.random.integer(0, HOLD_REASON_CHOICES.length - 1)] as HoldReason, orderedProduct: { gtin: product.gtin, name: product.name } }
        : { product: { gtin: product.gtin, name: product.name, lot: `L${input.random.integer(10000, 99999)}`, expirationDate: '2028-06-30' } }),
      ...(order.dose ? { dose: order.dose } : {}),
      ...(order.route ? { route: order.route } : {}),
    });
    administration.meta = { tag: [{ ...GENERATED_TAG }] };
    return administration;
  });
}
