import type { ServerTestHooks } from '../../sync/server/context.js';

/** What the server's beforeCommit hook does to the next push that contains a document id. */
export interface CommitPlan {
  /** Milliseconds the push's transaction stays open after its writes, before COMMIT. */
  holdMs: number;
  /** Roll the push back after the hold instead of committing it; the workstation then retries it. */
  rollback?: boolean;
  /** Called when the push has written its rows and starts to wait. */
  onHold?: () => void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Holds push transactions open before COMMIT, per document id, through the server's test hooks.
 * Each plan applies once: the next push that contains its document id takes it, so a retry of a
 * rolled-back push commits at once.
 */
export class CommitHolds {
  readonly #plans = new Map<string, CommitPlan>();
  /** Document ids whose push this hook rolled back. */
  readonly rolledBack: string[] = [];
  /** Pushes this hook held, with the hold in milliseconds. */
  readonly held: { documentIds: readonly string[]; holdMs: number }[] = [];

  readonly hooks: ServerTestHooks = {
    beforeCommit: async (documentIds) => {
      const id = documentIds.find((candidate) => this.#plans.has(candidate));
      if (id === undefined) return;
      const plan = this.#plans.get(id) as CommitPlan;
      this.#plans.delete(id);
      plan.onHold?.();
      this.held.push({ documentIds, holdMs: plan.holdMs });
      await sleep(plan.holdMs);
      if (plan.rollback) {
        this.rolledBack.push(id);
        throw new Error(`Push of ${id} rolled back by the test hook`);
      }
    },
  };

  set(documentId: string, plan: CommitPlan): void {
    this.#plans.set(documentId, plan);
  }

  /** Sets a plan and returns a promise that resolves once a push of `documentId` waits before COMMIT. */
  hold(documentId: string, plan: Omit<CommitPlan, 'onHold'>): Promise<void> {
    return new Promise((resolve) => this.set(documentId, { ...plan, onHold: resolve }));
  }

  /** Ids whose plan no push has taken yet. */
  pending(): string[] {
    return [...this.#plans.keys()];
  }
}
