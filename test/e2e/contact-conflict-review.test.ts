import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

import { pino } from 'pino';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { BrowserHost } from '../../main/browser-host/browser-host.js';
import type { Core } from '../../main/core/core.js';
import type { SyncServer } from '../../sync/server/app.js';
import { ensureRendererBuilt, launchChromium, SCREENSHOTS } from '../support/browser.js';
import { FaultProxy } from '../support/fault-proxy.js';
import { makeTempDirectory } from '../support/replica.js';
import type { ReferenceServer } from '../support/workstation-stack.js';
import { signIn, startReferenceServer, startWorkstation } from '../support/workstation-stack.js';

/**
 * Two workstations of one ward change the same patient's phone number while both are offline.
 * Each workstation reaches the server through a fault proxy of its own, so that one can reconnect
 * before the other. The second to reconnect meets a conflict, tells the nurse that her change was
 * not applied, and she keeps her version from the Needs attention screen.
 */

const PHONE_A = '07700 900111';
const PHONE_B = '07700 900222';
const SYNC_TIMEOUT_MS = 30_000;

interface Workstation {
  name: string;
  proxy: FaultProxy;
  core: Core;
  host: BrowserHost;
  page: Page;
  data: { path: string; remove: () => void };
  /** Closes the host and the core. */
  close(): Promise<void>;
}

