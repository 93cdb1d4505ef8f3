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
import { MOCK_PASSWORD, MockHms } from './mock-hms-api.js';
import { createMockWebSocketHost } from './mock-websocket-host.js';
import { serveStatic } from './static-server.js';

const repositoryRoot = resolve(import.meta.dirname, '../../..');
const distDirectory = join(repositoryRoot, 'dist/renderer');
const outputDirectory = join(repositoryRoot, 'test-results/renderer-preview');
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const problems: string[] = [];

async function openPage(browser: Browser, baseUrl: string, mock: MockHms | null): Promise<Page> {
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
  await page.goto(baseUrl);
  return page;
}

async function shoot(page: Page, name: string): Promise<void> {
  const path = join(outputDirectory, `${name}.png`);
  await page.screenshot({ path });
  console.log(`wrote ${path}`);
}

async function signIn(page: Page, password = MOCK_PASSWORD): Promise<void> {
  await page.getByTestId('signin-username').fill('amorgan');
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

  await page.getByTestId('back-to-ward').click();
  await page.getByTestId('ward-list').waitFor();
  await mock.setSyncStatus({ ...mock.syncStatus, state: 'offline', lastError: 'Central server unreachable (ECONNREFUSED)' });
  await shoot(page, '09-ward-list-offline');
  await page.close();
}

/** Checks that an expired session keeps the typed observations for the same user and reopens the chart. */
async function expiryJourney(browser: Browser, baseUrl: string): Promise<void> {
  const mock = new MockHms({ role: 'nurse', signedIn: true });
  const page = await openPage(browser, baseUrl, mock);

  await page.locator('[data-testid="ward-row"][data-patient-id="pat-0002"]').click();
  await fillVitals(page, { respiratoryRate: '19', pulse: '88' });
  mock.session = null;
  await mock.emit('session:ended', { reason: 'expired' });
  await page.getByTestId('signin-submit').waitFor();
  await shoot(page, '16-session-expired');

  await signIn(page);
  await page.getByTestId('vitals-form').waitFor();
  const kept = await page.getByTestId('vitals-pulse').inputValue();
  if (kept !== '88') problems.push(`the draft was lost after the session expired (pulse field contains "${kept}")`);
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
    await page.close();
  } finally {
    host.close();
    await server.close();
  }
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
    await doctorJourney(browser, server.url);
    await pharmacistView(browser, server.url);
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
