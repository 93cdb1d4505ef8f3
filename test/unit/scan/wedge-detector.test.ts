import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { DEFAULT_WEDGE_TIMINGS } from '../../../preload/api/scan-schemas.js';
import type { WedgeTimings } from '../../../preload/api/scan-schemas.js';
import type { WedgeKey, WedgeScan, WedgeStep } from '../../../renderer/src/scan/wedge-detector.js';
import { WedgeDetector } from '../../../renderer/src/scan/wedge-detector.js';
import { toWedgeKey } from '../../../renderer/src/scan/wedge-keyboard.js';

interface TraceKey {
  key: string;
  t: number;
  repeat?: boolean;
  ctrl?: boolean;
}

interface Trace {
  name: string;
  device: 'scanner' | 'typist';
  source: string;
  scans?: string[];
  typed?: string;
  keys: TraceKey[];
}

const traces = JSON.parse(readFileSync(join(import.meta.dirname, '../../fixtures/keystrokes/traces.json'), 'utf8')) as Trace[];

interface Replay {
  scans: WedgeScan[];
  /** What reached the page: released and passed characters, Enter as a line feed, Tab as a tab. */
  page: string;
  /** Keys that were held at some point. */
  heldCount: number;
  /** Maximum time a character waited between its keydown and its release, in ms. */
  maxHoldMs: number;
}

/** Maps a trace key as the browser would report it, through the same mapping the page uses. */
function wedgeKeyOf(key: TraceKey): WedgeKey | null {
  return toWedgeKey({
    key: key.key,
    code: key.ctrl ? 'BracketRight' : '',
    ctrlKey: key.ctrl === true,
    altKey: false,
    metaKey: false,
    repeat: key.repeat === true,
    isComposing: false,
    timeStamp: key.t,
  });
}

/** Returns what a key puts on the page when it is typing: Enter as a line feed, Tab as a tab. */
function pageTextOf(key: WedgeKey): string {
  if (key.kind === 'character') return key.text;
  if (key.kind === 'terminator') return key.key === 'Enter' ? '\n' : '\t';
  return '';
}

/**
 * Replays keys through a detector as the page does: the timer fires at each deadline that comes
 * before the next key, and after the last key.
 */
function replay(keys: readonly TraceKey[], timings: WedgeTimings = DEFAULT_WEDGE_TIMINGS): Replay {
  const detector = new WedgeDetector(timings);
  const result: Replay = { scans: [], page: '', heldCount: 0, maxHoldMs: 0 };
  let held: { text: string; t: number }[] = [];

  const apply = (step: WedgeStep, now: number) => {
    if (step.release) {
      for (const key of held) {
        result.page += key.text;
        result.maxHoldMs = Math.max(result.maxHoldMs, now - key.t);
      }
    }
    if (step.release || step.scan) held = [];
    if (step.scan) result.scans.push(step.scan);
  };
  const runTimerUntil = (time: number) => {
    const deadline = detector.deadline();
    if (deadline !== null && deadline < time) apply(detector.tick(deadline + 1), deadline + 1);
  };

  for (const key of keys) {
    runTimerUntil(key.t);
    const wedgeKey = wedgeKeyOf(key);
    if (wedgeKey === null) continue;
    const step = detector.key(wedgeKey);
    apply(step, key.t);
    const text = pageTextOf(wedgeKey);
    if (step.action === 'hold') {
      held.push({ text, t: key.t });
      result.heldCount += 1;
    } else if (step.action === 'pass') {
      result.page += text;
    }
  }
  runTimerUntil(Number.POSITIVE_INFINITY);
  return result;
}

/** Returns the keys of `text` typed from `start`, `gap` ms apart. */
function at(text: string, start: number, gap: number): WedgeKey[] {
  return [...text].map((character, index) => ({ kind: 'character', text: character, time: start + index * gap }));
}

