import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { SCREENSHOTS } from '../support/browser.js';
import type { WorkstationStack } from '../support/workstation-stack.js';
import { signIn, startWorkstationStack } from '../support/workstation-stack.js';

describe('nurse charts vitals through an outage', () => {
  let stack: WorkstationStack;

  beforeAll(async () => {
    stack = await startWorkstationStack({
      name: 'e2e-ward-vitals',
      database: 'postgresql',
      settings: { workstationId: 'ws-e2e', wardId: 'ward-4a' },
      viewport: { width: 1280, height: 800 },
    });
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('signs in, opens a Synthea patient, charts offline and syncs afterwards', async () => {
    const { page } = stack;
    await page.goto(stack.host.url);
    await signIn(page, 'nurse', 'nurse-demo');

    const rows = page.getByTestId('ward-row');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="ward-row"]').length > 5, undefined, { timeout: 30_000 });
    await page.getByTestId('sync-status').and(page.locator('[data-state="online"]')).waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'ward-list.png'), fullPage: true });

    const patientId = (await rows.first().getAttribute('data-patient-id')) as string;
    const [seededPatient] = (await stack.server.database.query<{ mrn: string }>(
      "SELECT document->>'mrn' AS mrn FROM documents WHERE collection = 'records' AND id = $1",
      [`Patient/${patientId}`],
    )).rows;
    await rows.first().click();
    await page.getByTestId('patient-banner').waitFor();
    expect(await page.getByTestId('banner-mrn').textContent()).toContain(seededPatient?.mrn);

    await stack.stopServer();
    await page.getByTestId('sync-status').and(page.locator('[data-state="offline"]')).waitFor({ timeout: 30_000 });

    // Typing slips first: the score panel names them as not valid, not as missing.
    await page.getByTestId('vitals-temperature').fill('383');
    await page.getByTestId('vitals-systolicBloodPressure').fill('104/62');
    expect(await page.getByTestId('vitals-invalid').textContent()).toContain('Systolic BP and Temperature');
    expect(await page.getByTestId('vitals-incomplete').locator('.news2-result__missing').textContent()).not.toContain('Temperature');
    await page.getByTestId('vitals-pulse').focus();
    expect(await page.locator('body').innerText()).toContain('Enter the systolic pressure only, for example 120 for 120/80.');
    await page.screenshot({ path: join(SCREENSHOTS, 'chart-vitals-typing-slips.png') });

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

    await stack.startServer();
    await page.getByTestId('sync-status').and(page.locator('[data-state="online"]')).waitFor({ timeout: 30_000 });
    await page.getByTestId('sync-pending').filter({ hasText: /^0$/ }).waitFor();
    // The chart body scrolls under the banner and the sync strip, which stay in view.
    await page.getByTestId('vitals-history').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SCREENSHOTS, 'chart-history-synced.png') });

    const charted = await stack.server.database.query<{ document: { resource: { component: { code: { coding: { code: string }[] }; valueQuantity?: { value: number } }[] } } }>(
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
