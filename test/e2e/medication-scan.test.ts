import { join } from 'node:path';

import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { Clock } from '../../main/core/clock.js';
import { workstationSettings } from '../../main/core/settings.js';
import { scheduledDoseTimes } from '../../preload/api/clinical/dose-schedule.js';
import type { SyncServer } from '../../sync/server/app.js';
import { FORMULARY, REGIMENS } from '../../sync/server/seed/medication-orders.js';
import { SCREENSHOTS } from '../support/browser.js';
import type { WorkstationStack } from '../support/workstation-stack.js';
import { signIn, startWorkstationStack } from '../support/workstation-stack.js';

const MINUTE_MS = 60_000;
/** The site's wristband format in this test: "MRN" and the 8-digit MRN, printed as Code 128. */
const WRISTBAND_PATTERN = 'MRN(?<mrn>\\d{8})';
const GROUP_SEPARATOR = '\u001d';
/**
 * The wedge detector's longest gap between two keys of one scan in this test, in milliseconds.
 * Scanners send a key every few milliseconds and the default is 30, but on a machine shared by
 * several test runs Chromium was seen to deliver the keys of one burst up to about 100 ms apart.
 */
const TEST_MAX_INTER_KEY_MS = 150;
const PARACETAMOL_GTIN = FORMULARY.paracetamol500.gtin;
/** A GS1 DataMatrix on a pack: GTIN, lot (variable length, so GS ends it) and expiry date. */
const paracetamolPack = (lot: string, expiry: string) => `]d201${PARACETAMOL_GTIN}10${lot}${GROUP_SEPARATOR}17${expiry}`;

/** The keyDown parameters of CDP's Input.dispatchKeyEvent for one character of a barcode, on a US layout. */
interface KeyEvent {
  key: string;
  code: string;
  windowsVirtualKeyCode: number;
  modifiers?: number;
  text?: string;
}

function keyEventOf(character: string): KeyEvent {
  if (character === GROUP_SEPARATOR) return { key: ']', code: 'BracketRight', windowsVirtualKeyCode: 221, modifiers: 2 };
  if (character === ']') return { key: ']', code: 'BracketRight', windowsVirtualKeyCode: 221, text: ']' };
  if (/^\d$/.test(character)) return { key: character, code: `Digit${character}`, windowsVirtualKeyCode: character.charCodeAt(0), text: character };
  if (/^[a-z]$/i.test(character)) {
    const upper = character.toUpperCase();
    return { key: character, code: `Key${upper}`, windowsVirtualKeyCode: upper.charCodeAt(0), text: character, modifiers: character === upper ? 8 : 0 };
  }
  throw new Error(`The test scanner has no key for ${JSON.stringify(character)}`);
}

/**
 * Types a barcode as a keyboard-wedge scanner does: key after key with no pause, GS as Ctrl+],
 * and Enter at the end. The keys go through Chromium's input pipeline (CDP Input.dispatchKeyEvent,
 * which Playwright's keyboard uses too) and the renderer's real wedge detector. They are sent
 * without waiting for each one, so that they reach the page back to back as a scanner's USB
 * reports do, even on a loaded machine where each awaited key costs tens of milliseconds.
 */
async function scan(page: Page, barcode: string): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  const keys: KeyEvent[] = [...[...barcode].map(keyEventOf), { key: 'Enter', code: 'Enter', windowsVirtualKeyCode: 13, text: '\r' }];
  const sent = keys.flatMap((key) => [
    cdp.send('Input.dispatchKeyEvent', { type: key.text === undefined ? 'rawKeyDown' : 'keyDown', ...key }),
    cdp.send('Input.dispatchKeyEvent', { type: 'keyUp', key: key.key, code: key.code, windowsVirtualKeyCode: key.windowsVirtualKeyCode, modifiers: key.modifiers ?? 0 }),
  ]);
  await Promise.all(sent);
  await cdp.detach();
}

/**
 * Returns the clock of this test's server and workstation: real time moved forward to five minutes
 * after the next paracetamol round, so that a seeded paracetamol dose is due whenever the test runs.
 * Only the rounds before the evening enoxaparin dose count, because the test scans that dose hours
 * early and needs it open and within the MAR's 12 hours ahead.
 */
