// Measures the bedside scan-and-check in headless Chromium: from the terminating Enter of a
// keyboard-wedge scan to the check result in the page's DOM. The reference server runs on a fresh
// PostgreSQL database with the demo seed, the workstation's core and browser host run in this
// process, and a nurse is signed in with the ward synced. Each round scans a wristband, then a
// paracetamol pack: a due dose (pass), an expired pack, or a pack for a patient without the order.
// In the same run, a plain page echoes the same keystroke bursts from a text input into the DOM,
// which is the floor of keystroke-to-DOM time that the browser alone needs on this machine.
// Needs PostgreSQL on 127.0.0.1:5432 (user postgres) and Debian's chromium.
// Run: npm run bench:scan-to-check [-- --rounds 200 --warmup 20 --json FILE]
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';

import { pino } from 'pino';
import type { CDPSession, Page } from 'playwright-core';

import { startBrowserHost } from '../main/browser-host/browser-host.js';
import type { Clock } from '../main/core/clock.js';
import { createCore } from '../main/core/core.js';
import { workstationSettings } from '../main/core/settings.js';
import { scheduledDoseTimes } from '../preload/api/clinical/dose-schedule.js';
import { createServer } from '../sync/server/app.js';
import { FORMULARY, REGIMENS } from '../sync/server/seed/medication-orders.js';
import { ensureRendererBuilt, launchChromium, RENDERER } from '../test/support/browser.js';
import { createTestDatabase } from '../test/support/postgres.js';
import { makeBenchDirectory } from './bench-support.js';
import type { ProbeSpec, ProbeTimes } from './scan-to-check-probe.js';
import { FLOOR_PAGE, PROBE_SOURCE } from './scan-to-check-probe.js';
import { wedgeKeyEvents } from './wedge-key-events.js';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '200' },
    warmup: { type: 'string', default: '20' },
    'max-inter-key-ms': { type: 'string', default: '150' },
    json: { type: 'string' },
  },
});
const rounds = Number(values.rounds);
const warmup = Number(values.warmup);
const maxInterKeyMs = Number(values['max-inter-key-ms']);
if (!Number.isInteger(rounds) || rounds < 10) throw new Error(`Invalid --rounds ${values.rounds}: expected an integer of at least 10`);
if (!Number.isInteger(warmup) || warmup < 0) throw new Error(`Invalid --warmup ${values.warmup}: expected an integer of 0 or more`);
if (!Number.isInteger(maxInterKeyMs) || maxInterKeyMs < 5 || maxInterKeyMs > 500) throw new Error(`Invalid --max-inter-key-ms ${values['max-inter-key-ms']}: expected an integer from 5 to 500`);

const WARD_ID = 'ward-4a';
const MINUTE_MS = 60_000;
const GROUP_SEPARATOR = '\u001d';
const WRISTBAND_PATTERN = 'MRN(?<mrn>\\d{8})';
const PARACETAMOL_GTIN = FORMULARY.paracetamol500.gtin;
/** How long one scan may take before it counts as lost (a burst the detector did not take as a scan). */
const SCAN_TIMEOUT_MS = 5_000;
/** Pause between two scans, so that one burst has ended before the next starts. */
const PAUSE_BETWEEN_SCANS_MS = 100;
const silent = pino({ level: 'silent' });

/** GS1 DataMatrix of a paracetamol pack: GTIN, lot (variable length, so GS ends it) and expiry. */
const paracetamolPack = (lot: string, expiry: string) => `]d201${PARACETAMOL_GTIN}10${lot}${GROUP_SEPARATOR}17${expiry}`;

type PackKind = 'due' | 'expired' | 'wrong-patient';
/** The pack scans of five rounds: three due doses, one expired pack, one pack for a patient without the order. */
const PACK_CYCLE: readonly PackKind[] = ['due', 'due', 'expired', 'due', 'wrong-patient'];
const EXPECTED: Record<PackKind, { outcome: string; problems: string[] }> = {
  due: { outcome: 'pass', problems: [] },
  expired: { outcome: 'blocked', problems: ['expired'] },
  'wrong-patient': { outcome: 'blocked', problems: ['wrong-patient'] },
};

/**
 * Returns a clock 20 minutes before the next paracetamol round, so that the seeded dose of that
 * round stays within the 30-minute check window for the next 50 minutes of the run.
 */
