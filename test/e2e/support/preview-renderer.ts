/**
 * Developer tool, not a test: serves the built renderer (dist/renderer) on 127.0.0.1 with the
 * hosts' CSP, drives Debian's Chromium against a mocked `window.hms`, and writes screenshots at
 * 1280×800 to test-results/renderer-preview/.
 *
 *   npm run build:renderer && npx tsx test/e2e/support/preview-renderer.ts
 *
 * Prints the page's console warnings and errors (the renderer logs ids and error codes only) and
 * any CSP violation, and exits non-zero if there was one.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';

import type { Browser, Page } from 'playwright-core';
import { chromium } from 'playwright-core';

import type { MockOptions } from './mock-hms-api.js';
import { MOCK_PASSWORD, MOCK_UNKNOWN_OFFLINE_USERNAME, MockHms } from './mock-hms-api.js';
import { labJourney, labConnectionsForIt } from './preview-lab.js';
import { createMockWebSocketHost } from './mock-websocket-host.js';
import { serveStatic } from './static-server.js';

const repositoryRoot = resolve(import.meta.dirname, '../../..');
const distDirectory = join(repositoryRoot, 'dist/renderer');
const outputDirectory = join(repositoryRoot, 'test-results/renderer-preview');
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const problems: string[] = [];

interface OpenPageOptions {
  /** Replaces the page's timers and Date with Playwright's fake clock, so a test can jump ahead in time. */
  fakeClock?: boolean;
}

async function openPage(browser: Browser, baseUrl: string, mock: MockHms | null, options: OpenPageOptions = {}): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') {
      console.log(`  page ${message.type()}: ${message.text()}`);
      if (/Content Security Policy/i.test(message.text())) problems.push(message.text());
    }
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  await page.addInitScript({
    content: `document.addEventListener('securitypolicyviolation', (event) => console.error('Content Security Policy violation: ' + event.violatedDirective + ' ' + event.blockedURI + ' at ' + event.sourceFile + ':' + event.lineNumber + ':' + event.columnNumber));`,
  });
  if (mock !== null) await mock.install(page);
  if (options.fakeClock === true) await page.clock.install();
  await page.goto(baseUrl);
  return page;
}

async function shoot(page: Page, name: string): Promise<void> {
  const path = join(outputDirectory, `${name}.png`);
  await page.screenshot({ path });
  console.log(`wrote ${path}`);
}

function check(condition: boolean, problem: string): void {
  if (!condition) problems.push(problem);
}

async function signIn(page: Page, password = MOCK_PASSWORD, username = 'amorgan'): Promise<void> {
  await page.getByTestId('signin-username').fill(username);
  await page.getByTestId('signin-password').fill(password);
  await page.getByTestId('signin-submit').click();
}

async function fillVitals(page: Page, values: Record<string, string>): Promise<void> {
  for (const [parameter, value] of Object.entries(values)) {
    const field = page.getByTestId(`vitals-${parameter}`);
    if ((await field.evaluate((element) => element.tagName)) === 'SELECT') await field.selectOption(value);
    else await field.fill(value);
  }
}