function clockAfterNextParacetamolRound(): { clock: Clock; dueAt: Date } {
  const realNow = new Date();
  const [enoxaparinTime = '00:00:00'] = REGIMENS.enoxaparin.timeOfDay;
  const schedule = { timeOfDay: REGIMENS.paracetamol.timeOfDay.filter((time) => time < enoxaparinTime) };
  const [dueAt] = scheduledDoseTimes(schedule, new Date(realNow.getTime() + 2 * MINUTE_MS), new Date(realNow.getTime() + 25 * 60 * MINUTE_MS));
  if (!dueAt) throw new Error('No paracetamol round in the next day; the regimen has no times');
  const offset = dueAt.getTime() + 5 * MINUTE_MS - realNow.getTime();
  return { clock: { now: () => new Date(Date.now() + offset) }, dueAt };
}

interface WardPatient {
  patientId: string;
  mrn: string;
}

describe('nurse gives medication with barcode checks', () => {
  let stack: WorkstationStack;
  let server: SyncServer;
  let page: Page;
  const { clock, dueAt } = clockAfterNextParacetamolRound();

  /**
   * Returns ward 4A patients from the seeded database: one with a scheduled paracetamol order, one
   * with no paracetamol order at all, and one with an as-needed paracetamol order.
   */
  async function seededPatients(): Promise<{ withParacetamol: WardPatient; without: WardPatient; orderId: string; withAsNeeded: WardPatient; asNeededOrderId: string }> {
    const { rows } = await server.database.query<{ patient_id: string; mrn: string; gtins: string[]; order_ids: string[]; as_needed: boolean[] }>(
      `SELECT p.patient_id, p.document->>'mrn' AS mrn,
              array_agg(o.document->'resource'->'medicationCodeableConcept'->'coding'->0->>'code') AS gtins,
              array_agg(o.id) AS order_ids,
              array_agg(o.document->'resource'->'dosageInstruction'->0 ? 'asNeededCodeableConcept') AS as_needed
         FROM documents p
         JOIN ward_membership m ON m.patient_id = p.patient_id AND m.ward_id = 'ward-4a'
         JOIN documents o ON o.collection = 'records' AND o.resource_type = 'MedicationRequest' AND o.patient_id = p.patient_id
        WHERE p.collection = 'records' AND p.resource_type = 'Patient'
        GROUP BY p.patient_id, p.document->>'mrn'
        ORDER BY p.patient_id`,
    );
    const paracetamolOrder = (row: (typeof rows)[number], asNeeded: boolean) => row.gtins.findIndex((gtin, index) => gtin === PARACETAMOL_GTIN && row.as_needed[index] === asNeeded);
    const withParacetamol = rows.find((row) => paracetamolOrder(row, false) >= 0);
    const withAsNeeded = rows.find((row) => paracetamolOrder(row, true) >= 0);
    const without = rows.find((row) => !row.gtins.includes(PARACETAMOL_GTIN));
    if (!withParacetamol || !without || !withAsNeeded) throw new Error('The seed gave ward 4A no patient with scheduled paracetamol, none with as-needed paracetamol, or none without');
    const orderIdAt = (row: (typeof rows)[number], index: number) => (row.order_ids[index] as string).slice('MedicationRequest/'.length);
    return {
      withParacetamol: { patientId: withParacetamol.patient_id, mrn: withParacetamol.mrn },
      without: { patientId: without.patient_id, mrn: without.mrn },
      orderId: orderIdAt(withParacetamol, paracetamolOrder(withParacetamol, false)),
      withAsNeeded: { patientId: withAsNeeded.patient_id, mrn: withAsNeeded.mrn },
      asNeededOrderId: orderIdAt(withAsNeeded, paracetamolOrder(withAsNeeded, true)),
    };
  }

  beforeAll(async () => {
    stack = await startWorkstationStack({
      name: 'e2e-medication',
      database: 'postgresql',
      serverNow: () => clock.now(),
      settings: ({ serverUrl }) =>
        workstationSettings.parse({
          workstationId: 'ws-e2e-medication',
          serverUrl,
          wardId: 'ward-4a',
          scanning: { wristbandPattern: WRISTBAND_PATTERN, wedge: { maxInterKeyMs: TEST_MAX_INTER_KEY_MS }, hid: { enabled: false } },
        }),
      core: { clock },
      viewport: { width: 1280, height: 900 },
    });
    server = stack.server;
    page = stack.page;
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('checks scans and records doses offline', async () => {
    try {
      await nurseGivesMedication();
    } catch (error) {
      await page.screenshot({ path: join(SCREENSHOTS, 'medication-scan-failure.png'), fullPage: true });
      throw error;
    }
  });

  it('gives an as-needed dose and flags the next as too soon', async () => {
    try {
      await nurseGivesAsNeededDose();
    } catch (error) {
      await page.screenshot({ path: join(SCREENSHOTS, 'medication-as-needed-failure.png'), fullPage: true });
      throw error;
    }
  });

  async function nurseGivesAsNeededDose(): Promise<void> {
    const { withAsNeeded, asNeededOrderId } = await seededPatients();
    await page.getByTestId('sync-status').and(page.locator('[data-state="online"]')).waitFor({ timeout: 30_000 });

    // The seed gave two doses 13 and 7.5 hours back, so the order allows the next one now.
    await scan(page, `MRN${withAsNeeded.mrn}`);
    await page.getByTestId('banner-mrn').filter({ hasText: withAsNeeded.mrn }).waitFor();
    await page.getByTestId('bcma-wristband').and(page.locator('[data-confirmed="true"]')).waitFor();
    const row = page.locator(`[data-testid="mar-as-needed-order"][data-order-id="${asNeededOrderId}"]`);
    await row.waitFor();
    expect(await row.getByTestId('mar-as-needed-next').getAttribute('data-next-allowed-at')).toBe('now');
    expect(await row.textContent()).toContain('Pain or fever');
    expect(await row.getByTestId('mar-as-needed-totals').textContent()).toContain('2 g of at most 4 g in 24 h');
    await page.screenshot({ path: join(SCREENSHOTS, 'mar-as-needed.png'), fullPage: true });

    const result = page.getByTestId('bcma-result');
    await scan(page, paracetamolPack('P2468', '301231'));
    await result.and(page.locator('[data-outcome="pass"]')).waitFor();
    expect(await page.getByTestId('bcma-as-needed').textContent()).toContain('The next dose may be given now.');
    expect(await page.getByTestId('bcma-units').textContent()).toContain('2 × tablet');
    expect(await page.getByTestId('bcma-as-needed-reason').inputValue()).toBe('Pain or fever');
    await page.getByTestId('bcma-record').click();
    await page.getByTestId('bcma-recorded').waitFor();

    await expect.poll(() => row.getByTestId('mar-as-needed-next').getAttribute('data-next-allowed-at')).not.toBe('now');
    expect(await row.getByTestId('mar-as-needed-totals').textContent()).toContain('3 g of at most 4 g in 24 h');
    expect(await row.getByTestId('mar-as-needed-dose').first().textContent()).toContain('for Pain or fever');
    await page.screenshot({ path: join(SCREENSHOTS, 'mar-as-needed-given.png'), fullPage: true });

    // A second pack straight after: the 4-hour interval has not passed, which a reason may override.
    await scan(page, paracetamolPack('P2469', '301231'));
    await result.and(page.locator('[data-outcome="overridable"]')).waitFor();
    expect(await page.getByTestId('bcma-problem').evaluateAll((items) => items.map((item) => item.getAttribute('data-code')))).toEqual(['as-needed-too-soon']);
    expect(await result.textContent()).toMatch(/Too soon: the last dose was given at \d\d:\d\d, \d+ min ago, and this order needs 4 h 0 min between doses\./);
    await page.screenshot({ path: join(SCREENSHOTS, 'bcma-as-needed-too-soon.png'), fullPage: true });

    // The dose given reached the server with its reason in reasonCode and no scheduled time.
    await page.getByTestId('sync-pending').filter({ hasText: /^0$/ }).waitFor();
    const stored = await server.database.query<{ resource: { reasonCode: { coding: { code: string }[]; text: string }[]; extension?: unknown } }>(
      `SELECT document->'resource' AS resource FROM documents
        WHERE collection = 'entries' AND resource_type = 'MedicationAdministration' AND patient_id = $1
          AND NOT (document->'resource' ? 'meta')`,
      [withAsNeeded.patientId],
    );
    expect(stored.rows).toHaveLength(1);
    expect(stored.rows[0]?.resource.reasonCode[0]?.text).toBe('Pain or fever');
    expect(stored.rows[0]?.resource.reasonCode[0]?.coding[0]?.code).toBe('22253000');
    expect(stored.rows[0]?.resource.extension).toBeUndefined();
  }

  async function nurseGivesMedication(): Promise<void> {
    const { withParacetamol, without, orderId } = await seededPatients();

    await page.goto(stack.host.url);
    await signIn(page, 'nurse', 'nurse-demo');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="ward-row"]').length > 5, undefined, { timeout: 30_000 });
    await page.getByTestId('sync-status').and(page.locator('[data-state="online"]')).waitFor();

    // The wristband opens the patient's chart on the medication tab and identifies the patient.
    await scan(page, `MRN${withParacetamol.mrn}`);
    await page.getByTestId('bcma-wristband').and(page.locator('[data-confirmed="true"]')).waitFor();
    expect(await page.getByTestId('banner-mrn').textContent()).toContain(withParacetamol.mrn);
    const dueDose = page.locator(`[data-testid="mar-dose"][data-order-id="${orderId}"][data-scheduled-at="${dueAt.toISOString()}"]`);
    await expect.poll(() => dueDose.getAttribute('data-state')).toBe('due');
    await page.screenshot({ path: join(SCREENSHOTS, 'mar-wristband-scanned.png'), fullPage: true });

    // An expired pack of the due drug is blocked, with nothing to record.
    const result = page.getByTestId('bcma-result');
    await scan(page, paracetamolPack('B9876', '200131'));
    await result.and(page.locator('[data-outcome="blocked"]')).waitFor();
    expect(await page.getByTestId('bcma-problem').evaluateAll((items) => items.map((item) => item.getAttribute('data-code')))).toEqual(['expired']);
    expect(await result.textContent()).toContain('Expired medication: the package expired on 2020-01-31');
    expect(await page.getByTestId('bcma-record').count()).toBe(0);
    expect(await page.getByTestId('bcma-record-override').count()).toBe(0);
    await page.screenshot({ path: join(SCREENSHOTS, 'bcma-expired-blocked.png'), fullPage: true });

    // The central server goes down before the nurse scans the pack.
    await stack.stopServer();
    await page.getByTestId('sync-status').and(page.locator('[data-state="offline"]')).waitFor({ timeout: 30_000 });

    await scan(page, paracetamolPack('A1234', '301231'));
    await result.and(page.locator('[data-outcome="pass"]')).waitFor();
    expect(await page.getByTestId('bcma-units').textContent()).toContain('2 × tablet');
    expect(await page.getByTestId('bcma-product').textContent()).toContain('Lot A1234, expires 2030-12-31');
    expect(await page.getByTestId('bcma-scheduled').textContent()).toMatch(/\b([5-9]|1\d) min late/);
    await page.screenshot({ path: join(SCREENSHOTS, 'bcma-check-passed.png'), fullPage: true });

    await page.getByTestId('bcma-record').click();
    await page.getByTestId('bcma-recorded').waitFor();
    await expect.poll(() => dueDose.getAttribute('data-state')).toBe('given');
    await page.getByTestId('sync-pending').filter({ hasText: /^1$/ }).waitFor();
    expect(await dueDose.getByTestId('mar-sync-state').locator('[data-sync-state]').getAttribute('data-sync-state')).toBe('pending');
    expect(await page.getByTestId('sync-status').getAttribute('data-state')).toBe('offline');
    await page.screenshot({ path: join(SCREENSHOTS, 'bcma-recorded-offline.png'), fullPage: true });

    // Back online, the administration reaches PostgreSQL with the lot and expiry of the scanned pack.
    server = await stack.startServer();
    await page.getByTestId('sync-status').and(page.locator('[data-state="online"]')).waitFor({ timeout: 30_000 });
    await page.getByTestId('sync-pending').filter({ hasText: /^0$/ }).waitFor();
    const stored = await server.database.query<{ document: { code: string; resource: Record<string, unknown> } }>(
      `SELECT document FROM documents
        WHERE collection = 'entries' AND resource_type = 'MedicationAdministration' AND patient_id = $1
          AND NOT (document->'resource' ? 'meta')`,
      [withParacetamol.patientId],
    );
    expect(stored.rows).toHaveLength(1);
    const administration = stored.rows[0]?.document.resource as {
      status: string;
      request: { reference: string };
      performer: { actor: { reference: string } }[];
      contained: { code: { coding: { code: string }[] }; batch: { lotNumber: string; expirationDate: string } }[];
      extension: { url: string; valueDateTime?: string }[];
      dosage: { dose: { value: number; code: string } };
    };
    expect(administration.status).toBe('completed');
    expect(administration.request.reference).toBe(`MedicationRequest/${orderId}`);
    expect(administration.performer[0]?.actor.reference).toBe('Practitioner/user-nurse');
    expect(administration.contained[0]?.code.coding[0]?.code).toBe(PARACETAMOL_GTIN);
    expect(administration.contained[0]?.batch).toEqual({ lotNumber: 'A1234', expirationDate: '2030-12-31' });
    expect(administration.extension.find((extension) => extension.url === 'urn:hms:extension:scheduled-dose-time')?.valueDateTime).toBe(dueAt.toISOString());
    expect(administration.dosage.dose).toMatchObject({ value: 1, code: 'g' });
    expect(stored.rows[0]?.document.code).toBe(`https://www.gs1.org/gtin|${PARACETAMOL_GTIN}`);
    await expect.poll(() => dueDose.getByTestId('mar-sync-state').locator('[data-sync-state]').getAttribute('data-sync-state')).toBe('synced');
    await page.screenshot({ path: join(SCREENSHOTS, 'bcma-synced.png'), fullPage: true });

    // Another patient's wristband opens their chart. No paracetamol is ordered for this patient.
    await scan(page, `MRN${without.mrn}`);
    await page.getByTestId('banner-mrn').filter({ hasText: without.mrn }).waitFor();
    await page.getByTestId('bcma-wristband').and(page.locator('[data-confirmed="true"]')).waitFor();
    await scan(page, paracetamolPack('C5555', '301231'));
    await result.and(page.locator('[data-outcome="blocked"]')).waitFor();
    expect(await page.getByTestId('bcma-problem').evaluateAll((items) => items.map((item) => item.getAttribute('data-code')))).toEqual(['wrong-patient']);
    expect(await result.textContent()).toContain('Wrong patient: this medication is ordered for another patient');
    expect(await page.getByTestId('bcma-record').count()).toBe(0);
    await page.screenshot({ path: join(SCREENSHOTS, 'bcma-wrong-patient-blocked.png'), fullPage: true });

    // This patient's evening enoxaparin, six hours early: the check fails on the time alone, which a
    // documented reason may override. The reason is stored and the override audited.
    await page.getByTestId('bcma-clear').click();
    await scan(page, `]d201${FORMULARY.enoxaparin40.gtin}10E777${GROUP_SEPARATOR}17301231`);
    await result.and(page.locator('[data-outcome="overridable"]')).waitFor();
    expect(await page.getByTestId('bcma-problem').evaluateAll((items) => items.map((item) => item.getAttribute('data-code')))).toEqual(['wrong-time']);
    const recordOverride = page.getByTestId('bcma-record-override');
    expect(await recordOverride.isDisabled()).toBe(true);
    await page.getByTestId('bcma-override-reason').fill('Given early before transfer to theatre, agreed with Dr Demo');
    await page.screenshot({ path: join(SCREENSHOTS, 'bcma-override-reason.png'), fullPage: true });
    await recordOverride.click();
    await page.getByTestId('bcma-recorded').waitFor();
    await page.getByTestId('sync-pending').filter({ hasText: /^0$/ }).waitFor();

    const recorded = await server.database.query<{ patient_id: string; resource: { note: { text: string }[]; extension: { url: string }[] } }>(
      `SELECT patient_id, document->'resource' AS resource FROM documents
        WHERE collection = 'entries' AND resource_type = 'MedicationAdministration' AND NOT (document->'resource' ? 'meta')
        ORDER BY patient_id = $1`,
      [without.patientId],
    );
    expect(recorded.rows.map((row) => row.patient_id)).toEqual([withParacetamol.patientId, without.patientId]);
    const overridden = recorded.rows[1]?.resource;
    expect(overridden?.extension.map((extension) => extension.url)).toContain('urn:hms:extension:bcma-override');
    expect(overridden?.note[0]?.text).toBe('Bedside check overridden (wrong-time): Given early before transfer to theatre, agreed with Dr Demo');
    await expect
      .poll(async () => {
        const audits = await server.database.query(
          `SELECT 1 FROM documents WHERE collection = 'entries' AND resource_type = 'AuditEvent' AND patient_id = $1
             AND document->'resource'->'subtype'->0->>'code' = 'bcma-override'`,
          [without.patientId],
        );
        return audits.rows.length;
      })
      .toBe(1);
  }
});
