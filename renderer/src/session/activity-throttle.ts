/** Minimum time between two `session.activity` calls, in milliseconds. */
export const ACTIVITY_REPORT_INTERVAL_MS = 30_000;

export interface ActivityThrottleOptions {
  /** Sends one activity report to the core. `at` is the local time in epoch milliseconds. */
  report(at: number): void;
  /** When the core's inactivity period last restarted (sign-in, unlock or a report), in epoch milliseconds. */
  startedAt: number;
  intervalMs?: number;
}

/**
 * Turns a stream of keyboard and pointer events into at most one activity report per interval.
 * The first event after a quiet interval is reported at once. Events inside the interval are
 * folded into one report sent when the interval ends, so the core never learns of activity more
 * than one interval late.
 */
export class ActivityThrottle {
  readonly #report: (at: number) => void;
  readonly #intervalMs: number;
  #lastReportedAt: number;
  #trailingTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(options: ActivityThrottleOptions) {
    this.#report = options.report;
    this.#intervalMs = options.intervalMs ?? ACTIVITY_REPORT_INTERVAL_MS;
    this.#lastReportedAt = options.startedAt;
  }

  /** Time of the last report, or of the last restart if that was later, in epoch milliseconds. */
  get lastReportedAt(): number {
    return this.#lastReportedAt;
  }

  /** Records one user event and reports it now or at the end of the current interval. */
  notify(): void {
    const now = Date.now();
    const dueAt = this.#lastReportedAt + this.#intervalMs;
    if (now >= dueAt) {
      this.#cancelTrailing();
      this.#send(now);
      return;
    }
    if (this.#trailingTimer !== null) return;
    this.#trailingTimer = setTimeout(() => {
      this.#trailingTimer = null;
      this.#send(Date.now());
    }, dueAt - now);
  }

  /** Starts a new interval at `at` without reporting, after an unlock or sign-in restarted the core's period. */
  restart(at: number): void {
    this.#cancelTrailing();
    this.#lastReportedAt = at;
  }

  /** Drops a pending report. Call it when the window stops listening (lock, sign-out, unmount). */
  dispose(): void {
    this.#cancelTrailing();
  }

  #send(at: number): void {
    this.#lastReportedAt = at;
    this.#report(at);
  }

  #cancelTrailing(): void {
    if (this.#trailingTimer === null) return;
    clearTimeout(this.#trailingTimer);
    this.#trailingTimer = null;
  }
}
