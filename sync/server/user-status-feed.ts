import type { Database, Unsubscribe } from './database/index.js';

/**
 * Notifications of disabled and deleted users. The trigger `users_notify_status` (schema.ts) sends
 * NOTIFY on this channel with the user id, and every instance LISTENs, so a user disabled through
 * any instance, or by SQL, loses their event streams on all of them.
 */
export const USER_STATUS_CHANNEL = 'hms_user_status';

/**
 * Called with the id of a user whose account status may have changed. `undefined` means any user
 * may have changed, because notifications were lost while the LISTEN connection was down.
 */
export type UserStatusListener = (userId: string | undefined) => void;

export class UserStatusFeed {
  readonly #listeners = new Set<UserStatusListener>();
  #unsubscribe: Unsubscribe | undefined;

  static async start(database: Database): Promise<UserStatusFeed> {
    const feed = new UserStatusFeed();
    feed.#unsubscribe = await database.listen(USER_STATUS_CHANNEL, {
      onNotification: (userId) => feed.#emit(userId),
      onReconnect: () => feed.#emit(undefined),
    });
    return feed;
  }

  subscribe(listener: UserStatusListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.#listeners.clear();
    await this.#unsubscribe?.();
  }

  #emit(userId: string | undefined): void {
    for (const listener of this.#listeners) listener(userId);
  }
}
