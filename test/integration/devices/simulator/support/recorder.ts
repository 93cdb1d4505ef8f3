import { EventEmitter } from 'node:events';

/**
 * A list that test hosts append to, with a wait that resolves once a condition over everything
 * recorded holds. Each append is the named event the wait listens for, so tests never sleep.
 */
export class Recorder<T> {
  readonly items: T[] = [];
  readonly #changed = new EventEmitter();

  push(item: T): void {
    this.items.push(item);
    this.#changed.emit('change');
  }

  /** Resolves with the items once `condition` is true; rejects after `timeoutMs`, naming `description`. */
  waitUntil(condition: (items: readonly T[]) => boolean, description: string, timeoutMs = 10_000): Promise<T[]> {
    if (condition(this.items)) return Promise.resolve(this.items);

    return new Promise<T[]>((resolve, reject) => {
      const onChange = (): void => {
        if (!condition(this.items)) return;
        clearTimeout(timer);
        this.#changed.off('change', onChange);
        resolve(this.items);
      };
      const timer = setTimeout(() => {
        this.#changed.off('change', onChange);
        reject(new Error(`Timed out after ${timeoutMs} ms waiting for ${description}; recorded ${this.items.length}`));
      }, timeoutMs);
      this.#changed.on('change', onChange);
    });
  }

  /** Resolves once at least `count` items are recorded. */
  waitForCount(count: number, description: string, timeoutMs?: number): Promise<T[]> {
    return this.waitUntil((items) => items.length >= count, `${count} ${description}`, timeoutMs);
  }
}