describe('two workstations edit one phone number offline', () => {
  const logger = pino({ level: 'silent' });
  let reference: ReferenceServer;
  let server: SyncServer;
  let browser: Browser;
  const workstations: Workstation[] = [];

  async function openWorkstation(name: string): Promise<Workstation> {
    const proxy = await FaultProxy.start({ targetPort: Number(new URL(server.url).port) });
    const data = makeTempDirectory(`e2e-${name}`);
    const started = await startWorkstation({
      serverUrl: proxy.url,
      dataDirectory: data.path,
      logger,
      settings: { workstationId: name, wardId: 'ward-4a' },
      // Two replicas in one process need two RxDB database names.
      core: { replicaName: `replica-${name}` },
    });
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const workstation = { name, proxy, core: started.core, host: started.host, page, data, close: started.close };
    workstations.push(workstation);
    return workstation;
  }

  beforeAll(async () => {
    ensureRendererBuilt();
    mkdirSync(SCREENSHOTS, { recursive: true });
    reference = await startReferenceServer({ name: 'e2e_conflict', database: 'postgresql', logger });
    server = reference.server;
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    for (const workstation of workstations) {
      await workstation.close();
      await workstation.proxy.close();
      workstation.data.remove();
    }
    await reference?.close();
  });

  async function signInAndSync(page: Page, url: string, username: string, password: string): Promise<void> {
    await page.goto(url);
    await signIn(page, username, password);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="ward-row"]').length > 5, undefined, { timeout: SYNC_TIMEOUT_MS });
    await waitForState(page, 'online');
  }

  async function waitForState(page: Page, state: string): Promise<void> {
    await page.getByTestId('sync-status').and(page.locator(`[data-state="${state}"]`)).waitFor({ timeout: SYNC_TIMEOUT_MS });
  }

  async function editPhone(page: Page, phone: string, screenshot?: string): Promise<void> {
    await page.getByTestId('contact-edit').click();
    await page.getByTestId('contact-phone').fill(phone);
    if (screenshot) await page.getByTestId('contact-form').screenshot({ path: join(SCREENSHOTS, screenshot) });
    await page.getByTestId('contact-save').click();
    await page.getByTestId('patient-phone').filter({ hasText: phone }).waitFor();
  }

  async function patientSyncState(page: Page): Promise<string | null> {
    return page.getByTestId('patient-sync-state').locator('[data-sync-state]').getAttribute('data-sync-state');
  }

  it('tells the nurse her change lost and lets her keep it', async () => {
    const a = await openWorkstation('ws-a');
    const b = await openWorkstation('ws-b');
    await signInAndSync(a.page, a.host.url, 'nurse', 'nurse-demo');
    await signInAndSync(b.page, b.host.url, 'doctor', 'doctor-demo');

    const patientId = (await a.page.getByTestId('ward-row').first().getAttribute('data-patient-id')) as string;
    await a.page.locator(`[data-testid="ward-row"][data-patient-id="${patientId}"]`).click();
    await b.page.locator(`[data-testid="ward-row"][data-patient-id="${patientId}"]`).click();
    await a.page.getByTestId('patient-details').waitFor();
    await b.page.getByTestId('patient-details').waitFor();
    expect(await patientSyncState(a.page)).toBe('synced');

    // Both lose the server, and each changes the phone number.
    await a.proxy.refuse({ resetOpen: true });
    await b.proxy.refuse({ resetOpen: true });
    await waitForState(a.page, 'offline');
    await waitForState(b.page, 'offline');
    await editPhone(a.page, PHONE_A, 'contact-form.png');
    await editPhone(b.page, PHONE_B);
    expect(await patientSyncState(a.page)).toBe('pending');
    await a.page.getByTestId('patient-details').scrollIntoViewIfNeeded();
    await a.page.screenshot({ path: join(SCREENSHOTS, 'contact-edited-offline.png') });

    // The doctor's workstation reconnects first: its number reaches the server.
    await b.proxy.accept();
    await waitForState(b.page, 'online');
    await b.page.getByTestId('sync-pending').filter({ hasText: /^0$/ }).waitFor({ timeout: SYNC_TIMEOUT_MS });
    await b.page.locator('[data-testid="patient-sync-state"] [data-sync-state="synced"]').waitFor({ timeout: SYNC_TIMEOUT_MS });

    // The nurse's workstation reconnects, meets the conflict and shows it in the chart.
    await a.proxy.accept();
    await a.page.getByTestId('sync-conflicts').waitFor({ timeout: SYNC_TIMEOUT_MS });
    await a.page.getByTestId('patient-conflict-notice').waitFor({ timeout: SYNC_TIMEOUT_MS });
    await a.page.getByTestId('patient-phone').filter({ hasText: PHONE_B }).waitFor();
    expect(await patientSyncState(a.page)).toBe('conflict');
    expect(await a.page.getByTestId('patient-conflict-notice').textContent()).toContain('Your change to the phone number was not applied');
    await a.page.getByTestId('patient-details').scrollIntoViewIfNeeded();
    await a.page.screenshot({ path: join(SCREENSHOTS, 'contact-conflict-in-chart.png') });

    await a.page.getByTestId('sync-conflicts').click();
    const card = a.page.getByTestId('conflict-card');
    await card.waitFor();
    expect(await card.getByTestId('conflict-headline').textContent()).toMatch(/Your change to the phone number of .+ was not applied: it was changed on the central server first/);
    expect(await card.getByTestId('conflict-local').textContent()).toContain(PHONE_A);
    expect(await card.getByTestId('conflict-server').textContent()).toContain(PHONE_B);
    await a.page.screenshot({ path: join(SCREENSHOTS, 'needs-attention-conflict.png'), fullPage: true });

    await card.getByTestId('conflict-keep-mine').click();
    await a.page.getByTestId('attention-outcome').waitFor();
    await a.page.getByTestId('conflict-card').waitFor({ state: 'detached' });
    await a.page.getByTestId('sync-conflicts').waitFor({ state: 'detached', timeout: SYNC_TIMEOUT_MS });
    await a.page.getByTestId('sync-pending').filter({ hasText: /^0$/ }).waitFor({ timeout: SYNC_TIMEOUT_MS });
    await a.page.screenshot({ path: join(SCREENSHOTS, 'needs-attention-resolved.png'), fullPage: true });

    // The nurse's number is on the server, and the doctor's chart shows it.
    await b.page.getByTestId('patient-phone').filter({ hasText: PHONE_A }).waitFor({ timeout: SYNC_TIMEOUT_MS });
    await b.page.getByTestId('patient-details').scrollIntoViewIfNeeded();
    await b.page.screenshot({ path: join(SCREENSHOTS, 'contact-resolved-other-workstation.png') });
    const stored = await server.database.query<{ phone: string }>(
      `SELECT jsonb_path_query_first(document, '$.resource.telecom[*] ? (@.id == "phone").value') #>> '{}' AS phone
         FROM documents WHERE collection = 'records' AND id = $1`,
      [`Patient/${patientId}`],
    );
    expect(stored.rows.map((row) => row.phone)).toEqual([PHONE_A]);

    // The conflict itself is in the audit trail that reached the server.
    const audited = await waitForRows(
      () =>
        server.database.query<{ outcome: string }>(
          `SELECT document->'resource'->>'outcome' AS outcome FROM documents
            WHERE collection = 'entries' AND resource_type = 'AuditEvent'
              AND document->'resource'->'subtype'->0->>'code' = 'push-conflict' AND patient_id = $1`,
          [patientId],
        ),
      1,
    );
    expect(audited.map((row) => row.outcome)).toEqual(['4']);
  });

  // The proxy plays a server that rejects vital signs panels (LOINC 85353-1) with 422 until the
  // cause is fixed. Then the nurse resends the set from the Needs attention screen.
  it('lists a refused vitals set and resends it', async () => {
    const a = workstations[0] as Workstation;
    const page = a.page;
    await page.getByTestId('back-to-ward').click();
    await page.getByTestId('ward-row').first().click();
    await page.getByTestId('vitals-form').waitFor();
    const rejectionRule = a.proxy.addRule({ match: { method: 'POST', path: '/sync/entries/push', bodyIncludes: '85353-1' }, action: { kind: 'status', status: 422 } });

    const historyBefore = await page.getByTestId('vitals-history-row').count();
    await page.getByTestId('vitals-pulse').fill('96');
    await page.getByTestId('vitals-save').click();
    await page.waitForFunction((before) => document.querySelectorAll('[data-testid="vitals-history-row"]').length === before + 1, historyBefore);
    await page.getByTestId('sync-rejected').waitFor({ timeout: SYNC_TIMEOUT_MS });
    const refusedRow = page.locator('[data-testid="vitals-history-row"][data-sync-state="rejected"]');
    await refusedRow.waitFor({ timeout: SYNC_TIMEOUT_MS });
    const observationId = (await refusedRow.getAttribute('data-vitals-id')) as string;
    expect(rejectionRule.hits).toBeGreaterThan(0);
    await page.getByTestId('vitals-history').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SCREENSHOTS, 'vitals-refused-in-chart.png') });

    await page.getByTestId('sync-rejected').click();
    const card = page.getByTestId('rejected-card');
    await card.waitFor();
    expect(await card.getByTestId('rejected-reason').textContent()).toContain('422');
    await page.screenshot({ path: join(SCREENSHOTS, 'needs-attention-refused.png'), fullPage: true });

    rejectionRule.remove();
    await card.getByTestId('rejected-resend').click();
    await page.getByTestId('attention-outcome').filter({ hasText: 'accepted' }).waitFor({ timeout: SYNC_TIMEOUT_MS });
    await page.getByTestId('rejected-card').waitFor({ state: 'detached' });
    await page.getByTestId('sync-rejected').waitFor({ state: 'detached' });
    await page.screenshot({ path: join(SCREENSHOTS, 'needs-attention-resent.png'), fullPage: true });

    const stored = await server.database.query("SELECT 1 FROM documents WHERE collection = 'entries' AND id = $1", [`Observation/${observationId}`]);
    expect(stored.rowCount).toBe(1);
    await page.getByTestId('back-to-ward').click();
    await page.getByTestId('ward-row').first().click();
    await page.locator(`[data-testid="vitals-history-row"][data-vitals-id="${observationId}"][data-sync-state="synced"]`).waitFor({ timeout: SYNC_TIMEOUT_MS });
    await page.getByTestId('sync-pending').filter({ hasText: /^0$/ }).waitFor({ timeout: SYNC_TIMEOUT_MS });
  });
});

/** Polls `query` until it returns at least `count` rows, because AuditEvents reach the server with the next push. */
async function waitForRows<T>(query: () => Promise<{ rows: T[] }>, count: number): Promise<T[]> {
  const deadline = Date.now() + SYNC_TIMEOUT_MS;
  for (;;) {
    const { rows } = await query();
    if (rows.length >= count || Date.now() > deadline) return rows;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