function clockBeforeNextParacetamolRound(): Clock {
  const realNow = new Date();
  const [dueAt] = scheduledDoseTimes({ timeOfDay: REGIMENS.paracetamol.timeOfDay }, new Date(realNow.getTime() + 30 * MINUTE_MS), new Date(realNow.getTime() + 25 * 60 * MINUTE_MS));
  if (!dueAt) throw new Error('No paracetamol round in the next day; the regimen has no times');
  const offset = dueAt.getTime() - 20 * MINUTE_MS - realNow.getTime();
  return { now: () => new Date(Date.now() + offset) };
}

/**
 * Types `barcode` and Enter as a wedge scanner does. Every key is sent before any is acknowledged,
 * because on a loaded machine each awaited key costs tens of milliseconds and the burst would read as typing.
 */
async function typeBurst(cdp: CDPSession, barcode: string): Promise<void> {
  await Promise.all(wedgeKeyEvents(barcode).map((event) => cdp.send('Input.dispatchKeyEvent', event)));
}

interface Sample extends ProbeTimes {
  /** Node's time from sending the burst until the page's result came back through CDP. */
  nodeMs: number;
}

/** Scans `barcode` on `page` and returns its times, or null when the end state did not appear. */
async function measure(page: Page, cdp: CDPSession, barcode: string, spec: ProbeSpec): Promise<Sample | null> {
  await page.evaluate(`window.scanProbe.arm(${JSON.stringify(spec)})`);
  const sentAt = performance.now();
  await typeBurst(cdp, barcode);
  const times = (await page.evaluate('window.scanProbe.result()')) as ProbeTimes | null;
  if (times === null) return null;
  return { ...times, nodeMs: performance.now() - sentAt };
}

