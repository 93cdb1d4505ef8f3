import type { SessionInfo } from '../../../preload/api/schemas.js';
import type { ReplicaDatabase } from '../../../sync/replica/replica.js';
import type { AuditTrail } from '../audit/audit-trail.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../logging/logger.js';
import type { LocalWriter } from '../services/local-writer.js';
import type { RecordSyncStates } from '../services/record-sync-state.js';
import type { ReplicaReader } from '../services/replica-reader.js';
import { MedicationReader } from './medication-reader.js';
import { MedicationService } from './medication-service.js';
import type { MedicationSettings } from './medication-settings.js';
import { DEFAULT_CHECK_WINDOW_MINUTES } from './medication-settings.js';

export interface SetupMedicationOptions {
  replica: ReplicaDatabase;
  reader: ReplicaReader;
  writer: LocalWriter;
  audit: AuditTrail;
  states: RecordSyncStates;
  clock: Clock;
  logger: Logger;
  settings: Partial<MedicationSettings> | undefined;
  requireSession: () => SessionInfo;
}

/** Creates the medication service and the gateway handlers of the `medication` area. */
export function setupMedication(options: SetupMedicationOptions) {
  const service = new MedicationService({
    reader: options.reader,
    medications: new MedicationReader(options.replica),
    writer: options.writer,
    audit: options.audit,
    states: options.states,
    clock: options.clock,
    logger: options.logger,
    windowMinutes: options.settings?.checkWindowMinutes ?? DEFAULT_CHECK_WINDOW_MINUTES,
  });
  return {
    service,
    handlers: {
      mar: (input: { patientId: string }) => service.mar(input.patientId),
      check: (input: Parameters<MedicationService['check']>[0]) => service.check(input),
      administer: (input: Parameters<MedicationService['administer']>[0]) => service.administer(input, options.requireSession()),
      hold: (input: Parameters<MedicationService['hold']>[0]) => service.hold(input, options.requireSession()),
    },
  };
}
