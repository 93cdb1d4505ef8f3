import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

import { pino } from 'pino';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { BrowserHost } from '../../main/browser-host/browser-host.js';
import { startBrowserHost } from '../../main/browser-host/browser-host.js';
import type { Core } from '../../main/core/core.js';
import { createCore } from '../../main/core/core.js';
import type { SyncServer } from '../../sync/server/app.js';
import { createServer } from '../../sync/server/app.js';
import type { TestDatabase } from '../support/postgres.js';
import { createTestDatabase } from '../support/postgres.js';
import { ensureRendererBuilt, launchChromium, RENDERER, SCREENSHOTS } from '../support/browser.js';
import { makeTempDirectory } from '../support/replica.js';



describe('nurse charts vitals through an outage', () => {
  let database: TestDatabase;
  let server: SyncServer;
  let serverPort: number;
  let core: Core;
  let host: BrowserHost;
  let browser: Browser;
  let page: Page;
  const workstationData = makeTempDirectory('e2e-workstation');
  const logger = pino({ level: 'silent' });

  const startServer = (port: number) => createServer({ port, databaseUrl: database.url, seed: true, logLevel: 'silent' });

  beforeAll(async () => {
    ensureRendererBuilt();
    mkdirSync(SCREENSHOTS, { recursive: true });

    database = await createTestDatabase('e2e');
    server = await startServer(0);
    serverPort = Number(new URL(server.url).port);
    core = await createCore({
      settings: { workstationId: 'ws-e2e', serverUrl: server.url, wardId: 'ward-4a' },
      dataDirectory: workstationData.path,
      logger,
      connectivity: { minProbeIntervalMs: 200, maxProbeIntervalMs: 1_000 },
    });
    host = await startBrowserHost({ gateway: core.gateway, events: core.events, logger, rendererDirectory: RENDERER });

    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  });

  afterAll(async () => {
    await browser?.close();
    await host?.close();
    await core?.close();
    await server?.close();
    await database?.drop();
    workstationData.remove();
  });

  it('signs in, opens a Synthea patient, charts offline and syncs afterwards', async () => {
    await page.goto(host.url);
    await page.getByTestId('signin-username').fill('nurse');
    await page.getByTestId('signin-password').fill('nurse-demo');
    await page.getByTestId('signin-submit').click();

    const rows = page.getByTestId('ward-row');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="ward-row"]').length > 5, undefined, { timeout: 30_000 });
    await page.getByTestId('sync-status').and(page.locator('[data-state="online"]')).waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'ward-list.png'), fullPage: true });

    const patientId = (await rows.first().getAttribute('data-patient-id')) as string;
    const [seededPatient] = (await server.database.query<{ mrn: string }>(
      "SELECT document->>'mrn' AS mrn FROM documents WHERE collection = 'records' AND id = $1",
      [`Patient/${patientId}`],
    )).rows;
    await rows.first().click();
    await page.getByTestId('patient-banner').waitFor();
    expect(await page.getByTestId('banner-mrn').textContent()).toContain(seededPatient?.mrn);

    await server.close();
    await page.getByTestId('sync-status').and(page.locator('[data-state="offline"]')).waitFor({ timeout: 30_000 });

    await page.getByTestId('vitals-respiratoryRate').fill('23');
    await page.getByTestId('vitals-spo2').fill('94');
    await page.getByTestId('vitals-onOxygen').selectOption('air');
    await page.getByTestId('vitals-systolicBloodPressure').fill('104');
    await page.getByTestId('vitals-pulse').fill('112');
    await page.getByTestId('vitals-consciousness').selectOption('A');
    await page.getByTestId('vitals-temperature').fill('38.3');
    // RR 23 → 2, SpO2 94 → 1, air → 0, SBP 104 → 1, pulse 112 → 2, alert → 0, 38.3 °C → 1.
    expect(await page.getByTestId('vitals-total').textContent()).toContain('7');
    await page.screenshot({ path: join(SCREENSHOTS, 'chart-vitals-entered.png') });
    const historyBefore = await page.getByTestId('vitals-history-row').count();
    await page.getByTestId('vitals-save').click();

    await page.waitForFunction(
      (before) => document.querySelectorAll('[data-testid="vitals-history-row"]').length === before + 1,
      historyBefore,
      { timeout: 30_000 },
    );
    await page.getByTestId('sync-pending').filter({ hasText: /^1$/ }).waitFor();
    expect(await page.getByTestId('sync-status').getAttribute('data-state')).toBe('offline');
    await page.screenshot({ path: join(SCREENSHOTS, 'chart-saved-offline.png') });

    server = await startServer(serverPort);
    await page.getByTestId('sync-status').and(page.locator('[data-state="online"]')).waitFor({ timeout: 30_000 });
    await page.getByTestId('sync-pending').filter({ hasText: /^0$/ }).waitFor();
    // The chart body scrolls under the banner and the sync strip, which stay in view.
    await page.getByTestId('vitals-history').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SCREENSHOTS, 'chart-history-synced.png') });

    const charted = await server.database.query<{ document: { resource: { component: { code: { coding: { code: string }[] }; valueQuantity?: { value: number } }[] } } }>(
      `SELECT document FROM documents
        WHERE collection = 'entries' AND patient_id = $1
          AND document->'resource'->'performer'->0->>'reference' = 'Practitioner/user-nurse'
          AND NOT (document->'resource' ? 'meta')`,
      [patientId],
    );
    expect(charted.rows).toHaveLength(1);
    const components = charted.rows[0]?.document.resource.component ?? [];
    const valueOf = (loinc: string) => components.find((component) => component.code.coding[0]?.code === loinc)?.valueQuantity?.value;
    expect(valueOf('8867-4')).toBe(112);
    expect(valueOf('9279-1')).toBe(23);
    expect(valueOf('8310-5')).toBe(38.3);
  });
});
