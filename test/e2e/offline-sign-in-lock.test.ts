import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { SCREENSHOTS } from '../support/browser.js';
import { ManualClock, MINUTE } from '../support/clock.js';
import type { WorkstationStack } from '../support/workstation-stack.js';
import { signIn, startWorkstationStack } from '../support/workstation-stack.js';

/**
 * A nurse signs in online; the central server goes down and the workstation restarts; she signs in
 * offline, charts vitals, the workstation locks and she unlocks it; the server comes back and her
 * vitals and the audit trail of all this are in PostgreSQL.
 */
describe('offline sign-in and the inactivity lock', () => {
  // The core's clock: the test moves it to reach the lock without waiting a minute.
  const clock = new ManualClock(new Date().toISOString());
  let stack: WorkstationStack;

  beforeAll(async () => {
    stack = await startWorkstationStack({
      name: 'e2e-offline-sign-in',
      database: 'postgresql',
      settings: { workstationId: 'ws-e2e-offline', wardId: 'ward-4a' },
      core: { clock, policy: { inactivityLockMinutes: 1 } },
      viewport: { width: 1280, height: 800 },
    });
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('signs in offline after a restart, locks, unlocks and syncs with its audit trail', async () => {
    const { page } = stack;
    await page.goto(stack.host.url);
    await page.waitForFunction(() => document.querySelector('[data-testid="signin-username"]') !== null);
    // With the server up, the first health check finds it: no warning on the sign-in screen.
    await expect.poll(() => stack.core.gateway.handle('session:serverReachable', {}, { senderId: 'test' })).toMatchObject({ ok: true, value: { reachable: true } });
    expect(await page.getByTestId('signin-server-unreachable').count()).toBe(0);
    await signIn(page, 'nurse', 'nurse-demo');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="ward-row"]').length > 5, undefined, { timeout: 30_000 });
    await page.getByTestId('sync-status').and(page.locator('[data-state="online"]')).waitFor({ timeout: 30_000 });

    await stack.stopServer();
    await stack.restartWorkstation();
    await page.goto(stack.host.url);
    // The sign-in screen shows that the server is down before anyone tries.
    await page.getByTestId('signin-server-unreachable').waitFor({ timeout: 30_000 });
    await page.screenshot({ path: join(SCREENSHOTS, 'sign-in-server-unreachable.png') });
    await signIn(page, 'nurse', 'nurse-demo');
    await page.getByTestId('session-offline').waitFor({ timeout: 30_000 });
    await page.getByTestId('sync-status').and(page.locator('[data-state="offline"]')).waitFor({ timeout: 30_000 });
    await page.screenshot({ path: join(SCREENSHOTS, 'offline-sign-in.png') });

    const row = page.getByTestId('ward-row').first();
    const patientId = (await row.getAttribute('data-patient-id')) as string;
    await row.click();
    const patientName = ((await page.getByTestId('banner-name').textContent()) ?? '').trim();
    await page.getByTestId('vitals-pulse').fill('118');
    await page.getByTestId('vitals-respiratoryRate').fill('24');
    await page.getByTestId('vitals-save').click();
    await page.getByTestId('sync-pending').filter({ hasText: /^1$/ }).waitFor();

    clock.advance(MINUTE + 1_000);
    await stack.core.session.checkInactivity();
    await page.getByTestId('lock-screen').waitFor();
    const lockedText = (await page.locator('body').innerText()) + (await page.title());
    expect(patientName.length).toBeGreaterThan(2);
    expect(lockedText).not.toContain(patientName.split(',')[0]);
    await page.screenshot({ path: join(SCREENSHOTS, 'lock-screen.png') });
    clock.advance(1_000);

    await page.getByTestId('lock-password').fill('wrong-password');
    await page.getByTestId('lock-unlock').click();
    await page.getByTestId('lock-error').waitFor();
    await page.getByTestId('lock-password').fill('nurse-demo');
    await page.getByTestId('lock-unlock').click();
    await page.getByTestId('patient-banner').waitFor();
    expect(await page.getByTestId('banner-name').textContent()).toContain(patientName);

    await stack.startServer();
    await page.getByTestId('sync-status').and(page.locator('[data-state="online"]')).waitFor({ timeout: 30_000 });
    await page.getByTestId('sync-pending').filter({ hasText: /^0$/ }).waitFor({ timeout: 30_000 });
    // The notice no longer states that changes wait for the server.
    await page.locator('[data-testid="session-offline"][data-server-back="true"]').waitFor();
    expect(await page.getByTestId('session-offline').textContent()).toContain('reachable again');
    await page.screenshot({ path: join(SCREENSHOTS, 'unlocked-synced.png') });
    await stack.core.replication.awaitInSync();

    const vitals = await stack.server.database.query<{ id: string }>(
      `SELECT id FROM documents WHERE collection = 'entries' AND patient_id = $1 AND resource_type = 'Observation'
         AND document->'resource'->'performer'->0->>'reference' = 'Practitioner/user-nurse' AND NOT (document->'resource' ? 'meta')`,
      [patientId],
    );
    expect(vitals.rows).toHaveLength(1);

    const audits = await stack.server.database.query<{ subtype: string; outcome: string }>(
      `SELECT document->'resource'->'subtype'->0->>'code' AS subtype, document->'resource'->>'outcome' AS outcome
         FROM documents WHERE collection = 'entries' AND resource_type = 'AuditEvent'
          AND document->'resource'->'source'->'observer'->>'display' = 'ws-e2e-offline'
        ORDER BY document->'resource'->>'recorded'`,
    );
    const trail = audits.rows.map((audit) => `${audit.subtype}:${audit.outcome}`);
    expect(trail.filter((entry) => entry === '110122:0')).toHaveLength(2);
    expect(trail).toContain('vitals:record:0');
    expect(trail).toContain('lock:0');
    expect(trail).toContain('unlock:4');
    expect(trail).toContain('unlock:0');
    expect(trail.indexOf('lock:0')).toBeLessThan(trail.indexOf('unlock:0'));

    // A new entry makes the status sync for a moment, which must not turn the notice back.
    await page.evaluate(() => {
      const seen: string[] = [];
      const notice = document.querySelector('[data-testid="session-offline"]') as HTMLElement;
      const status = document.querySelector('[data-testid="sync-status"]') as HTMLElement;
      new MutationObserver(() => seen.push(`notice:${notice.dataset.serverBack}`)).observe(notice, { attributeFilter: ['data-server-back'] });
      new MutationObserver(() => seen.push(`status:${status.dataset.state}`)).observe(status, { attributeFilter: ['data-state'] });
      (window as unknown as { seenStates: string[] }).seenStates = seen;
    });
    await page.getByTestId('vitals-pulse').fill('96');
    await page.getByTestId('vitals-respiratoryRate').fill('18');
    await page.getByTestId('vitals-save').click();
    await expect.poll(() => page.evaluate(() => (window as unknown as { seenStates: string[] }).seenStates)).toContain('status:online');
    await page.getByTestId('sync-pending').filter({ hasText: /^0$/ }).waitFor({ timeout: 30_000 });
    const seen = await page.evaluate(() => (window as unknown as { seenStates: string[] }).seenStates);
    expect(seen).toContain('status:syncing');
    expect(seen).not.toContain('notice:false');
    expect(await page.getByTestId('session-offline').textContent()).toContain('reachable again');
  });
});
