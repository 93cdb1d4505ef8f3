import type { ScannedDataFragment } from './hid-pos-report.js';

/** The maximum time between two reports of one scan before the part received is dropped, in ms. */
export const DEFAULT_FRAGMENT_TIMEOUT_MS = 1000;

export interface AssembledScan {
  /** The scan as the parser reads it: the AIM identifier, when sent, then the data. */
  raw: string;
  /** Number of reports the scan came in. */
  reports: number;
}

export type AssemblyStep =
  | { kind: 'scan'; scan: AssembledScan }
  | { kind: 'partial' }
  /** A part of an earlier scan was dropped because its next report did not come in time. */
  | { kind: 'dropped'; reports: number; bytes: number };

/**
 * Joins the reports of one scan into the whole scan. The data is read as Latin-1, one character
 * per byte, so that GS (0x1D) and every other byte reach the parser unchanged.
 */
export class ScanAssembler {
  readonly #timeoutMs: number;
  #parts: Buffer[] = [];
  #symbologyIdentifier: string | null = null;
  #lastAt = 0;

  constructor(timeoutMs = DEFAULT_FRAGMENT_TIMEOUT_MS) {
    this.#timeoutMs = timeoutMs;
  }

  /** Adds a report received at `now` (ms). A part whose next report came too late is dropped first. */
  add(fragment: ScannedDataFragment, now: number): AssemblyStep[] {
    const steps: AssemblyStep[] = [];
    if (this.#parts.length > 0 && now - this.#lastAt > this.#timeoutMs) steps.push(this.#drop());

    if (this.#parts.length === 0) this.#symbologyIdentifier = fragment.symbologyIdentifier;
    this.#parts.push(fragment.data);
    this.#lastAt = now;
    if (fragment.more) {
      steps.push({ kind: 'partial' });
      return steps;
    }

    const data = Buffer.concat(this.#parts).toString('latin1');
    const scan: AssembledScan = { raw: `${this.#symbologyIdentifier ?? ''}${data}`, reports: this.#parts.length };
    this.#parts = [];
    this.#symbologyIdentifier = null;
    steps.push({ kind: 'scan', scan });
    return steps;
  }

  /** Drops a part whose next report is overdue at `now`; call it from a timer or on close. */
  expire(now: number): AssemblyStep | null {
    if (this.#parts.length === 0 || now - this.#lastAt <= this.#timeoutMs) return null;
    return this.#drop();
  }

  /** Drops whatever part is waiting, as when the scanner is removed. */
  reset(): AssemblyStep | null {
    return this.#parts.length === 0 ? null : this.#drop();
  }

  #drop(): AssemblyStep {
    const step: AssemblyStep = { kind: 'dropped', reports: this.#parts.length, bytes: this.#parts.reduce((sum, part) => sum + part.length, 0) };
    this.#parts = [];
    this.#symbologyIdentifier = null;
    return step;
  }
}