async function nurseJourney(browser: Browser, baseUrl: string): Promise<void> {
  const mock = new MockHms({ role: 'nurse' });
  const page = await openPage(browser, baseUrl, mock);

  await page.getByTestId('signin-submit').waitFor();
  await shoot(page, '01-sign-in');
  await signIn(page, 'wrong password');
  await page.getByTestId('signin-error').waitFor();
  await shoot(page, '02-sign-in-error');

  await page.getByTestId('signin-password').fill(MOCK_PASSWORD);
  await page.getByTestId('signin-submit').click();
  await page.getByTestId('ward-list').waitFor();
  await shoot(page, '03-ward-list');
  await checkIncompleteSets(page);

  await page.locator('[data-testid="ward-row"][data-patient-id="pat-0001"]').focus();
  await page.keyboard.press('Enter');
  await page.getByTestId('vitals-form').waitFor();
  await shoot(page, '04-chart-empty');

  await fillVitals(page, { respiratoryRate: '23', spo2: '95', pulse: '135' });
  await shoot(page, '05-chart-partial');

  await fillVitals(page, { onOxygen: 'oxygen', systolicBloodPressure: '104', consciousness: 'A', temperature: '38.4' });
  await page.getByTestId('vitals-temperature').blur();
  await shoot(page, '06-chart-complete');

  await page.getByTestId('vitals-save').click();
  await page.getByText('Observations saved at').waitFor();
  await shoot(page, '07-chart-saved');
  await page.getByTestId('vitals-history').scrollIntoViewIfNeeded();
  await shoot(page, '07b-chart-history');

  await fillVitals(page, { pulse: '7O', temperature: '37.25', spo2: '20' });
  await page.getByTestId('vitals-save').click();
  await page.getByTestId('vitals-error').waitFor();
  await shoot(page, '08-chart-invalid');

  // The form message goes once the highlighted fields are corrected, before saving again.
  await fillVitals(page, { pulse: '70', temperature: '37.2' });
  check((await page.getByTestId('vitals-error').count()) === 1, 'the form message went while SpO2 was still invalid');
  await fillVitals(page, { spo2: '95' });
  await page.getByTestId('vitals-error').waitFor({ state: 'detached' });
  await shoot(page, '08b-chart-corrected');
  await fillVitals(page, { pulse: '', temperature: '', spo2: '' });

  await page.getByTestId('back-to-ward').click();
  await page.getByTestId('ward-list').waitFor();
  await mock.setSyncStatus({ ...mock.syncStatus, state: 'offline', lastError: 'Central server unreachable (ECONNREFUSED)' });
  await shoot(page, '09-ward-list-offline');
  await page.close();
}

/**
 * Checks the ward list's markers for newer incomplete sets: one beside an older NEWS2 with a
 * score of 3 in one parameter, and one on a row without any NEWS2.
 */
async function checkIncompleteSets(page: Page): Promise<void> {
  const markers = page.getByTestId('ward-latest-incomplete');
  check((await markers.count()) === 2, `expected 2 incomplete-set markers, found ${await markers.count()}`);

  const red = page.locator('[data-testid="ward-row"][data-patient-id="pat-0004"] [data-testid="ward-latest-incomplete"]');
  check((await red.getAttribute('data-single-parameter-three')) === 'true', 'the newer set of pat-0004 is not marked as scoring 3 in one parameter');
  check(/^Incomplete set \d\d:\d\d/.test(await red.innerText()), 'the marker of pat-0004 does not show "Incomplete set HH:MM"');
  check((await red.innerText()).includes('Score 3 in one parameter'), 'the red marker of pat-0004 is missing');

  const withoutNews2 = page.locator('[data-testid="ward-row"][data-patient-id="pat-0006"] [data-testid="ward-latest-incomplete"]');
  check((await withoutNews2.getAttribute('data-single-parameter-three')) === 'false', 'pat-0006 has no marker, or a red one');

  await page.locator('[data-testid="ward-row"][data-patient-id="pat-0004"]').focus();
  await shoot(page, '27-ward-incomplete-newer-set');
}

