// False positives and misses of the keyboard-wedge detector (renderer/src/scan/wedge-detector.ts).
//
// It replays the keystroke traces of test/fixtures/keystrokes, then simulated sessions built the
// same way with a seeded random generator:
// - typists at 60 to 150 words per minute, gaps log-normal around the mean the speed gives, with a
//   share of rollover gaps of 10 to 40 ms; a false positive is a burst taken as a scan, and the
//   count of characters it swallowed;
// - scanners with an intercharacter delay of 1 to 20 ms plus USB jitter, some with pauses of 40
//   to 120 ms inside a label; a miss is a label not read as exactly one scan of its text.
//
// Run: npx tsx bench/wedge-detector.ts [--keys 200000] [--labels 20000] [--json out.json]
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import type { WedgeTimings } from '../preload/api/scan-schemas.js';
import { DEFAULT_WEDGE_TIMINGS } from '../preload/api/scan-schemas.js';
import type { WedgeKey, WedgeScan } from '../renderer/src/scan/wedge-detector.js';
import { WedgeDetector } from '../renderer/src/scan/wedge-detector.js';

const { values } = parseArgs({
  options: {
    keys: { type: 'string', default: '200000' },
    labels: { type: 'string', default: '20000' },
    json: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});

if (values.help) {
  console.log(`Options:
  --keys N      keystrokes simulated per typist profile (default 200000)
  --labels N    labels simulated per scanner profile (default 20000)
  --json FILE   also write the results to FILE`);
  process.exit(0);
}

interface TimedKey {
  key: string;
  t: number;
  repeat?: boolean;
  ctrl?: boolean;
}

interface Outcome {
  scans: WedgeScan[];
  /** Characters that reached the page as typing. */
  typed: number;
}

function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

function logNormal(random: () => number, median: number, sigma: number): number {
  const u1 = Math.max(random(), 1e-12);
  const normal = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * random());
  return median * Math.exp(sigma * normal);
}

function toWedgeKey(key: TimedKey): WedgeKey {
  if (key.key === 'Enter' || key.key === 'Tab') return { kind: 'terminator', key: key.key, time: key.t };
  return { kind: 'character', text: key.ctrl ? '\u001d' : key.key, time: key.t, repeat: key.repeat === true };
}

/** Replays keys as the page does: the timer fires at each deadline before the next key and after the last. */
function replay(keys: readonly TimedKey[], timings: WedgeTimings): Outcome {
  const detector = new WedgeDetector(timings);
  const outcome: Outcome = { scans: [], typed: 0 };
  let held = 0;
  const apply = (step: { release: boolean; scan: WedgeScan | null }) => {
    if (step.release) outcome.typed += held;
    if (step.release || step.scan) held = 0;
    if (step.scan) outcome.scans.push(step.scan);
  };
  const runTimerUntil = (time: number) => {
    const deadline = detector.deadline();
    if (deadline !== null && deadline < time) apply(detector.tick(deadline + 1));
  };
  for (const key of keys) {
    runTimerUntil(key.t);
    const wedgeKey = toWedgeKey(key);
    const step = detector.key(wedgeKey);
    apply(step);
    if (step.action === 'hold') held += 1;
    else if (step.action === 'pass' && wedgeKey.kind === 'character') outcome.typed += 1;
  }
  runTimerUntil(Number.POSITIVE_INFINITY);
  return outcome;
}

const LETTERS = 'etaoinshrdlucmfwypvbgkqjxz      ';

interface TypistProfile {
  name: string;
  wordsPerMinute: number;
  sigma: number;
  /** Share of gaps that are rollovers of 10 to 40 ms. */
  rollover: number;
}

function typistKeys(profile: TypistProfile, count: number, random: () => number): TimedKey[] {
  const meanGap = 60_000 / (profile.wordsPerMinute * 5);
  // The log-normal's median that gives this mean: mean = median * exp(sigma^2 / 2).
  const median = meanGap / Math.exp((profile.sigma * profile.sigma) / 2);
  const keys: TimedKey[] = [];
  let t = 0;
  for (let index = 0; index < count; index += 1) {
    t += random() < profile.rollover ? 10 + random() * 30 : logNormal(random, median, profile.sigma);
    keys.push({ key: LETTERS[Math.floor(random() * LETTERS.length)] ?? 'e', t });
  }
  return keys;
}

interface ScannerProfile {
  name: string;
  delayMs: number;
  jitterMs: number;
  /** Chance that a gap inside a label has a pause of 40 to 120 ms. */
  pauseChance: number;
  minLength: number;
  maxLength: number;
}