describe('wedge detector on scanner traces', () => {
  const scannerTraces = traces.filter((trace) => trace.device === 'scanner');

  it('has scanner traces', () => {
    expect(scannerTraces.length).toBeGreaterThanOrEqual(5);
  });

  for (const trace of scannerTraces) {
    it(`reads ${trace.name}`, () => {
      const result = replay(trace.keys);
      expect(result.scans.map((scan) => scan.raw)).toEqual(trace.scans);
      expect(result.page).toBe('');
    });
  }

  it('reads GS sent as Ctrl+] as the group separator', () => {
    const trace = traces.find((candidate) => candidate.keys.some((key) => key.ctrl));
    expect(trace).toBeDefined();
    const [scan] = replay(trace?.keys ?? []).scans;
    expect(scan?.raw.split('\u001d')).toHaveLength(3);
  });

  it('names the suffix that ended each scan', () => {
    const enter = traces.find((trace) => trace.name.startsWith('NCR 7893, USB keyboard, 1 ms'));
    const tab = traces.find((trace) => trace.name.includes('Tab suffix'));
    expect(replay(enter?.keys ?? []).scans.map((scan) => scan.terminator)).toEqual(['Enter', 'Enter', 'Enter']);
    expect(replay(tab?.keys ?? []).scans.map((scan) => scan.terminator)).toEqual(['Tab']);
  });

  it('ends a scan without suffix at the pause and swallows a late Enter', () => {
    const trace = traces.find((candidate) => candidate.name.includes('without suffix'));
    const result = replay(trace?.keys ?? []);
    // The second label's Enter, 150 ms after its last character, comes after the scan ended.
    expect(result.scans.map((scan) => scan.terminator)).toEqual([null, null]);
    expect(result.page).toBe('');
  });

  it('swallows an Enter within the suffix grace', () => {
    const detector = new WedgeDetector(DEFAULT_WEDGE_TIMINGS);
    for (const key of at('S24-000123', 0, 2)) detector.key(key);
    const endedAt = 18 + 3 * DEFAULT_WEDGE_TIMINGS.maxInterKeyMs;
    expect(detector.tick(endedAt + 1).scan?.terminator).toBeNull();
    expect(detector.key({ kind: 'terminator', key: 'Enter', time: endedAt + DEFAULT_WEDGE_TIMINGS.suffixGraceMs - 10 }).action).toBe('swallow');
  });
});

describe('wedge detector on typist traces', () => {
  const typistTraces = traces.filter((trace) => trace.device === 'typist');

  it('has typist traces', () => {
    expect(typistTraces.length).toBeGreaterThanOrEqual(5);
  });

  for (const trace of typistTraces) {
    it(`never takes for a scan: ${trace.name}`, () => {
      const result = replay(trace.keys);
      expect(result.scans).toEqual([]);
      expect(result.page).toBe(trace.typed);
    });
  }

  it('holds a typed key no longer than the gap limit', () => {
    const trace = traces.find((candidate) => candidate.source === 'words-per-minute');
    const result = replay(trace?.keys ?? []);
    expect(result.heldCount).toBeGreaterThan(0);
    expect(result.maxHoldMs).toBeLessThanOrEqual(DEFAULT_WEDGE_TIMINGS.maxInterKeyMs + 1);
  });
});

