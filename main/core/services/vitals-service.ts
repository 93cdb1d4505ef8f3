import { randomUUID } from 'node:crypto';

import { HmsApiError } from '../../../preload/api/errors.js';
import type { PatientChart, RecordVitalsInput, SessionInfo, VitalSignsSet } from '../../../preload/api/schemas.js';
import type { SpO2Scale } from '../../../preload/api/clinical/news2.js';
import { documentId, toEntryDocument } from '../../../sync/protocol/documents.js';
import { buildSpO2ScaleDecision, buildVitalSignsPanel } from '../../../sync/protocol/fhir/vital-signs.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../logging/logger.js';
import { vitalSignsSetOf } from './fhir-views.js';
import type { ChartReader } from './chart-reader.js';
import type { LocalWriter } from './local-writer.js';
import type { RecordSyncStates } from './record-sync-state.js';
import type { ReplicaReader } from './replica-reader.js';
import type { WardService } from './ward-service.js';

/** Clock drift tolerated between workstations before an observation time counts as future. */
const FUTURE_TOLERANCE_MS = 5 * 60_000;
const DEFAULT_HISTORY_LIMIT = 50;

/**
 * Bedside observations: charting a set of vitals scored with NEWS2 on the patient's SpO2 scale,
 * the history of past sets, and a doctor's choice of SpO2 scale. Writes land in the replica first
 * and sync when the server is reachable.
 */
function notOnWard(patientId: string): HmsApiError {
  return new HmsApiError({ code: 'not-found', message: `Patient ${patientId} is not on this workstation's ward or has not synced yet` });
}

export class VitalsService {
  constructor(
    private readonly reader: ReplicaReader,
    /** The replica for ward patients, or the emergency-access documents of another ward's patient. */
    private readonly readerFor: (patientId: string) => Promise<ChartReader | undefined>,
    private readonly ward: WardService,
    private readonly writer: LocalWriter,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly states: RecordSyncStates,
  ) {}

  async list(patientId: string, limit = DEFAULT_HISTORY_LIMIT): Promise<VitalSignsSet[]> {
    const reader = await this.readerFor(patientId);
    if (!reader) throw notOnWard(patientId);
    const documents = await reader.vitalSigns(patientId, limit);
    // Emergency-access documents came from the server in this session; only the replica's can be unsent.
    const states = reader === this.reader ? this.states.of('entries', documents.map((document) => document.id)) : new Map<string, VitalSignsSet['syncState']>();
    return documents.map((document) => ({ ...vitalSignsSetOf(document), syncState: states.get(document.id) ?? 'synced' }));
  }

  async record(input: RecordVitalsInput, session: SessionInfo): Promise<VitalSignsSet> {
    await this.#requirePatient(input.patientId);
    const id = input.observationId ?? randomUUID();
    const replayed = await this.#alreadyRecorded(id, input.patientId);
    if (replayed) return replayed;

    const effectiveDateTime = this.#effectiveTime(input.effectiveDateTime);
    const [scale, encounter] = await Promise.all([this.ward.spo2Scale(input.patientId), this.reader.activeEncounterOf(input.patientId)]);

    const resource = buildVitalSignsPanel({
      id,
      patientId: input.patientId,
      ...(encounter?.resource.id ? { encounterId: encounter.resource.id } : {}),
      effectiveDateTime,
      performer: { reference: `Practitioner/${session.user.id}`, display: session.user.displayName },
      observations: input.observations,
      scale: scale.scale,
    });
    const document = toEntryDocument(resource);
    await this.writer.insertEntry(document);
    this.logger.info({ observationId: id, parameters: Object.keys(input.observations).length }, 'vital signs recorded');
    return { ...vitalSignsSetOf(document), syncState: this.states.ofOne('entries', document.id) };
  }

  async setSpO2Scale(patientId: string, scale: SpO2Scale, session: SessionInfo): Promise<PatientChart> {
    await this.#requirePatient(patientId);
    const id = randomUUID();
    const resource = buildSpO2ScaleDecision({
      id,
      patientId,
      scale,
      effectiveDateTime: this.clock.now().toISOString(),
      performer: { reference: `Practitioner/${session.user.id}`, display: session.user.displayName },
    });
    await this.writer.insertEntry(toEntryDocument(resource));
    this.logger.info({ observationId: id }, 'SpO2 scale decision recorded');
    return this.ward.chart(patientId);
  }

  /** A retried save of a set already stored returns that set; an id taken by another patient is refused. */
  async #alreadyRecorded(observationId: string, patientId: string): Promise<VitalSignsSet | undefined> {
    const existing = await this.reader.entry(documentId('Observation', observationId));
    if (!existing) return undefined;
    if (existing.patientId !== patientId) {
      throw new HmsApiError({
        code: 'conflict',
        message: `Observation ${observationId} already belongs to another patient; save again to chart with a new id`,
      });
    }
    this.logger.info({ observationId }, 'repeated save of a stored vital signs set; returning it');
    return { ...vitalSignsSetOf(existing), syncState: this.states.ofOne('entries', existing.id) };
  }

  async #requirePatient(patientId: string): Promise<void> {
    if (await this.reader.patient(patientId)) return;
    if (await this.readerFor(patientId)) {
      throw new HmsApiError({ code: 'forbidden', message: "Emergency access is read-only: the patient's own ward charts their observations" });
    }
    throw notOnWard(patientId);
  }

  #effectiveTime(requested: string | undefined): string {
    const now = this.clock.now();
    if (!requested) return now.toISOString();
    const at = new Date(requested);
    if (at.getTime() > now.getTime() + FUTURE_TOLERANCE_MS) {
      throw new HmsApiError({
        code: 'invalid-input',
        message: `Observation time ${requested} is in the future; enter when the observations were taken`,
        issues: [{ path: 'effectiveDateTime', message: 'Must not be in the future' }],
      });
    }
    return at.toISOString();
  }
}
