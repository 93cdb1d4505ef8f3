import type { ScanEvent, ScanSettings } from '../../../preload/api/scan-schemas.js';
import { DEFAULT_WEDGE_TIMINGS } from '../../../preload/api/scan-schemas.js';
import { readScan } from './read-scan.js';
import type { WedgeScan } from './wedge-detector.js';
import type { WedgeKeyboard, WedgeKeyboardOptions } from './wedge-keyboard.js';

export type ScanListener = (scan: ScanEvent) => void;

export interface ScanSubscription {
  /**
   * True for a listener that takes every scan while it is subscribed, such as a focused field
   * for a label. The last exclusive listener gets the scan and the others get nothing.
   */
  exclusive?: boolean;
}

export interface ScanHubOptions {
  /** Starts watching the keyboard; `attachWedgeKeyboard` on the page's document. */
  attach(options: WedgeKeyboardOptions): WedgeKeyboard;
  /** Subscribes to the core's `scan:received` events of HID scanners. */
  subscribeHid(listener: ScanListener): () => void;
  /** The clock of keystroke timestamps (`performance.now`). */
  now(): number;
  /** The wall clock, for `receivedAt` and the parser's expiry checks. */
  clock(): Date;
  loadSettings(): Promise<ScanSettings>;
  /** Tells the core a wedge scan came, for the scanner list; failures are only logged. */
  reportScan(receivedAt: string): Promise<unknown>;
  newId(): string;
}

interface Subscriber {
  listener: ScanListener;
  exclusive: boolean;
}

/**
 * The page's one stream of scans, shared by every component that uses them: HID scans from the
 * core and keyboard-wedge scans read from the keyboard. The first subscriber starts the keyboard
 * watch and the HID subscription, and the last one stops them, so screens without a scan use see
 * keystrokes exactly as typed. The site's settings are loaded on the first start and again after
 * a failed load. Wedge scans are delivered in the order they were typed, even when the first one
 * waits for the settings.
 */
export class ScanHub {
  readonly #options: ScanHubOptions;
  readonly #subscribers: Subscriber[] = [];
  #keyboard: WedgeKeyboard | null = null;
  #stopHid: (() => void) | null = null;
  #settings: Promise<ScanSettings | null> | null = null;
  #delivery: Promise<void> = Promise.resolve();

  constructor(options: ScanHubOptions) {
    this.#options = options;
  }

  subscribe(listener: ScanListener, subscription: ScanSubscription = {}): () => void {
    const subscriber: Subscriber = { listener, exclusive: subscription.exclusive === true };
    this.#subscribers.push(subscriber);
    if (this.#keyboard === null) this.#start();
    return () => {
      const index = this.#subscribers.indexOf(subscriber);
      if (index >= 0) this.#subscribers.splice(index, 1);
      if (this.#subscribers.length === 0) this.#stop();
    };
  }

  #start(): void {
    this.#keyboard = this.#options.attach({
      timings: DEFAULT_WEDGE_TIMINGS,
      now: this.#options.now,
      onScan: (scan) => this.#wedgeScanned(scan),
    });
    this.#stopHid = this.#options.subscribeHid((scan) => this.#deliver(scan));
    void this.#currentSettings();
  }

  #stop(): void {
    this.#keyboard?.detach();
    this.#keyboard = null;
    this.#stopHid?.();
    this.#stopHid = null;
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

  #wedgeScanned(scan: WedgeScan): void {
    const receivedAt = this.#options.clock();
    const id = this.#options.newId();
    this.#delivery = this.#delivery.then(async () => {
      const settings = await this.#currentSettings();
      this.#deliver({
        id,
        source: 'wedge',
        receivedAt: receivedAt.toISOString(),
        raw: scan.raw,
        result: readScan(scan.raw, settings, receivedAt),
      });
      this.#options.reportScan(receivedAt.toISOString()).catch((error: unknown) => {
        console.warn(`scan: reporting a wedge scan to the scanner list failed (${(error as { code?: string }).code ?? 'error'})`);
      });
    });
  }

  #deliver(event: ScanEvent): void {
    const exclusive = this.#subscribers.filter((subscriber) => subscriber.exclusive).at(-1);
    const targets = exclusive ? [exclusive] : [...this.#subscribers];
    for (const subscriber of targets) {
      try {
        subscriber.listener(event);
      } catch (error) {
        console.error('scan: a scan listener failed', error);
      }
    }
  }
}