/** Shows refused changes and a technical sync error in the strip, then their explanations on focus. */
async function syncStripJourney(browser: Browser, baseUrl: string): Promise<void> {
  const mock = new MockHms({ role: 'nurse', signedIn: true });
  const page = await openPage(browser, baseUrl, mock);
  await page.getByTestId('ward-list').waitFor();

  const technical = 'Central server http://127.0.0.1:8080 is unreachable (UND_ERR_SOCKET)';
  await mock.setSyncStatus({ ...mock.syncStatus, state: 'offline', pendingChanges: 1, rejectedChanges: 2, lastError: technical });
  const rejected = page.getByTestId('sync-rejected');
  await rejected.waitFor();
  check((await rejected.innerText()).includes('2 changes refused by the server'), 'the strip does not count the refused changes');
  check(!(await page.getByTestId('sync-status').innerText()).includes('UND_ERR_SOCKET'), 'the strip shows the error code to the nurse');

  await rejected.focus();
  check((await rejected.innerText()).includes('listed with the reason the server gave'), 'the refused changes have no explanation on focus');
  await shoot(page, '28-sync-rejected');

  await page.getByTestId('sync-error').focus();
  check((await page.getByTestId('sync-error').innerText()).includes('UND_ERR_SOCKET'), 'the detail for IT is missing on focus');
  await shoot(page, '28b-sync-error-detail');

  // Online, but the live stream is down and a change has waited 20 minutes.
  const twentyMinutesAgo = new Date(Date.now() - 20 * 60_000).toISOString();
  await mock.setSyncStatus({
    ...mock.syncStatus,
    state: 'online',
    pendingChanges: 3,
    rejectedChanges: 0,
    openConflicts: 1,
    oldestPendingAt: twentyMinutesAgo,
    liveUpdates: { flowing: false, interruptedSince: twentyMinutesAgo },
    lastError: null,
  });
  await page.getByTestId('sync-live-interrupted').waitFor();
  check((await page.getByTestId('sync-oldest-pending').innerText()).includes('Oldest unsent change'), 'the strip does not warn of an old unsent change');
  await shoot(page, '28c-sync-live-interrupted');

  await mock.setSyncStatus({ ...mock.syncStatus, state: 'syncing', pendingChanges: 0, openConflicts: 0, oldestPendingAt: null, initialSync: { received: 41_200, total: 700_001 } });
  check((await page.getByTestId('sync-initial').innerText()).includes('41,200 of 700,001'), 'the strip does not show the first download in counts');
  await shoot(page, '28d-sync-initial-download');

  await mock.setSyncStatus({ ...mock.syncStatus, state: 'sign-in-needed', pendingChanges: 5, initialSync: null, lastError: 'The sync sign-in has ended: sign in while the central server is reachable to send the changes waiting here' });
  check((await page.getByTestId('sync-status').getAttribute('data-state')) === 'sign-in-needed', 'the strip does not show the sign-in-needed state');
  await shoot(page, '28e-sync-sign-in-needed');
  await page.close();
}

/** Signs in as a radiologist, whose role may not open the ward list: the home screen points to the patient search. */
async function radiologistHomeJourney(browser: Browser, baseUrl: string): Promise<void> {
  const mock = new MockHms({ role: 'radiologist', signedIn: true });
  const page = await openPage(browser, baseUrl, mock);

  await page.getByTestId('find-patient').waitFor();
  check((await page.getByTestId('access-forbidden').count()) === 0, 'the radiologist sees an access explanation instead of the search hint');
  check((await page.getByTestId('patient-search').count()) === 1, 'the radiologist does not see the patient search');
  await shoot(page, '32-radiologist-home');
  await page.close();
}

/** Checks that an expired session keeps the typed observations for the same user and reopens the chart. */
async function expiryJourney(browser: Browser, baseUrl: string): Promise<void> {
  const mock = new MockHms({ role: 'nurse', signedIn: true });
  const page = await openPage(browser, baseUrl, mock);

  await page.locator('[data-testid="ward-row"][data-patient-id="pat-0002"]').click();
  await fillVitals(page, { respiratoryRate: '19', pulse: '88' });
  mock.session = null;
  await mock.emit('session:ended', { reason: 'expired', userId: 'user-nurse-1' });
  await page.getByTestId('signin-submit').waitFor();
  await shoot(page, '16-session-expired');

  await signIn(page);
  await page.getByTestId('vitals-form').waitFor();
  const kept = await page.getByTestId('vitals-pulse').inputValue();
  if (kept !== '88') problems.push(`the draft was lost after the session expired (pulse field contains "${kept}")`);
  await page.close();
}

/** Checks that no mock patient's name or MRN is anywhere in the page's DOM or title. */
async function checkNoPatientData(page: Page, mock: MockHms, state: string, extraTexts: readonly string[] = []): Promise<void> {
  const { html, title } = await page.evaluate(() => ({ html: document.documentElement.outerHTML, title: document.title }));
  const found = [...mock.patientIdentifiers(), ...extraTexts].filter((text) => html.toLowerCase().includes(text.toLowerCase()) || title.toLowerCase().includes(text.toLowerCase()));
  check(found.length === 0, `${state}: ${found.length} patient identifier(s) in the DOM or title`);
  check(!/\bward-row\b|patient-banner|vitals-form|search-result/.test(html), `${state}: a patient screen is still mounted`);
}

/**
 * Sends `replaced` as another window's sign-in does: an event about a session this window no longer
 * shows changes nothing, and one about the session shown ends it with the notice.
 */