describe('wedge detector decisions', () => {
  it('holds keys until minimum length', () => {
    const detector = new WedgeDetector(DEFAULT_WEDGE_TIMINGS);
    const actions = at('S24-000123', 0, 3).map((key) => detector.key(key).action);
    expect(actions.slice(0, 5)).toEqual(['hold', 'hold', 'hold', 'hold', 'hold']);
    expect(actions.slice(5)).toEqual(['swallow', 'swallow', 'swallow', 'swallow', 'swallow']);
  });

  it('needs two more keys when slow', () => {
    const detector = new WedgeDetector(DEFAULT_WEDGE_TIMINGS);
    // 20 ms apart: over half the 30 ms limit, so 8 characters make a scan, not 6.
    const actions = at('S24-0001', 0, 20).map((key) => detector.key(key).action);
    expect(actions.slice(0, 7)).toEqual(['hold', 'hold', 'hold', 'hold', 'hold', 'hold', 'hold']);
    expect(actions[7]).toBe('swallow');
  });

  it('releases a slow six-key burst', () => {
    const detector = new WedgeDetector(DEFAULT_WEDGE_TIMINGS);
    for (const key of at('abcdef', 0, 25)) detector.key(key);
    expect(detector.key({ kind: 'terminator', key: 'Enter', time: 140 })).toEqual({ action: 'pass', release: true, scan: null });
  });

  it('releases a short burst before Enter, then passes Enter', () => {
    const detector = new WedgeDetector(DEFAULT_WEDGE_TIMINGS);
    for (const key of at('42', 0, 5)) detector.key(key);
    const step = detector.key({ kind: 'terminator', key: 'Enter', time: 12 });
    expect(step).toEqual({ action: 'pass', release: true, scan: null });
  });

  it('releases held characters before another key acts', () => {
    const detector = new WedgeDetector(DEFAULT_WEDGE_TIMINGS);
    for (const key of at('ab', 0, 10)) detector.key(key);
    expect(detector.key({ kind: 'other', time: 15 })).toEqual({ action: 'pass', release: true, scan: null });
  });

  it('ends a scan at another key and passes that key', () => {
    const detector = new WedgeDetector(DEFAULT_WEDGE_TIMINGS);
    for (const key of at('MRN0001234', 0, 2)) detector.key(key);
    const step = detector.key({ kind: 'other', time: 21 });
    expect(step.action).toBe('pass');
    expect(step.scan?.raw).toBe('MRN0001234');
  });

  it('releases a burst on interrupt', () => {
    const detector = new WedgeDetector(DEFAULT_WEDGE_TIMINGS);
    for (const key of at('abc', 0, 10)) detector.key(key);
    expect(detector.interrupt()).toEqual({ release: true, scan: null });
    expect(detector.busy).toBe(false);
  });

  it('ends a burst whose timer ran late at the next key', () => {
    const detector = new WedgeDetector(DEFAULT_WEDGE_TIMINGS);
    for (const key of at('S24-000123', 0, 2)) detector.key(key);
    // No tick came: the next key, long after, ends the scan first and starts a burst of its own.
    const step = detector.key({ kind: 'character', text: 'x', time: 500 });
    expect(step.scan?.raw).toBe('S24-000123');
    expect(step.action).toBe('hold');
  });

  it('passes an Enter long after a scan without suffix', () => {
    const detector = new WedgeDetector(DEFAULT_WEDGE_TIMINGS);
    for (const key of at('S24-000123', 0, 2)) detector.key(key);
    const endedAt = 18 + 3 * DEFAULT_WEDGE_TIMINGS.maxInterKeyMs;
    expect(detector.tick(endedAt + 1).scan?.raw).toBe('S24-000123');
    expect(detector.key({ kind: 'terminator', key: 'Enter', time: endedAt + DEFAULT_WEDGE_TIMINGS.suffixGraceMs + 50 }).action).toBe('pass');
  });

  it('keeps a scan whole across a pause', () => {
    const detector = new WedgeDetector(DEFAULT_WEDGE_TIMINGS);
    for (const key of at('S24-000', 0, 4)) detector.key(key);
    // 70 ms is over the 30 ms limit, but the burst is already a scan.
    for (const key of at('123', 24 + 70, 4)) expect(detector.key(key).action).toBe('swallow');
    expect(detector.key({ kind: 'terminator', key: 'Enter', time: 110 }).scan?.raw).toBe('S24-000123');
  });

  it('keeps a scan a scan after a slow pause', () => {
    const detector = new WedgeDetector(DEFAULT_WEDGE_TIMINGS);
    // Six keys 4 ms apart pass for a scan. After an 80 ms pause the mean gap is over 15 ms, but the
    // burst stays a scan, because the keys after the sixth were swallowed.
    for (const key of at('S24-00', 0, 4)) detector.key(key);
    expect(detector.key({ kind: 'character', text: '0', time: 20 + 80 }).action).toBe('swallow');
    const step = detector.key({ kind: 'terminator', key: 'Enter', time: 104 });
    expect(step.release).toBe(false);
    expect(step.scan?.raw).toBe('S24-000');
  });

  it('ends a scan after three gap limits', () => {
    const detector = new WedgeDetector(DEFAULT_WEDGE_TIMINGS);
    for (const key of at('S24-000123', 0, 4)) detector.key(key);
    expect(detector.deadline()).toBe(36 + 3 * DEFAULT_WEDGE_TIMINGS.maxInterKeyMs);
    expect(detector.tick(36 + 60).scan).toBeNull();
    expect(detector.tick(36 + 91).scan?.raw).toBe('S24-000123');
  });

  it('splits a burst paused before its minimum length', () => {
    const detector = new WedgeDetector(DEFAULT_WEDGE_TIMINGS);
    for (const key of at('S24', 0, 4)) detector.key(key);
    const step = detector.key({ kind: 'character', text: '-', time: 8 + 70 });
    expect(step.release).toBe(true);
    expect(step.action).toBe('hold');
  });

  it('reports the deadline of the burst', () => {
    const detector = new WedgeDetector(DEFAULT_WEDGE_TIMINGS);
    expect(detector.deadline()).toBeNull();
    detector.key({ kind: 'character', text: 'a', time: 100 });
    expect(detector.deadline()).toBe(100 + DEFAULT_WEDGE_TIMINGS.maxInterKeyMs);
  });

  it('follows new timings', () => {
    const detector = new WedgeDetector(DEFAULT_WEDGE_TIMINGS);
    detector.setTimings({ ...DEFAULT_WEDGE_TIMINGS, maxInterKeyMs: 60 });
    for (const key of at('S24-000123', 0, 45)) detector.key(key);
    expect(detector.key({ kind: 'terminator', key: 'Enter', time: 460 }).scan?.raw).toBe('S24-000123');
  });
});

