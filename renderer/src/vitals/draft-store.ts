import type { VitalsDraft } from './vitals-draft.js';

/**
 * Unsaved observations per patient, kept in memory while the nurse moves between screens or
 * signs in again after the session expired. Drafts belong to one user. They are dropped when
 * someone else signs in or the user signs out, so that no user saves another person's entries
 * under their own name. Nothing is written to disk or to browser storage.
 */
export class VitalsDraftStore {
  #ownerUserId: string | null = null;
  readonly #drafts = new Map<string, VitalsDraft>();

  /** Hands the store to `userId`, dropping the drafts of any other user. */
  claimFor(userId: string): void {
    if (this.#ownerUserId !== userId) this.#drafts.clear();
    this.#ownerUserId = userId;
  }

  get(patientId: string): VitalsDraft | undefined {
    return this.#drafts.get(patientId);
  }

  set(patientId: string, draft: VitalsDraft): void {
    this.#drafts.set(patientId, draft);
  }

  delete(patientId: string): void {
    this.#drafts.delete(patientId);
  }

  clear(): void {
    this.#drafts.clear();
    this.#ownerUserId = null;
  }
}