async function replacedJourney(browser: Browser, baseUrl: string): Promise<void> {
  const mock = new MockHms({ role: 'nurse', signedIn: true });
  const page = await openPage(browser, baseUrl, mock);
  await page.getByTestId('ward-list').waitFor();

  await mock.emit('session:ended', { reason: 'replaced', userId: 'user-nurse-2' });
  await page.waitForTimeout(300);
  check((await page.getByTestId('ward-list').count()) === 1, "the end of another user's session signed this window out");

  await mock.emit('session:ended', { reason: 'replaced', userId: 'user-nurse-1' });
  await page.getByTestId('signin-notice').waitFor();
  check((await page.getByTestId('signin-notice').innerText()).includes('Another user signed in'), 'the replaced session does not say why it ended');
  await page.close();
}

/** Signs in while the central server is unreachable: the error for a new user, then the offline notice. */
async function offlineJourney(browser: Browser, baseUrl: string): Promise<void> {
  const mock = new MockHms({ role: 'nurse', offline: true });
  const page = await openPage(browser, baseUrl, mock);

  await signIn(page, MOCK_PASSWORD, MOCK_UNKNOWN_OFFLINE_USERNAME);
  await page.getByTestId('signin-error').waitFor();
  check((await page.getByTestId('signin-error').innerText()).includes('offline sign-in is not possible'), 'the offline sign-in error does not show the core message');
  await shoot(page, '17-offline-sign-in-unknown-user');

  await signIn(page);
  await page.getByTestId('session-offline').waitFor();
  await page.getByTestId('ward-list').waitFor();
  await shoot(page, '18-offline-sign-in-notice');
  await page.close();
}

/** Waits on the fake clock until the lock warning shows at most `seconds` seconds. */
async function waitForCountdown(page: Page, seconds: number): Promise<number> {
  for (let step = 0; step < 60; step++) {
    const countdown = page.getByTestId('lock-countdown');
    if ((await countdown.count()) > 0) {
      const shown = Number(await countdown.getAttribute('data-seconds'));
      if (shown <= seconds) return shown;
    }
    await page.clock.fastForward(5_000);
  }
  throw new Error(`the lock warning did not reach ${seconds} s`);
}

/**
 * Locks a nurse's chart with observations typed: the warning, the lock screen without patient data,
 * a wrong password, the unlock back to the same chart, and a lock found through a `locked` error.
 */
async function lockJourney(browser: Browser, baseUrl: string): Promise<void> {
  const mock = new MockHms({ role: 'nurse', signedIn: true, lockAfterMinutes: 10 });
  const page = await openPage(browser, baseUrl, mock, { fakeClock: true });

  await page.locator('[data-testid="ward-row"][data-patient-id="pat-0001"]').click();
  await page.getByTestId('vitals-form').waitFor();
  await fillVitals(page, { respiratoryRate: '21', pulse: '104' });
  await page.getByTestId('patient-search').fill('okafor');
  await page.getByTestId('banner-name').click();

  // runFor fires the pending activity report at its due time. fastForward would fire it at the end
  // of the jump, which would restart the inactivity period there.
  await page.clock.runFor('00:35');
  await page.clock.fastForward('08:00');
  const seconds = await waitForCountdown(page, 50);
  check((await page.getByTestId('lock-countdown').innerText()).includes(`Locking in ${seconds} s`), 'the lock warning does not show the seconds left');
  await shoot(page, '19-lock-countdown');

  await mock.lock();
  await page.getByTestId('lock-screen').waitFor();
  await checkNoPatientData(page, mock, 'lock screen', ['okafor']);
  check((await page.getByTestId('lock-user').innerText()) === 'Alex Morgan', 'the lock screen does not name the signed-in user');
  check((await page.title()).startsWith('Locked'), 'the page title does not say that the workstation is locked');
  await shoot(page, '20-lock-screen');

  await page.getByTestId('lock-password').fill('wrong password');
  await page.getByTestId('lock-unlock').click();
  await page.getByTestId('lock-error').waitFor();
  await checkNoPatientData(page, mock, 'lock screen after a wrong password', ['okafor']);
  await shoot(page, '21-lock-wrong-password');

  await page.getByTestId('lock-password').fill(MOCK_PASSWORD);
  await page.keyboard.press('Enter');
  await page.getByTestId('vitals-form').waitFor();
  check((await page.getByTestId('banner-name').innerText()) === 'BAKER, Margaret', 'the unlock did not return to the same chart');
  check((await page.getByTestId('vitals-pulse').inputValue()) === '104', 'the typed pulse was lost across the lock');
  check((await page.getByTestId('patient-search').inputValue()) === 'okafor', 'the search text was lost across the lock');

  // A call rejected with `locked` shows the lock screen even when the event was missed.
  mock.locked = true;
  await page.getByTestId('back-to-ward').click();
  await page.getByTestId('lock-screen').waitFor();
  await page.getByTestId('lock-password').fill(MOCK_PASSWORD);
  await page.getByTestId('lock-unlock').click();
  await page.getByTestId('ward-list').waitFor();
  check(mock.activityReports.length > 0, 'no activity was reported to the core');
  await page.close();
}

