import type { LinkTimer } from '../../astm/index.js';

/**
 * A link timer for replaying a capture file. No time passes while the capture is fed, because a
 * file has no timing. `expireAll` then runs what is still pending in due order, as if the line had
 * gone silent after the capture's last byte.
 */
export class CaptureTimer implements LinkTimer {
  #nextId = 1;
  #scheduled: { id: number; due: number; callback: () => void }[] = [];

  setTimeout(callback: () => void, milliseconds: number): unknown {
    const id = this.#nextId++;
    this.#scheduled.push({ id, due: milliseconds, callback });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.#scheduled = this.#scheduled.filter((entry) => entry.id !== handle);
  }

  /** Runs pending timeouts, earliest first, until none is left or `limit` have run. */
  expireAll(limit = 100): void {
    for (let run = 0; run < limit && this.#scheduled.length > 0; run += 1) {
      const next = this.#scheduled.reduce((earliest, entry) => (entry.due < earliest.due || (entry.due === earliest.due && entry.id < earliest.id) ? entry : earliest));
      this.#scheduled = this.#scheduled.filter((entry) => entry !== next);
      next.callback();
    }
  }
}
