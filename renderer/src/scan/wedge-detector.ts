import type { WedgeTimings } from '../../../preload/api/scan-schemas.js';

/**
 * Tells keyboard-wedge scans from typing by keystroke timing. A wedge scanner types a whole barcode
 * in a burst, a character every few milliseconds, and usually ends it with Enter or Tab. People
 * leave tens to hundreds of milliseconds between keys. A burst becomes a scan when it has at least
 * `minLength` characters, each within `maxInterKeyMs` of the one before. A burst whose mean gap is
 * over half that limit needs two characters more, because a fast typist's rollover can give a few
 * gaps that short in a row but hardly a burst that long. A burst ends at Enter or Tab
 * (swallowed as the scan's suffix) or when no key follows in time: within `maxInterKeyMs` while
 * the burst is undecided, and within three times that once it is a scan. The longer gap comes
 * into play only after the burst has passed for a scan. It keeps one scan whole
 * when the scanner, USB or a busy computer pauses in the middle.
 *
 * The first characters of a burst cannot be distinguished from typing until enough of them have come,
 * so the detector holds every character back until its burst is decided. Held characters are
 * either released, in order, when the burst ends too short or too slow, or become the scan. The
 * caller keeps the held keystrokes and replays the released ones into the page. A typist's key is
 * therefore held for at most `maxInterKeyMs` after the last key of its burst. That is the cost of
 * never letting the first characters of a scan land in the focused field, where they could
 * trigger a search or change a clinical value before anything could remove them again.
 *
 * The detector has no clock and no timers: every key carries its time (the event's timestamp), and
 * the caller calls `tick` at `deadline()`. It never sees the DOM, so it is tested with recorded and
 * published timing traces.
 */

export type WedgeKey =
  /** A printable character; `repeat` is set for the auto-repeat of a held-down key. */
  | { readonly kind: 'character'; readonly text: string; readonly time: number; readonly repeat?: boolean }
  /** Enter or Tab, the suffixes scanners send. */
  | { readonly kind: 'terminator'; readonly key: 'Enter' | 'Tab'; readonly time: number }
  /** Any other key, such as an arrow, Backspace or a shortcut: it ends a burst. */
  | { readonly kind: 'other'; readonly time: number };

export interface WedgeScan {
  readonly raw: string;
  readonly startedAt: number;
  readonly endedAt: number;
  /** The suffix that ended the scan, or null when it ended after a pause. */
  readonly terminator: 'Enter' | 'Tab' | null;
}

/**
 * The decision on a keystroke: `hold` keeps it back while its burst is undecided, `swallow` drops
 * it as part of a scan, and `pass` lets it through to the page.
 */
export type WedgeAction = 'hold' | 'swallow' | 'pass';

export interface WedgeStep {
  /** True when the held characters are typing: replay them, in order, before acting on this key. */
  readonly release: boolean;
  /** A scan that ended here; the held characters belong to it and are dropped. */
  readonly scan: WedgeScan | null;
}

export interface WedgeKeyStep extends WedgeStep {
  readonly action: WedgeAction;
}

interface Burst {
  text: string;
  /** Number of characters, counted apart from `text` because GS and other characters are one code unit each but emoji are not. */
  length: number;
  startedAt: number;
  lastAt: number;
  /** Every character of the burst so far is the same one, as when a key is held down. */
  singleCharacter: boolean;
  /** Set once the burst passed for a scan. It stays a scan, because its later keys were swallowed, not held. */
  scan: boolean;
}

const NOTHING: WedgeStep = { release: false, scan: null };

/** Characters beyond `minLength` that a burst needs when its mean gap is over half the gap limit. */
const SLOW_BURST_EXTRA = 2;

/** How much longer than `maxInterKeyMs` a gap inside a burst may be once the burst is a scan. */
const SCAN_GAP_FACTOR = 3;

export class WedgeDetector {
  #timings: WedgeTimings;
  #burst: Burst | null = null;
  /** When the last scan without suffix was ended by its pause; its Enter or Tab may still come. */
  #openSuffixSince: number | null = null;

  constructor(timings: WedgeTimings) {
    this.#timings = timings;
  }

  /** Applies new timing limits from the settings; a burst in progress is judged by the new ones. */
  setTimings(timings: WedgeTimings): void {
    this.#timings = timings;
  }

  /** True while characters are held back or a scan is being read. */
  get busy(): boolean {
    return this.#burst !== null;
  }

