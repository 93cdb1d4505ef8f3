import type { EventPayloadOf, Events } from '../../preload/api/contract.js';
import { events } from '../../preload/api/contract.js';

export type EventListener = (channel: string, payload: unknown) => void;

/**
 * Push events from the core to every connected renderer. Only events the contract declares can be
 * emitted, and hosts forward them by channel without looking inside.
 */
export class CoreEvents {
  readonly #listeners = new Set<EventListener>();

  emit<E extends keyof Events>(name: E, payload: EventPayloadOf<E>): void {
    const channel = events[name].channel;
    for (const listener of this.#listeners) listener(channel, payload);
  }

  subscribe(listener: EventListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