/**
 * Signs in as a second nurse at the first nurse's locked workstation, then back as the first nurse,
 * who finds the chart and the typed observations again. Signing out then needs a confirmation.
 */
async function switchUserJourney(browser: Browser, baseUrl: string): Promise<void> {
  const mock = new MockHms({ role: 'nurse', signedIn: true });
  const page = await openPage(browser, baseUrl, mock);

  await page.locator('[data-testid="ward-row"][data-patient-id="pat-0001"]').click();
  await fillVitals(page, { pulse: '104' });
  await mock.lock();
  await page.getByTestId('lock-switch-user').click();
  await page.getByTestId('signin-username').waitFor();
  await shoot(page, '22-lock-switch-user');

  await signIn(page, MOCK_PASSWORD, 'bkhan');
  await page.getByTestId('ward-list').waitFor();
  check((await page.locator('.shell__user').innerText()).includes('Bilal Khan'), 'the second nurse is not shown as signed in');
  await page.locator('[data-testid="ward-row"][data-patient-id="pat-0001"]').click();
  await page.getByTestId('vitals-form').waitFor();
  check((await page.getByTestId('vitals-pulse').inputValue()) === '', "the second nurse sees the first nurse's draft");

  await page.getByTestId('signout').click();
  await page.getByTestId('signin-username').waitFor();
  await signIn(page);
  await page.getByTestId('vitals-form').waitFor();
  check((await page.getByTestId('vitals-pulse').inputValue()) === '104', "the first nurse's draft was lost after another user signed in");

  await page.getByTestId('signout').click();
  await page.getByTestId('signout-confirm').waitFor();
  check((await page.getByTestId('signout-confirm').innerText()).includes('unsaved observations for 1 patient.'), 'the sign-out question does not count the patients');
  await shoot(page, '23-sign-out-confirm');
  await page.getByRole('button', { name: 'Stay signed in' }).click();
  check((await page.getByTestId('vitals-pulse').inputValue()) === '104', 'cancelling the sign-out lost the draft');
  await page.close();
}