/** Types `barcode` into the floor page's field, which holds `prefill`, and times its Enter until the echo. */
async function echo(floorPage: Page, cdp: CDPSession, prefill: string, barcode: string): Promise<Sample | null> {
  await floorPage.evaluate((text) => {
    (document.getElementById('field') as HTMLInputElement).value = text;
    (document.getElementById('echo') as HTMLOutputElement).textContent = '';
  }, prefill);
  return measure(floorPage, cdp, barcode, { kind: 'echo', text: prefill + barcode.replaceAll(GROUP_SEPARATOR, ''), timeoutMs: SCAN_TIMEOUT_MS });
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Distribution {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentiles. */
function distribution(samples: readonly number[]): Distribution {
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
  return { count: sorted.length, p50: rank(50), p95: rank(95), p99: rank(99), max: sorted.at(-1) ?? Number.NaN };
}

const loadBefore = loadavg();
const data = makeBenchDirectory('scan-to-check');
const clock = clockBeforeNextParacetamolRound();
ensureRendererBuilt();
const database = await createTestDatabase('bench_scan');
const server = await createServer({ port: 0, databaseUrl: database.url, seed: true, logLevel: 'silent', now: () => clock.now() });
const core = await createCore({
  settings: workstationSettings.parse({
    workstationId: 'ws-bench-scan',
    serverUrl: server.url,
    wardId: WARD_ID,
    scanning: { wristbandPattern: WRISTBAND_PATTERN, wedge: { maxInterKeyMs }, hid: { enabled: false } },
  }),
  dataDirectory: data.path,
  logger: silent,
  clock,
});
// The core's own time for the calls of a scan, timed around the gateway the browser host calls.
const coreCallMs: Record<string, number[]> = { 'medication:check': [], 'ward:listPatients': [] };
const handle = core.gateway.handle.bind(core.gateway);
core.gateway.handle = async (channel, input, context) => {
  const started = performance.now();
  try {
    return await handle(channel, input, context);
  } finally {
    coreCallMs[channel]?.push(performance.now() - started);
  }
};
const host = await startBrowserHost({ gateway: core.gateway, events: core.events, logger: silent, rendererDirectory: RENDERER });
const browser = await launchChromium();

try {
  // The ward's patients, split by whether they have a paracetamol order, and the ward's order count.
  const { rows } = await server.database.query<{ mrn: string; gtins: string[] }>(
    `SELECT p.document->>'mrn' AS mrn,
            array_agg(o.document->'resource'->'medicationCodeableConcept'->'coding'->0->>'code') AS gtins
       FROM documents p
       JOIN ward_membership m ON m.patient_id = p.patient_id AND m.ward_id = $1
       JOIN documents o ON o.collection = 'records' AND o.resource_type = 'MedicationRequest' AND o.patient_id = p.patient_id
      WHERE p.collection = 'records' AND p.resource_type = 'Patient'
      GROUP BY p.patient_id, p.document->>'mrn'
      ORDER BY p.patient_id`,
    [WARD_ID],
  );
  const withParacetamol = rows.filter((row) => row.gtins.includes(PARACETAMOL_GTIN)).map((row) => row.mrn);
  const without = rows.filter((row) => !row.gtins.includes(PARACETAMOL_GTIN)).map((row) => row.mrn);
  const orderCount = rows.reduce((sum, row) => sum + row.gtins.length, 0);
  if (withParacetamol.length < 2 || without.length < 1) throw new Error(`The seed gave ${WARD_ID} ${withParacetamol.length} patients with paracetamol and ${without.length} without; the bench needs at least 2 and 1`);

  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(host.url);
  await page.getByTestId('signin-username').fill('nurse');
  await page.getByTestId('signin-password').fill('nurse-demo');
  await page.getByTestId('signin-submit').click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="ward-row"]').length > 5, undefined, { timeout: 60_000 });
  await page.getByTestId('sync-status').and(page.locator('[data-state="online"]')).waitFor({ timeout: 60_000 });
  const syncStarted = performance.now();
  for (;;) {
    const synced = await core.replica.records.count({ selector: { resourceType: 'MedicationRequest' } }).exec();
    if (synced >= orderCount) break;
    if (performance.now() - syncStarted > 120_000) throw new Error(`Sync timed out: the replica holds ${synced} of the ward's ${orderCount} MedicationRequests after 2 minutes`);
    await pause(250);
  }
  await page.evaluate(PROBE_SOURCE);
  const appCdp = await page.context().newCDPSession(page);

  const floorPage = await browser.newPage();
  await floorPage.setContent(FLOOR_PAGE);
  await floorPage.evaluate(PROBE_SOURCE);
  await floorPage.focus('#field');
  const floorCdp = await floorPage.context().newCDPSession(floorPage);
  const visibility = await Promise.all([page, floorPage].map((target) => target.evaluate(() => document.visibilityState)));

  const wristbandSamples: Sample[] = [];
  const checkSamples: (Sample & { kind: PackKind })[] = [];
  const burstFloorSamples: Sample[] = [];
  const enterFloorSamples: Sample[] = [];
  let lost = 0;
  let split = 0;
  let paracetamolTurn = 0;
  let withoutTurn = 0;

  for (let round = 0; round < warmup + rounds; round += 1) {
    const counted = round >= warmup;
    if (round === warmup) for (const times of Object.values(coreCallMs)) times.length = 0;
    const kind = PACK_CYCLE[round % PACK_CYCLE.length] as PackKind;
    // Consecutive rounds scan different patients, so each wristband scan changes the chart.
    const mrn = kind === 'wrong-patient' ? (without[withoutTurn++ % without.length] as string) : (withParacetamol[paracetamolTurn++ % withParacetamol.length] as string);
    const wristband = `MRN${mrn}`;
    const pack = kind === 'expired' ? paracetamolPack(`X${round}`, '200131') : paracetamolPack(`L${round}`, '301231');

    const identified = await measure(page, appCdp, wristband, { kind: 'wristband', mrn, timeoutMs: SCAN_TIMEOUT_MS });
    if (identified === null) {
      console.log(`round ${round}: no chart confirmed within ${SCAN_TIMEOUT_MS} ms of the wristband scan`);
      lost += 1;
      continue;
    }
    await page.getByTestId('mar-table').waitFor({ timeout: SCAN_TIMEOUT_MS });
    await pause(PAUSE_BETWEEN_SCANS_MS);
    const checked = await measure(page, appCdp, pack, { kind: 'check', timeoutMs: SCAN_TIMEOUT_MS });
    if (checked === null) {
      console.log(`round ${round}: no check result within ${SCAN_TIMEOUT_MS} ms of the ${kind} pack scan`);
      lost += 1;
      continue;
    }
    // A pause of the machine longer than the detector's gap limit splits a burst: its first keys
    // pass as typing and the rest reads as a scan of an unknown kind, which is no medication.
    if (checked.outcome === 'not-medication') {
      console.log(`round ${round}: the ${kind} pack scan was split, its longest key gap ${checked.maxKeyGap.toFixed(1)} ms`);
      split += 1;
      continue;
    }
    const expected = EXPECTED[kind];
    if (checked.outcome !== expected.outcome || checked.problems.join() !== expected.problems.join()) {
      throw new Error(`Round ${round}: a ${kind} pack gave outcome ${checked.outcome} with problems [${checked.problems.join(', ')}], expected ${expected.outcome} [${expected.problems.join(', ')}]`);
    }

    // The floor, under the same load: the same two bursts echoed by the plain page, and a lone
    // Enter that echoes one character typed before.
    const burstFloors = [await echo(floorPage, floorCdp, '', wristband), await echo(floorPage, floorCdp, '', pack)];
    const enterFloor = await echo(floorPage, floorCdp, 'k', '');
    await pause(PAUSE_BETWEEN_SCANS_MS);
    if (!counted) continue;
    wristbandSamples.push(identified);
    checkSamples.push({ ...checked, kind });
    for (const floor of [...burstFloors, enterFloor]) if (floor === null) lost += 1;
    burstFloorSamples.push(...burstFloors.filter((floor) => floor !== null));
    if (enterFloor !== null) enterFloorSamples.push(enterFloor);
  }

  const loadAfter = loadavg();
  const toDom = (sample: Sample) => sample.domAt - sample.enterAt;
  const toFrame = (sample: Sample) => sample.frameAt - sample.enterAt;
  const queued = (sample: Sample) => sample.handledAt - sample.enterAt;
  const results = {
    rounds,
    warmup,
    maxInterKeyMs,
    lost,
    split,
    patients: { withParacetamol: withParacetamol.length, without: without.length, orders: orderCount },
    chromium: browser.version(),
    visibility,
    loadAverage: { before: loadBefore, after: loadAfter },
    ms: {
      'pack scan to check result in the DOM': distribution(checkSamples.map(toDom)),
      '  due dose (pass)': distribution(checkSamples.filter((sample) => sample.kind === 'due').map(toDom)),
      '  expired pack (blocked)': distribution(checkSamples.filter((sample) => sample.kind === 'expired').map(toDom)),
      '  other patient\'s drug (blocked)': distribution(checkSamples.filter((sample) => sample.kind === 'wrong-patient').map(toDom)),
      'pack scan to the next animation frame': distribution(checkSamples.map(toFrame)),
      'wristband scan to chart with wristband confirmed': distribution(wristbandSamples.map(toDom)),
      'floor: same bursts echoed by a plain input': distribution(burstFloorSamples.map(toDom)),
      'floor: a lone Enter echoed by a plain input': distribution(enterFloorSamples.map(toDom)),
      'longest key gap in a pack scan burst': distribution(checkSamples.map((sample) => sample.maxKeyGap)),
      'Enter waiting for the page (pack scans)': distribution(checkSamples.map(queued)),
      'Enter waiting for the page (floor bursts)': distribution(burstFloorSamples.map(queued)),
      'core: medication:check call': distribution(coreCallMs['medication:check'] ?? []),
      'core: ward:listPatients call (wristband)': distribution(coreCallMs['ward:listPatients'] ?? []),
      'pack scan seen from Node (CDP both ways)': distribution(checkSamples.map((sample) => sample.nodeMs)),
    },
  };

  const format = (value: number) => value.toFixed(1);
  console.log(`${rounds} rounds after ${warmup} warm-up, ${withParacetamol.length + without.length} patients with ${orderCount} orders, Chromium ${results.chromium}, pages ${visibility.join('/')}, lost scans ${lost}, split pack scans ${split}`);
  console.log(`load average before ${loadBefore.map(format).join(' ')}, after ${loadAfter.map(format).join(' ')}`);
  console.log('measurement'.padEnd(52), 'n'.padStart(4), 'p50'.padStart(8), 'p95'.padStart(8), 'p99'.padStart(8), 'max'.padStart(8));
  for (const [name, row] of Object.entries(results.ms)) {
    console.log(name.padEnd(52), String(row.count).padStart(4), format(row.p50).padStart(8), format(row.p95).padStart(8), format(row.p99).padStart(8), format(row.max).padStart(8));
  }
  if (values.json) writeFileSync(values.json, JSON.stringify(results, null, 2));
} finally {
  await browser.close();
  await host.close();
  await core.close();
  await server.close();
  await database.drop();
  data.remove();
}
