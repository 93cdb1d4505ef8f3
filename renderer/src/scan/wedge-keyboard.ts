import type { WedgeTimings } from '../../../preload/api/scan-schemas.js';
import type { WedgeKey, WedgeScan, WedgeStep } from './wedge-detector.js';
import { WedgeDetector } from './wedge-detector.js';

/** GS (0x1D), which wedge scanners type as Ctrl+] for the FNC1 of a GS1 barcode. */
const GROUP_SEPARATOR = '\u001d';

/** Input types whose text a keystroke changes; other inputs (checkbox, date, range) are not held. */
const TEXT_INPUT_TYPES = new Set(['text', 'search', 'email', 'tel', 'url', 'password', 'number']);

const MODIFIER_KEYS = new Set(['Shift', 'Control', 'Alt', 'AltGraph', 'Meta', 'CapsLock', 'NumLock', 'Fn']);

/** Extra wait after a burst's deadline, so that keystrokes already queued are seen before the timer ends the burst. */
const TIMER_MARGIN_MS = 4;

interface HeldKeystroke {
  readonly event: KeyboardEvent;
  /** False when the key went through to the page, which happens for targets that take no text. */
  readonly prevented: boolean;
}

export interface WedgeKeyboardOptions {
  timings: WedgeTimings;
  onScan(scan: WedgeScan): void;
  /** The clock of event timestamps (`performance.now` in a page). */
  now(): number;
}

export interface WedgeKeyboard {
  setTimings(timings: WedgeTimings): void;
  detach(): void;
}

/**
 * Feeds every keystroke of `document` to a wedge detector from a capture listener, so that it
 * gets them before any field or React handler does, and carries out its decisions:
 *
 * - a held key is stopped (default and propagation). When its burst turns out to be typing, the
 *   key is replayed. A synthetic keydown goes to the original target for the page's handlers.
 *   Unless one of them cancels it, `insertText` then puts the character into the field, which
 *   fires the input events React listens to;
 * - keys are held only where they would become text (text inputs, text areas, editable
 *   elements). Elsewhere a key goes through at once and only its timing is watched, because a
 *   replay could not reproduce native actions such as Space on a button or type-ahead in a
 *   select. NOTE: so the first characters of a scan, before it passes for one, still reach such an
 *   element: they can move a focused select's type-ahead or press a focused button with a space;
 * - a pointer press releases held keys at once, before the focus moves away from their field.
 *   Tab, Enter and other keys do the same through the detector.
 *
 * Keystroke times are the events' own timestamps, taken when the input arrived, not when the
 * handler ran. A page busy rendering runs queued handlers back to back, and their run times
 * would make a typist look as fast as a scanner. Browsers dispatch queued input before timers,
 * so the deadline timer does not end a burst whose next key is already waiting.
 */
export function attachWedgeKeyboard(document: Document, options: WedgeKeyboardOptions): WedgeKeyboard {
  const detector = new WedgeDetector(options.timings);
  const synthetic = new WeakSet<Event>();
  let held: HeldKeystroke[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;

  function apply(step: WedgeStep): void {
    const keystrokes = held;
    held = [];
    if (step.release) {
      for (const keystroke of keystrokes) if (keystroke.prevented) replay(keystroke.event);
    }
    if (step.scan !== null) options.onScan(step.scan);
    // Without release or scan, the burst continues and keeps what it holds.
    if (!step.release && step.scan === null) held = keystrokes;
  }

  function replay(original: KeyboardEvent): void {
    const target = original.target;
    if (!(target instanceof Element)) return;
    const copy = new KeyboardEvent('keydown', {
      key: original.key,
      code: original.code,
      location: original.location,
      shiftKey: original.shiftKey,
      ctrlKey: original.ctrlKey,
      bubbles: true,
      cancelable: true,
      composed: true,
    });
    synthetic.add(copy);
    const proceed = target.dispatchEvent(copy);
    // NOTE: a character whose field lost focus in the meantime (the page moved focus from a
    // timer) is dropped rather than typed into whatever has focus now.
    if (!proceed || document.activeElement !== target) return;
    // Ctrl+] is held as a possible GS of a scan, but typed by a person it is a shortcut, not text.
    if (original.ctrlKey) return;
    // insertText is deprecated but has no replacement that keeps the field's undo history and
    // fires beforeinput and input as typing does; Chromium supports it in inputs, text areas and
    // editable elements.
    document.execCommand('insertText', false, original.key);
  }

  function schedule(): void {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    const deadline = detector.deadline();
    if (deadline === null) return;
    timer = setTimeout(
      () => {
        timer = undefined;
        apply(detector.tick(options.now()));
        schedule();
      },
      Math.max(0, deadline - options.now()) + TIMER_MARGIN_MS,
    );
  }

  function onKeyDown(event: KeyboardEvent): void {
    if (synthetic.has(event)) return;
    const key = toWedgeKey(event);
    if (key === null) return;

    const step = detector.key(key);
    apply(step);
    if (step.action === 'swallow') {
      stop(event);
    } else if (step.action === 'hold') {
      const prevented = acceptsText(event.target);
      if (prevented) stop(event);
      held.push({ event, prevented });
    }
    schedule();
  }

  function onPointerDown(): void {
    if (!detector.busy) return;
    apply(detector.interrupt());
    schedule();
  }

  document.addEventListener('keydown', onKeyDown, { capture: true });
  document.addEventListener('pointerdown', onPointerDown, { capture: true });

  return {
    setTimings: (timings) => detector.setTimings(timings),
    detach() {
      document.removeEventListener('keydown', onKeyDown, { capture: true });
      document.removeEventListener('pointerdown', onPointerDown, { capture: true });
      // Characters still held are typing that has not been decided yet: give them back.
      apply(detector.interrupt());
      if (timer !== undefined) clearTimeout(timer);
    },
  };
}

/** Maps a keydown to what the detector reads, or null for a modifier alone, which it ignores. */
export function toWedgeKey(event: Pick<KeyboardEvent, 'key' | 'code' | 'ctrlKey' | 'altKey' | 'metaKey' | 'repeat' | 'isComposing' | 'timeStamp'>): WedgeKey | null {
  const time = event.timeStamp;
  if (MODIFIER_KEYS.has(event.key)) return null;
  if (event.isComposing || event.key === 'Process') return { kind: 'other', time };
  if (event.ctrlKey && !event.altKey && !event.metaKey && (event.key === ']' || event.code === 'BracketRight')) {
    return { kind: 'character', text: GROUP_SEPARATOR, time, repeat: event.repeat };
  }
  if (event.ctrlKey || event.altKey || event.metaKey) return { kind: 'other', time };
  if (event.key === 'Enter' || event.key === 'Tab') return { kind: 'terminator', key: event.key, time };
  if ([...event.key].length === 1) return { kind: 'character', text: event.key, time, repeat: event.repeat };
  return { kind: 'other', time };
}

function acceptsText(target: EventTarget | null): boolean {
  if (target instanceof HTMLTextAreaElement) return !target.readOnly && !target.disabled;
  if (target instanceof HTMLInputElement) return TEXT_INPUT_TYPES.has(target.type) && !target.readOnly && !target.disabled;
  return target instanceof HTMLElement && target.isContentEditable;
}

function stop(event: KeyboardEvent): void {
  event.preventDefault();
  event.stopImmediatePropagation();
}