  /** The time at which `tick` must be called to end the current burst, or null when there is none. */
  deadline(): number | null {
    return this.#burst === null ? null : this.#burst.lastAt + this.#gapLimit(this.#burst);
  }

  /** Decides one keystroke. */
  key(key: WedgeKey): WedgeKeyStep {
    // A burst whose deadline passed ends first; a caller whose timer ran late still gets it right.
    const expired = this.tick(key.time);
    const step = this.#decide(key);
    return { ...step, release: step.release || expired.release, scan: step.scan ?? expired.scan };
  }

  /** Ends the burst when no key came in time: a scan if it was long enough, typing otherwise. */
  tick(now: number): WedgeStep {
    const burst = this.#burst;
    if (burst === null || now - burst.lastAt <= this.#gapLimit(burst)) return NOTHING;
    return this.#end(null, burst.lastAt, burst.lastAt + this.#gapLimit(burst));
  }

  /**
   * Ends the burst at once because the page is about to move focus (a pointer press): a scan if it
   * is long enough, typing otherwise, so held characters land where they were typed.
   */
  interrupt(): WedgeStep {
    if (this.#burst === null) return NOTHING;
    return this.#end(null, this.#burst.lastAt, this.#burst.lastAt);
  }

  #decide(key: WedgeKey): WedgeKeyStep {
    switch (key.kind) {
      case 'character':
        return this.#character(key.text, key.time, key.repeat === true);
      case 'terminator':
        return this.#terminator(key.key, key.time);
      case 'other':
        return { ...this.interrupt(), action: 'pass' };
    }
  }

  #character(text: string, time: number, repeat: boolean): WedgeKeyStep {
    this.#openSuffixSince = null;
    if (repeat) {
      // Auto-repeat of a held-down key comes as fast as a scanner, but it is a person typing.
      return { ...this.interrupt(), action: 'pass' };
    }
    const burst = this.#burst;
    if (burst === null) {
      this.#burst = { text, length: 1, startedAt: time, lastAt: time, singleCharacter: true, scan: false };
      return { ...NOTHING, action: this.#isScan(this.#burst) ? 'swallow' : 'hold' };
    }
    burst.singleCharacter &&= burst.text.endsWith(text);
    burst.text += text;
    burst.length += 1;
    burst.lastAt = time;
    return { ...NOTHING, action: this.#isScan(burst) ? 'swallow' : 'hold' };
  }

  #terminator(key: 'Enter' | 'Tab', time: number): WedgeKeyStep {
    const burst = this.#burst;
    if (burst !== null) {
      if (this.#isScan(burst)) return { ...this.#end(key, time, time), action: 'swallow' };
      return { ...this.#end(null, time, time), action: 'pass' };
    }
    const openSince = this.#openSuffixSince;
    this.#openSuffixSince = null;
    // The suffix of a scan that already ended after a pause: a scanner set up with a delay
    // before its suffix, or a busy page.
    if (openSince !== null && time - openSince <= this.#timings.suffixGraceMs) return { ...NOTHING, action: 'swallow' };
    return { ...NOTHING, action: 'pass' };
  }

  /** Ends the burst. `decidedAt` is when it ended: a late suffix counts from then. */
  #end(terminator: 'Enter' | 'Tab' | null, endedAt: number, decidedAt: number): WedgeStep {
    const burst = this.#burst;
    this.#burst = null;
    if (burst === null) return NOTHING;
    if (!this.#isScan(burst)) return { release: true, scan: null };

    this.#openSuffixSince = terminator === null ? decidedAt : null;
    return { release: false, scan: { raw: burst.text, startedAt: burst.startedAt, endedAt, terminator } };
  }

  #gapLimit(burst: Burst): number {
    return this.#isScan(burst) ? this.#timings.maxInterKeyMs * SCAN_GAP_FACTOR : this.#timings.maxInterKeyMs;
  }

  /**
   * A burst is a scan once it is long enough. Until then every gap in it is within
   * `maxInterKeyMs`, because a longer gap ends the burst. One character repeated, such as
   * "0000000", is taken as a held-down key even without the repeat flag, because a barcode of one
   * repeated character is too rare to risk swallowing what someone typed.
   */
  #isScan(burst: Burst): boolean {
    if (burst.scan) return true;
    if (burst.length < this.#timings.minLength || burst.singleCharacter) return false;
    const meanGap = (burst.lastAt - burst.startedAt) / (burst.length - 1);
    burst.scan = meanGap <= this.#timings.maxInterKeyMs / 2 || burst.length >= this.#timings.minLength + SLOW_BURST_EXTRA;
    return burst.scan;
  }
}
