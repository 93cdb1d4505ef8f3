import type { ChangeRow } from './pull.js';

/**
 * The next page of an initial load, read while the workstation stores the last one.
 *
 * The initial load requests each page only once it has the last, since the request names the
 * last page's checkpoint. The workstation then stores a page while the server reads the next, and
 * when storing is quicker than reading, it waits. With only the entries left to load, its core
 * sat idle for about 45 % of the time (docs/benchmarks.md, "Reading ahead"). So after a full page
 * of summary lines, which only the initial load requests, the route starts reading the page after
 * it at once, and the request for that page takes it.
 *
 * A page read ahead is the feed as it stood a moment before the request, as if the request had
 * come sooner. The feed's guarantees hold for it: its rows are below the horizon of the moment it
 * was read, and a document written since comes later in the feed with a higher transaction id.
 * A page is kept for its owner (workstation, user, ward and collection) only, for the request
 * that names its checkpoint and limit, and for at most `ttlMs`.
 */
export class PagePrefetch {
  readonly #ttlMs: number;
  readonly #pages = new Map<string, { request: string; rows: Promise<ChangeRow[]>; timer: NodeJS.Timeout }>();

  constructor(ttlMs = 10_000) {
    this.#ttlMs = ttlMs;
  }

  /** Returns and removes the page read ahead for exactly this request, if there is one. */
  take(owner: string, request: string): Promise<ChangeRow[]> | undefined {
    const page = this.#pages.get(owner);
    if (!page || page.request !== request) return undefined;
    this.#forget(owner);
    return page.rows;
  }

  /** Starts reading the page for `request`; it replaces any page the owner had. A read that fails is dropped. */
  start(owner: string, request: string, read: () => Promise<ChangeRow[]>): void {
    this.#forget(owner);
    const rows = read();
    // The request that takes the page reads again when this one failed.
    rows.catch(() => this.#pages.get(owner)?.rows === rows && this.#forget(owner));
    const timer = setTimeout(() => this.#pages.get(owner)?.rows === rows && this.#forget(owner), this.#ttlMs);
    timer.unref();
    this.#pages.set(owner, { request, rows, timer });
  }

  get size(): number {
    return this.#pages.size;
  }

  #forget(owner: string): void {
    const page = this.#pages.get(owner);
    if (!page) return;
    clearTimeout(page.timer);
    this.#pages.delete(owner);
  }
}
