import { randomUUID } from 'node:crypto';

import type { CheckedProduct, MedicationCheckResult } from '../../../preload/api/clinical/medication-check.js';
import { checkMedicationScan } from '../../../preload/api/clinical/medication-check.js';
import { HmsApiError } from '../../../preload/api/errors.js';
import type { AdministerInput, HoldDoseInput, MarView, MedicationCheckInput, MedicationCheckView } from '../../../preload/api/medication-schemas.js';
import type { SessionInfo } from '../../../preload/api/schemas.js';
import { documentId, toEntryDocument } from '../../../sync/protocol/documents.js';
import type { Indication, MedicationOrder } from '../../../sync/protocol/fhir/medication.js';
import { buildMedicationAdministration, readMedicationAdministration } from '../../../sync/protocol/fhir/medication.js';
import type { AuditTrail } from '../audit/audit-trail.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../logging/logger.js';
import type { LocalWriter } from '../services/local-writer.js';
import type { RecordSyncStates } from '../services/record-sync-state.js';
import type { ReplicaReader } from '../services/replica-reader.js';
import type { MarInput } from './mar-view.js';
import { asNeededLimitsOfOrder, buildMarView, checkedOrders, marOrderOf, marRange } from './mar-view.js';
import type { MedicationReader } from './medication-reader.js';
import { readScannedPackage } from './scanned-package.js';

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;

export interface MedicationServiceOptions {
  reader: ReplicaReader;
  medications: MedicationReader;
  writer: LocalWriter;
  audit: AuditTrail;
  states: RecordSyncStates;
  clock: Clock;
  logger: Logger;
  /** Minutes before or after a scheduled time within which a dose is on time. */
  windowMinutes: number;
}

function notOnWard(patientId: string): HmsApiError {
  return new HmsApiError({ code: 'not-found', message: `Patient ${patientId} is not on this workstation's ward or has not synced yet` });
}

/**
 * The MAR and barcode medication administration: the patient's scheduled doses and as-needed
 * orders, the five-rights check of a scanned package, and the recording of a dose given or held. The core parses the scan
 * again and runs the check itself on every save, whatever the screen showed, and a dose is
 * recorded over a failed check only with a reason and only when every failed check may be
 * overridden. Administrations land in the replica and the outbox and sync when the server is
 * reachable.
 */
export class MedicationService {
  constructor(private readonly options: MedicationServiceOptions) {}