describe('keydown mapping', () => {
  const keydown = { key: 'a', code: 'KeyA', ctrlKey: false, altKey: false, metaKey: false, repeat: false, isComposing: false, timeStamp: 7 };

  it('ignores modifiers alone', () => {
    expect(toWedgeKey({ ...keydown, key: 'Shift' })).toBeNull();
  });

  it('reads Ctrl+] as GS', () => {
    expect(toWedgeKey({ ...keydown, key: ']', code: 'BracketRight', ctrlKey: true })).toEqual({ kind: 'character', text: '\u001d', time: 7, repeat: false });
  });

  it('takes shortcuts and composition as other keys', () => {
    expect(toWedgeKey({ ...keydown, ctrlKey: true })?.kind).toBe('other');
    expect(toWedgeKey({ ...keydown, isComposing: true })?.kind).toBe('other');
    expect(toWedgeKey({ ...keydown, key: 'ArrowLeft' })?.kind).toBe('other');
  });

  it('reads Enter and Tab as terminators', () => {
    expect(toWedgeKey({ ...keydown, key: 'Enter' })).toEqual({ kind: 'terminator', key: 'Enter', time: 7 });
    expect(toWedgeKey({ ...keydown, key: 'Tab' })?.kind).toBe('terminator');
  });
});

describe('wedge detector properties', () => {
  const character = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789 -'.split(''));

  it('finds no scan without five short gaps', () => {
    // Any gap over the limit ends a burst, so these traces have no burst long enough for a scan.
    const keys = fc.array(fc.record({ character, short: fc.integer({ min: 1, max: 30 }), long: fc.integer({ min: 31, max: 400 }) }), { minLength: 1, maxLength: 80 });
    fc.assert(
      fc.property(keys, (drawn) => {
        let t = 0;
        const trace: TraceKey[] = drawn.map((entry, index) => {
          t += index % 5 === 4 ? entry.long : entry.short;
          return { key: entry.character, t };
        });
        const result = replay(trace);
        expect(result.scans).toEqual([]);
        expect(result.page).toBe(drawn.map((entry) => entry.character).join(''));
      }),
    );
  });

  it('gives back every character of a trace that holds no scan', () => {
    const keys = fc.array(fc.record({ character, gap: fc.integer({ min: 0, max: 300 }) }), { minLength: 1, maxLength: 60 });
    fc.assert(
      fc.property(keys, (drawn) => {
        let t = 0;
        const trace = drawn.map((entry) => ({ key: entry.character, t: (t += entry.gap) }));
        const result = replay(trace);
        const scanned = result.scans.map((scan) => scan.raw).join('');
        expect(result.page.length + scanned.length).toBe(drawn.length);
      }),
    );
  });
});
