import type { Subscription } from 'rxjs';
import { debounceTime, filter } from 'rxjs/operators';

import type { ReplicaDatabase } from '../../../sync/replica/replica.js';
import type { Logger } from '../logging/logger.js';
import { mrn } from '../services/fhir-views.js';
import type { ReplicaReader } from '../services/replica-reader.js';

/** Waits for a burst of synced admissions and discharges to end before reading the ward again. */
const WARD_CHANGE_DEBOUNCE_MS = 1_000;

/**
 * The DICOM PatientIDs (MRNs) of the patients on the workstation's ward, read from the replica and
 * read again when Patients or Encounters change. The study cache pins their studies and the
 * prefetch downloads them.
 */
export class WardPins {
  readonly #reader: ReplicaReader;
  readonly #wardId: string;
  readonly #log: Logger;
  #patientIds: ReadonlySet<string> = new Set();
  #subscription: Subscription | undefined;

  constructor(reader: ReplicaReader, wardId: string, logger: Logger) {
    this.#reader = reader;
    this.#wardId = wardId;
    this.#log = logger;
  }

  get patientIds(): ReadonlySet<string> {
    return this.#patientIds;
  }

  /** Reads the ward's MRNs again; returns true when the set changed. */
  async refresh(): Promise<boolean> {
    const encounters = await this.#reader.activeEncounters(this.#wardId);
    const patients = await this.#reader.patients([...new Set(encounters.map((encounter) => encounter.patientId))]);
    const next = new Set([...patients.values()].map((patient) => mrn(patient.resource)).filter((value): value is string => value !== null));
    const changed = next.size !== this.#patientIds.size || [...next].some((value) => !this.#patientIds.has(value));
    this.#patientIds = next;
    if (changed) this.#log.info({ patients: next.size, withoutMrn: patients.size - next.size }, 'the ward patients whose studies the study cache pins changed');
    return changed;
  }

  /** Calls `onChange` after the ward's MRNs change in the replica. */
  follow(replica: ReplicaDatabase, onChange: () => void): void {
    this.#subscription = replica.records.$.pipe(
      filter((change) => {
        const type = (change.documentData as { resourceType?: string } | undefined)?.resourceType;
        return type === 'Patient' || type === 'Encounter';
      }),
      debounceTime(WARD_CHANGE_DEBOUNCE_MS),
    ).subscribe(() => {
      this.refresh().then(
        (changed) => {
          if (changed) onChange();
        },
        (error: unknown) => this.#log.error({ error: error instanceof Error ? error.message : String(error) }, 'reading the ward patients for the study cache failed; the pins stay as they were'),
      );
    });
  }

  close(): void {
    this.#subscription?.unsubscribe();
  }
}