  async mar(patientId: string): Promise<MarView> {
    await this.#requireWardPatient(patientId);
    return buildMarView(await this.#marInput(patientId, this.options.clock.now()));
  }

  async check(input: MedicationCheckInput): Promise<MedicationCheckView> {
    const now = this.options.clock.now();
    const { result, orders } = await this.#check(input, now);
    const order = result.match ? orders.find((candidate) => candidate.id === result.match?.orderId) : undefined;
    this.options.logger.info({ outcome: result.outcome, problems: result.problems.map((problem) => problem.code), orderId: result.match?.orderId ?? null }, 'medication scan checked');
    return { ...result, order: order ? marOrderOf(order) : null };
  }

  async administer(input: AdministerInput, session: SessionInfo): Promise<MarView> {
    const now = this.options.clock.now();
    const id = input.administrationId ?? randomUUID();
    if (await this.#alreadyRecorded(id, input.patientId)) return this.mar(input.patientId);

    const { result, orders } = await this.#check(input, now);
    const scheduledAt = input.scheduledAt ? new Date(input.scheduledAt).toISOString() : null;
    if (!result.match || result.match.orderId !== input.orderId || result.match.scheduledAt !== scheduledAt) {
      const dose = input.scheduledAt ? `the dose of order ${input.orderId} at ${input.scheduledAt}` : `an as-needed dose of order ${input.orderId}`;
      throw new HmsApiError({ code: 'conflict', message: `The scan no longer matches ${dose}; scan the package again` });
    }
    const asNeeded = result.match.asNeeded !== null;
    if (asNeeded && !input.asNeededReason) {
      throw new HmsApiError({
        code: 'invalid-input',
        message: `Order ${input.orderId} is as needed; give the reason for this dose`,
        issues: [{ path: 'asNeededReason', message: 'Give the reason for this as-needed dose, such as the indication of the order' }],
      });
    }
    const problems = result.problems.map((problem) => problem.code);
    if (result.outcome === 'blocked' && !result.overridable) {
      throw new HmsApiError({ code: 'forbidden', message: `The bedside check failed (${problems.join(', ')}), and these checks cannot be overridden; do not give this dose` });
    }
    if (result.outcome === 'blocked' && !input.overrideReason) {
      throw new HmsApiError({
        code: 'invalid-input',
        message: `The bedside check failed (${problems.join(', ')}); give a reason to record the dose anyway`,
        issues: [{ path: 'overrideReason', message: 'Give the reason for overriding the check' }],
      });
    }

    const order = orders.find((candidate) => candidate.id === input.orderId) as MedicationOrder;
    const product = result.product;
    const encounter = await this.options.reader.activeEncounterOf(input.patientId);
    const override = result.outcome === 'blocked' && input.overrideReason ? { problems, reason: input.overrideReason } : undefined;
    // The order's indication keeps its coding when the nurse gives the dose for it, and other reasons are text.
    let reason: Indication | undefined;
    if (asNeeded && input.asNeededReason) reason = input.asNeededReason === order.asNeededFor?.text ? order.asNeededFor : { text: input.asNeededReason };
    const resource = buildMedicationAdministration({
      id,
      patientId: input.patientId,
      ...(encounter?.resource.id ? { encounterId: encounter.resource.id } : {}),
      orderId: order.id,
      status: 'completed',
      effectiveDateTime: now.toISOString(),
      ...(scheduledAt ? { scheduledAt } : {}),
      performer: { reference: `Practitioner/${session.user.id}`, display: session.user.displayName },
      product: {
        gtin: product?.gtin ?? '',
        name: product?.name || order.drug,
        ...(product?.lot ? { lot: product.lot } : {}),
        ...(product?.expiry ? { expirationDate: product.expiry } : {}),
        ...(product?.serial ? { serial: product.serial } : {}),
      },
      ...(order.dose ? { dose: order.dose } : {}),
      ...(order.route ? { route: order.route } : {}),
      ...(reason ? { reason } : {}),
      ...(override ? { override } : {}),
    });
    await this.options.writer.insertEntry(toEntryDocument(resource));
    if (override) {
      await this.options.audit.medicationOverride({
        administrationId: id,
        orderId: order.id,
        patientId: input.patientId,
        problems,
        user: { id: session.user.id, name: session.user.displayName },
      });
    }
    this.options.logger.info({ administrationId: id, orderId: order.id, asNeeded, overridden: override !== undefined }, 'medication dose recorded');
    return this.mar(input.patientId);
  }

  async hold(input: HoldDoseInput, session: SessionInfo): Promise<MarView> {
    await this.#requireWardPatient(input.patientId);
    const now = this.options.clock.now();
    const id = input.administrationId ?? randomUUID();
    if (await this.#alreadyRecorded(id, input.patientId)) return this.mar(input.patientId);

    const marInput = await this.#marInput(input.patientId, now);
    const order = marInput.orders.find((candidate) => candidate.id === input.orderId);
    const scheduledAt = new Date(input.scheduledAt).toISOString();
    const dose = order ? checkedOrders({ ...marInput, orders: [order] })[0]?.doses.find((candidate) => candidate.scheduledAt === scheduledAt) : undefined;
    if (!order || !dose) {
      throw new HmsApiError({ code: 'not-found', message: `Order ${input.orderId} of this patient has no dose scheduled at ${input.scheduledAt}; reload the MAR` });
    }
    if (dose.state !== 'open') {
      throw new HmsApiError({ code: 'conflict', message: `The dose of order ${input.orderId} at ${input.scheduledAt} is already recorded as ${dose.state}` });
    }

    const encounter = await this.options.reader.activeEncounterOf(input.patientId);
    const resource = buildMedicationAdministration({
      id,
      patientId: input.patientId,
      ...(encounter?.resource.id ? { encounterId: encounter.resource.id } : {}),
      orderId: order.id,
      status: 'not-done',
      effectiveDateTime: now.toISOString(),
      scheduledAt,
      performer: { reference: `Practitioner/${session.user.id}`, display: session.user.displayName },
      orderedProduct: { ...(order.gtin ? { gtin: order.gtin } : {}), name: order.drug },
      holdReason: input.reason,
    });
    await this.options.writer.insertEntry(toEntryDocument(resource));
    this.options.logger.info({ administrationId: id, orderId: order.id, reason: input.reason }, 'medication dose held');
    return this.mar(input.patientId);
  }

  async #check(input: MedicationCheckInput, now: Date): Promise<{ result: MedicationCheckResult; orders: MedicationOrder[] }> {
    const patient = await this.#requireWardPatient(input.patientId);
    const marInput = await this.#marInput(input.patientId, now);
    const [allOrders, formulary] = await Promise.all([this.options.medications.allOrders(), this.options.medications.formulary()]);

    // GTINs and ingredients ordered for anyone else, so that another patient's package reads as a wrong patient.
    const orderedForOthers = new Set<string>();
    for (const order of allOrders) {
      if (order.patientId === input.patientId || order.status !== 'active' || !order.gtin) continue;
      orderedForOthers.add(order.gtin);
      const ingredient = formulary.get(order.gtin)?.ingredient;
      if (ingredient) orderedForOthers.add(ingredient);
    }

    const result = checkMedicationScan({
      now,
      windowMinutes: this.options.windowMinutes,
      patient: { id: input.patientId, mrn: patient.mrn || null },
      wristbandMrn: input.wristbandMrn,
      scan: readScannedPackage(input.scan, now),
      orders: checkedOrders(marInput),
      orderedForOthers,
      formulary: formulary as ReadonlyMap<string, CheckedProduct>,
    });
    return { result, orders: marInput.orders as MedicationOrder[] };
  }

  async #marInput(patientId: string, now: Date): Promise<MarInput> {
    const { from } = marRange(now);
    const orders = await this.options.medications.orders(patientId);
    // A dose given early or late still belongs to a dose scheduled in the range, so read a day
    // further back, and further still when an as-needed order's maximum spans a longer period.
    let sinceMs = from.getTime() - DAY_MS;
    for (const order of orders.filter((candidate) => candidate.asNeeded)) {
      for (const maximum of asNeededLimitsOfOrder(order).maxima) sinceMs = Math.min(sinceMs, now.getTime() - maximum.periodHours * HOUR_MS);
    }
    const documents = await this.options.medications.administrations(patientId, new Date(sinceMs).toISOString());
    const states = this.options.states.of('entries', documents.map((document) => document.id));
    return {
      patientId,
      now,
      windowMinutes: this.options.windowMinutes,
      orders,
      administrations: documents.map((document) => ({ ...readMedicationAdministration(document.resource), syncState: states.get(document.id) ?? 'synced' })),
    };
  }

  /** A retried save of an administration already stored changes nothing; an id of another patient's is refused. */
  async #alreadyRecorded(administrationId: string, patientId: string): Promise<boolean> {
    const existing = await this.options.medications.entry(documentId('MedicationAdministration', administrationId));
    if (!existing) return false;
    if (existing.patientId !== patientId) {
      throw new HmsApiError({ code: 'conflict', message: `MedicationAdministration ${administrationId} already belongs to another patient; save again with a new id` });
    }
    this.options.logger.info({ administrationId }, 'repeated save of a stored administration; returning the MAR');
    return true;
  }

  async #requireWardPatient(patientId: string): Promise<{ mrn: string }> {
    const patient = await this.options.reader.patient(patientId);
    if (!patient) throw notOnWard(patientId);
    return { mrn: patient.mrn };
  }
}
