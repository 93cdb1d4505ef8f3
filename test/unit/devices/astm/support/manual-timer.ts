import type { LinkTimer } from '../../../../../devices/astm/index.js';

interface Scheduled {
  readonly id: number;
  readonly due: number;
  readonly callback: () => void;
}

/** A LinkTimer whose time moves only when a test moves it, so E1381's 30 s waits take no time. */
export class ManualTimer implements LinkTimer {
  #now = 0;
  #nextId = 1;
  #scheduled: Scheduled[] = [];

  get now(): number {
    return this.#now;
  }

  /** Milliseconds until the earliest pending timeout, or undefined when none is pending. */
  get nextDueIn(): number | undefined {
    const next = this.#earliest();
    return next ? next.due - this.#now : undefined;
  }

  get pending(): number {
    return this.#scheduled.length;
  }

  setTimeout(callback: () => void, milliseconds: number): unknown {
    const id = this.#nextId++;
    this.#scheduled.push({ id, due: this.#now + milliseconds, callback });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.#scheduled = this.#scheduled.filter((entry) => entry.id !== handle);
  }

  /** Moves time forward by `milliseconds`, running every timeout that falls due, in order. */
  advance(milliseconds: number): void {
    const target = this.#now + milliseconds;
    for (let next = this.#earliest(); next && next.due <= target; next = this.#earliest()) {
      this.#scheduled = this.#scheduled.filter((entry) => entry !== next);
      this.#now = next.due;
      next.callback();
    }
    this.#now = target;
  }

  #earliest(): Scheduled | undefined {
    let earliest: Scheduled | undefined;
    for (const entry of this.#scheduled) {
      if (!earliest || entry.due < earliest.due || (entry.due === earliest.due && entry.id < earliest.id)) earliest = entry;
    }
    return earliest;
  }
}
