import type { ScanEvent, ScanSettings } from '../../../preload/api/scan-schemas.js';
import { DEFAULT_WEDGE_TIMINGS } from '../../../preload/api/scan-schemas.js';
import { readScan } from './read-scan.js';
import type { WedgeScan } from './wedge-detector.js';
import type { WedgeKeyboard, WedgeKeyboardOptions } from './wedge-keyboard.js';

export type ScanListener = (scan: ScanEvent) => void;

export interface WedgeScanHubOptions {
  /** Starts watching the keyboard; `attachWedgeKeyboard` on the page's document. */
  attach(options: WedgeKeyboardOptions): WedgeKeyboard;
  /** The clock of keystroke timestamps (`performance.now`). */
  now(): number;
  /** The wall clock, for `receivedAt` and the parser's expiry checks. */
  clock(): Date;
  loadSettings(): Promise<ScanSettings>;
  /** Tells the core a wedge scan came, for the scanner list; failures are only logged. */
  reportScan(receivedAt: string): Promise<unknown>;
  newId(): string;
}

/**
 * One keyboard watch shared by every screen that uses scans. The first listener starts it and the
 * last one stops it, so screens without a scan use see keystrokes exactly as typed. The site's
 * settings are loaded on the first start and again after a failed load. Scans are delivered in
 * the order they were typed, even when the first one waits for the settings.
 */
export class WedgeScanHub {
  readonly #options: WedgeScanHubOptions;
  readonly #listeners = new Set<ScanListener>();
  #keyboard: WedgeKeyboard | null = null;
  #settings: Promise<ScanSettings | null> | null = null;
  #delivery: Promise<void> = Promise.resolve();

  constructor(options: WedgeScanHubOptions) {
    this.#options = options;
  }

  subscribe(listener: ScanListener): () => void {
    this.#listeners.add(listener);
    if (this.#keyboard === null) this.#start();
    return () => {
      this.#listeners.delete(listener);
      if (this.#listeners.size === 0) this.#stop();
    };
  }

  #start(): void {
    this.#keyboard = this.#options.attach({
      timings: DEFAULT_WEDGE_TIMINGS,
      now: this.#options.now,
      onScan: (scan) => this.#received(scan),
    });
    void this.#currentSettings();
  }

  #stop(): void {
    this.#keyboard?.detach();
    this.#keyboard = null;
  }

  #currentSettings(): Promise<ScanSettings | null> {
    if (this.#settings !== null) return this.#settings;
    const loading = this.#options.loadSettings().then(
      (settings) => {
        this.#keyboard?.setTimings(settings.wedge);
        return settings;
      },
      (error: unknown) => {
        // Scans are still read, without the site's patterns, and the next scan tries again.
        console.warn(`scan: loading the scan settings failed (${(error as { code?: string }).code ?? 'error'}); reading scans without site patterns`);
        this.#settings = null;
        return null;
      },
    );
    this.#settings = loading;
    return loading;
  }

  #received(scan: WedgeScan): void {
    const receivedAt = this.#options.clock();
    const id = this.#options.newId();
    this.#delivery = this.#delivery.then(async () => {
      const settings = await this.#currentSettings();
      const event: ScanEvent = {
        id,
        source: 'wedge',
        receivedAt: receivedAt.toISOString(),
        raw: scan.raw,
        result: readScan(scan.raw, settings, receivedAt),
      };
      for (const listener of [...this.#listeners]) {
        try {
          listener(event);
        } catch (error) {
          console.error('scan: a scan listener failed', error);
        }
      }
      this.#options.reportScan(event.receivedAt).catch((error: unknown) => {
        console.warn(`scan: reporting a wedge scan to the scanner list failed (${(error as { code?: string }).code ?? 'error'})`);
      });
    });
  }
}
