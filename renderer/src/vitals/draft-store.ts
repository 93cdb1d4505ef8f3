import type { VitalsDraft } from './vitals-draft.js';

/**
 * Unsaved observations, kept in memory per user and per patient. A user's drafts survive their
 * session expiring, the workstation locking and another user signing in at this workstation,
 * and come back when the same user signs in again. Every read and write names the user, so no
 * user ever sees or saves another person's entries under their own name. Only `discardUser`,
 * called when that user signs out, removes a user's drafts. Nothing is written to disk or to
 * browser storage.
 */
export class VitalsDraftStore {
  readonly #draftsByUser = new Map<string, Map<string, VitalsDraft>>();

  get(userId: string, patientId: string): VitalsDraft | undefined {
    return this.#draftsByUser.get(userId)?.get(patientId);
  }

  set(userId: string, patientId: string, draft: VitalsDraft): void {
    let drafts = this.#draftsByUser.get(userId);
    if (drafts === undefined) {
      drafts = new Map();
      this.#draftsByUser.set(userId, drafts);
    }
    drafts.set(patientId, draft);
  }

  delete(userId: string, patientId: string): void {
    const drafts = this.#draftsByUser.get(userId);
    if (drafts === undefined) return;
    drafts.delete(patientId);
    if (drafts.size === 0) this.#draftsByUser.delete(userId);
  }

  /** Counts the patients with unsaved observations of `userId`. */
  countPatients(userId: string): number {
    return this.#draftsByUser.get(userId)?.size ?? 0;
  }

  /** Removes every draft of `userId`; other users' drafts stay. */
  discardUser(userId: string): void {
    this.#draftsByUser.delete(userId);
  }
}

/** One user's drafts, as the vitals form reads and writes them. */
export interface UserDrafts {
  get(patientId: string): VitalsDraft | undefined;
  set(patientId: string, draft: VitalsDraft): void;
  delete(patientId: string): void;
  /** Counts the patients with unsaved observations. */
  countPatients(): number;
}

/** Returns a view of `store` limited to the drafts of `userId`. */
export function draftsOfUser(store: VitalsDraftStore, userId: string): UserDrafts {
  return {
    get: (patientId) => store.get(userId, patientId),
    set: (patientId, draft) => store.set(userId, patientId, draft),
    delete: (patientId) => store.delete(userId, patientId),
    countPatients: () => store.countPatients(userId),
  };
}