/** Searches by name, opens another ward's patient by breaking the glass, and opens a ward patient by MRN. */
async function searchJourney(browser: Browser, baseUrl: string): Promise<void> {
  const mock = new MockHms({ role: 'nurse', signedIn: true });
  const page = await openPage(browser, baseUrl, mock);
  await page.getByTestId('ward-list').waitFor();

  await page.getByTestId('patient-search').fill('baker');
  const results = page.getByTestId('search-result');
  await results.nth(1).waitFor();
  const scopes = await results.evaluateAll((rows) => rows.map((row) => `${row.getAttribute('data-patient-id')}:${row.getAttribute('data-in-scope')}`));
  check(scopes.join(',') === 'pat-0001:true,pat-3a-0012:false', `unexpected search results ${scopes.join(',')}`);
  await shoot(page, '24-search-results');

  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await page.getByTestId('btg-dialog').waitFor();
  await page.getByTestId('btg-reason').fill('Arrest');
  await page.getByTestId('btg-confirm').click();
  await page.getByTestId('btg-error').waitFor();
  check(mock.emergencyAccesses.length === 0, 'a too short reason reached the core');
  await shoot(page, '25-btg-short-reason');

  await page.keyboard.press('Escape');
  await page.getByTestId('btg-dialog').waitFor({ state: 'detached' });
  check((await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))) === 'patient-search', 'focus did not return to the search after cancelling');

  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  check((await page.getByTestId('btg-reason').inputValue()) === '', 'the reason of a cancelled request came back');
  const reason = 'Rapid response call on Ward 3A, checking allergies before drugs';
  await page.getByTestId('btg-reason').fill(reason);

  // A lock while the dialog is open hides the patient it names and keeps the reason typed.
  await mock.lock();
  await page.getByTestId('lock-screen').waitFor();
  await checkNoPatientData(page, mock, 'lock screen over the break-the-glass dialog', [reason]);
  await page.getByTestId('lock-password').fill(MOCK_PASSWORD);
  await page.getByTestId('lock-unlock').click();
  await page.getByTestId('btg-dialog').waitFor();
  check((await page.getByTestId('btg-reason').inputValue()) === reason, 'the break-the-glass reason was lost across the lock');

  await page.getByTestId('btg-confirm').click();
  await page.getByTestId('emergency-access').waitFor();
  await page.getByTestId('vitals-history').waitFor();
  check((await page.getByTestId('banner-name').innerText()) === 'BAKER, Thomas', 'the emergency chart shows another patient');
  check((await page.getByTestId('vitals-form').count()) === 0, 'the emergency chart offers the vitals form');
  check(mock.emergencyAccesses.length === 1, `expected 1 emergency access, the mock recorded ${mock.emergencyAccesses.length}`);
  check((await page.getByTestId('emergency-reason').innerText()) === reason, 'the emergency band does not show the reason');
  check((await page.getByTestId('emergency-opened').innerText()).startsWith('Opened by Alex Morgan on '), 'the emergency band does not say who opened the chart');
  await shoot(page, '26-emergency-chart');

  await page.getByTestId('patient-search').fill('H1002871');
  await page.locator('[data-testid="search-result"][data-patient-id="pat-0002"]').click();
  await page.getByTestId('vitals-form').waitFor();
  check((await page.getByTestId('emergency-access').count()) === 0, 'a ward chart shows the emergency band');
  await page.close();
}

async function doctorJourney(browser: Browser, baseUrl: string): Promise<void> {
  const options: MockOptions = { role: 'doctor', signedIn: true };
  const mock = new MockHms(options);
  const page = await openPage(browser, baseUrl, mock);

  await page.locator('[data-testid="ward-row"][data-patient-id="pat-0003"]').click();
  await page.getByTestId('vitals-form').waitFor();
  await fillVitals(page, { respiratoryRate: '18', spo2: '95', onOxygen: 'oxygen', systolicBloodPressure: '122', pulse: '84', consciousness: 'A', temperature: '36.9' });
  await shoot(page, '10-chart-scale2-doctor');
  await page.getByRole('button', { name: 'Change SpO2 scale' }).click();
  await shoot(page, '11-chart-scale-confirm');

  await page.getByTestId('back-to-ward').click();
  await page.locator('[data-testid="ward-row"][data-patient-id="pat-0007"]').click();
  await page.getByTestId('patient-banner').waitFor();
  await shoot(page, '12-chart-unknown-identifiers');
  await page.close();
}

async function pharmacistView(browser: Browser, baseUrl: string): Promise<void> {
  const mock = new MockHms({ role: 'pharmacist', signedIn: true });
  const page = await openPage(browser, baseUrl, mock);
  await page.locator('[data-testid="ward-row"][data-patient-id="pat-0005"]').click();
  await page.getByTestId('vitals-history').waitFor();
  await shoot(page, '13-chart-read-only');
  await page.close();
}

async function missingToken(browser: Browser, baseUrl: string): Promise<void> {
  const page = await openPage(browser, baseUrl, null);
  await page.getByRole('alert').waitFor();
  await shoot(page, '14-missing-token');
  await page.close();
}

/** Runs the renderer's own WebSocket client against a mock host: token from the fragment, sign-in, ward list. */
async function browserClient(browser: Browser): Promise<void> {
  const token = randomBytes(32).toString('hex');
  const mock = new MockHms({ role: 'nurse' });
  const host = createMockWebSocketHost(mock, token);
  const server = await serveStatic(distDirectory, host.handleUpgrade);
  try {
    const page = await openPage(browser, `${server.url}#token=${token}`, null);
    await signIn(page);
    await page.getByTestId('ward-list').waitFor();
    if (page.url().includes('#')) problems.push('the token fragment is still in the address bar');
    await mock.setSyncStatus({ ...mock.syncStatus, state: 'syncing', pendingChanges: 3 });
    await page.locator('[data-testid="sync-status"][data-state="syncing"]').waitFor();
    await shoot(page, '15-browser-client-ward-list');

    await page.reload();
    await page.getByTestId('ward-list').waitFor();
    await disconnectedSave(page, mock, host);
    await page.close();

    await staleAddress(browser, server.url);
  } finally {
    host.close();
    await server.close();
  }
}