function scannerSession(profile: ScannerProfile, labels: number, random: () => number): { keys: TimedKey[]; labels: string[] } {
  const keys: TimedKey[] = [];
  const texts: string[] = [];
  let t = 0;
  for (let index = 0; index < labels; index += 1) {
    const length = profile.minLength + Math.floor(random() * (profile.maxLength - profile.minLength + 1));
    let text = '';
    for (let position = 0; position < length; position += 1) text += '0123456789ABCDEFGHJKLMNPRSTUVWXYZ-'[Math.floor(random() * 34)];
    texts.push(text);
    for (const character of text) {
      keys.push({ key: character, t });
      t += profile.delayMs + random() * profile.jitterMs + (random() < profile.pauseChance ? 40 + random() * 80 : 0);
    }
    keys.push({ key: 'Enter', t });
    t += 1500 + random() * 3000;
  }
  return { keys, labels: texts };
}

const timings = DEFAULT_WEDGE_TIMINGS;
const keyCount = Number(values.keys);
const labelCount = Number(values.labels);
const results: Record<string, unknown> = { timings };

// Fixture traces --------------------------------------------------------------------------------

interface Trace {
  name: string;
  device: 'scanner' | 'typist';
  scans?: string[];
  typed?: string;
  keys: TimedKey[];
}
const traces = JSON.parse(readFileSync(join(import.meta.dirname, '../test/fixtures/keystrokes/traces.json'), 'utf8')) as Trace[];
console.log(`Wedge detector, maxInterKeyMs ${timings.maxInterKeyMs}, minLength ${timings.minLength}\n`);
console.log('Fixture traces (test/fixtures/keystrokes):');
const traceRows = traces.map((trace) => {
  const outcome = replay(trace.keys, timings);
  const read = outcome.scans.map((scan) => scan.raw);
  const expected = trace.device === 'scanner' ? (trace.scans ?? []) : [];
  const wrong = trace.device === 'scanner' ? expected.filter((scan, index) => read[index] !== scan).length + Math.max(0, read.length - expected.length) : read.length;
  console.log(`  ${trace.device.padEnd(7)} ${trace.name.padEnd(76)} ${trace.device === 'scanner' ? `misses ${wrong}` : `false scans ${wrong}`}`);
  return { name: trace.name, device: trace.device, wrong };
});
results.traces = traceRows;

// Simulated typists ------------------------------------------------------------------------------

const typists: TypistProfile[] = [
  { name: 'typist 60 wpm', wordsPerMinute: 60, sigma: 0.5, rollover: 0.05 },
  { name: 'typist 90 wpm', wordsPerMinute: 90, sigma: 0.5, rollover: 0.15 },
  { name: 'typist 120 wpm', wordsPerMinute: 120, sigma: 0.55, rollover: 0.3 },
  { name: 'typist 150 wpm', wordsPerMinute: 150, sigma: 0.6, rollover: 0.45 },
];
console.log(`\nSimulated typists, ${keyCount} keys each:`);
results.typists = typists.map((profile, index) => {
  const keys = typistKeys(profile, keyCount, seededRandom(100 + index));
  const outcome = replay(keys, timings);
  const swallowed = outcome.scans.reduce((sum, scan) => sum + scan.raw.length, 0);
  console.log(`  ${profile.name.padEnd(16)} false scans ${String(outcome.scans.length).padStart(5)}   characters swallowed ${swallowed}`);
  return { ...profile, keys: keyCount, falseScans: outcome.scans.length, swallowed };
});

// Simulated scanners -----------------------------------------------------------------------------

const scanners: ScannerProfile[] = [
  { name: 'scanner 1 ms', delayMs: 1, jitterMs: 1, pauseChance: 0, minLength: 6, maxLength: 40 },
  { name: 'scanner 8 ms', delayMs: 8, jitterMs: 2, pauseChance: 0, minLength: 6, maxLength: 40 },
  { name: 'scanner 16 ms', delayMs: 16, jitterMs: 4, pauseChance: 0, minLength: 8, maxLength: 40 },
  { name: 'scanner 20 ms', delayMs: 20, jitterMs: 8, pauseChance: 0, minLength: 8, maxLength: 40 },
  { name: 'scanner 20 ms, 6-7 chars', delayMs: 20, jitterMs: 8, pauseChance: 0, minLength: 6, maxLength: 7 },
  { name: 'scanner 4 ms, pauses 1 %', delayMs: 4, jitterMs: 4, pauseChance: 0.01, minLength: 6, maxLength: 40 },
];
console.log(`\nSimulated scanners, ${labelCount} labels each (Enter suffix):`);
results.scanners = scanners.map((profile, index) => {
  const session = scannerSession(profile, labelCount, seededRandom(200 + index));
  const outcome = replay(session.keys, timings);
  const read = new Set(outcome.scans.map((scan) => scan.raw));
  const misses = session.labels.filter((label) => !read.has(label)).length;
  console.log(`  ${profile.name.padEnd(26)} misses ${String(misses).padStart(5)}   scans read ${outcome.scans.length}   characters typed ${outcome.typed}`);
  return { ...profile, labels: labelCount, misses, scansRead: outcome.scans.length, typed: outcome.typed };
});

if (values.json) writeFileSync(values.json, `${JSON.stringify(results, null, 2)}\n`);