/**
 * Loses the connection to the host while observations are typed: the strip shows it, the save
 * error names the workstation connection, and the same entries save once the host accepts
 * connections again.
 */
async function disconnectedSave(page: Page, mock: MockHms, host: ReturnType<typeof createMockWebSocketHost>): Promise<void> {
  await page.locator('[data-testid="ward-row"][data-patient-id="pat-0002"]').click();
  await page.getByTestId('vitals-form').waitFor();
  await fillVitals(page, { respiratoryRate: '18', pulse: '90' });
  const setsBefore = mock.patients.find(({ chart }) => chart.patientId === 'pat-0002')?.vitals.length ?? 0;

  host.rejectConnections();
  await page.locator('[data-testid="sync-status"][data-state="disconnected"]').waitFor();
  check((await page.getByTestId('sync-status').innerText()).includes('Not connected to the workstation'), 'the strip does not say that the workstation is not connected');
  await shoot(page, '29-disconnected');

  // A call made while disconnected waits up to 15 s for the connection before it fails.
  await page.getByTestId('vitals-save').click();
  await page.getByTestId('vitals-error').waitFor({ timeout: 20_000 });
  const message = await page.getByTestId('vitals-error').innerText();
  check(message.includes('not connected to the workstation'), `the save error does not name the workstation connection: ${message}`);
  check(!message.includes('central server'), 'the save error blames the central server');
  await shoot(page, '30-save-not-connected');

  host.acceptConnections();
  // The client backs off to 10 s between handshakes while they are rejected.
  await page.locator('[data-testid="sync-status"]:not([data-state="disconnected"])').waitFor({ timeout: 20_000 });
  await page.getByTestId('vitals-save').click();
  await page.getByText('Observations saved at').waitFor();
  const setsAfter = mock.patients.find(({ chart }) => chart.patientId === 'pat-0002')?.vitals.length ?? 0;
  check(setsAfter === setsBefore + 1, `expected 1 new set after reconnecting, the mock has ${setsAfter - setsBefore}`);
}

/** Opens the page with the token of an earlier start: every handshake is rejected, and the page explains why. */
async function staleAddress(browser: Browser, baseUrl: string): Promise<void> {
  const page = await openPage(browser, `${baseUrl}#token=${randomBytes(32).toString('hex')}`, null);
  await page.getByTestId('stale-address').waitFor({ timeout: 10_000 });
  check(
    (await page.getByTestId('stale-address').innerText()).includes('This address is from an earlier start of the workstation: open the address it printed last'),
    'the stale address page does not say what to do',
  );
  await shoot(page, '31-stale-address');
  await page.close();
}

async function main(): Promise<void> {
  if (!existsSync(join(distDirectory, 'index.html'))) {
    throw new Error(`${distDirectory}/index.html not found; run "npm run build:renderer" first`);
  }
  if (!existsSync(chromiumPath)) throw new Error(`Chromium not found at ${chromiumPath}; install Debian's chromium package`);
  await mkdir(outputDirectory, { recursive: true });

  const server = await serveStatic(distDirectory);
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  try {
    await nurseJourney(browser, server.url);
    await expiryJourney(browser, server.url);
    await replacedJourney(browser, server.url);
    await offlineJourney(browser, server.url);
    await lockJourney(browser, server.url);
    await switchUserJourney(browser, server.url);
    await searchJourney(browser, server.url);
    await doctorJourney(browser, server.url);
    await pharmacistView(browser, server.url);
    await syncStripJourney(browser, server.url);
    await radiologistHomeJourney(browser, server.url);
    await labJourney({ browser, baseUrl: server.url, openPage, shoot, check });
    await labConnectionsForIt({ browser, baseUrl: server.url, openPage, shoot, check });
    await missingToken(browser, server.url);
    await browserClient(browser);
  } finally {
    await browser.close();
    await server.close();
  }

  if (problems.length > 0) {
    console.error(`${problems.length} problem(s) in the page:\n${problems.join('\n')}`);
    process.exitCode = 1;
  }
}

await main();
