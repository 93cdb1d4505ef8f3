import type { Browser, Page } from 'playwright-core';

import { MockHms } from './mock-hms-api.js';
import { MOCK_MATCH_ACCESSION } from './mock-lab.js';

/** What the renderer preview lends its journeys: the browser, the page opener, screenshots and checks. */
export interface PreviewContext {
  browser: Browser;
  baseUrl: string;
  openPage(browser: Browser, baseUrl: string, mock: MockHms | null): Promise<Page>;
  shoot(page: Page, name: string): Promise<void>;
  check(condition: boolean, problem: string): void;
}

/**
 * Signs in as a lab technician, who lands on the lab bench. The journey covers the connection
 * states, a critical result, a wrong accession, a match, a rejection without a reason and the
 * release. It ends with a result's raw message and a held message that arrives on the open screen.
 */
export async function labJourney({ browser, baseUrl, openPage, shoot, check }: PreviewContext): Promise<void> {
  const mock = new MockHms({ role: 'lab-technician', signedIn: true });
  const page = await openPage(browser, baseUrl, mock);

  await page.getByTestId('lab-bench').waitFor();
  await page.getByTestId('review-item').waitFor();
  check((await page.getByTestId('ward-name').innerText()) === 'Core Laboratory', 'the header does not name the laboratory');
  check((await page.locator('.shell__ward-label').innerText()) === 'Department', 'the header calls the laboratory a ward');
  const failed = page.locator('[data-testid="lab-connection"][data-state="failed"]');
  check((await failed.innerText()).includes('EADDRINUSE'), 'the failed connection does not show its reason');
  const critical = page.locator('[data-testid="lab-flag"][data-severity="critical"]').first();
  check((await critical.innerText()).includes('CRITICAL HIGH'), 'the critical flag is not spelt out');
  await shoot(page, '33-lab-bench');

  await page.getByTestId('review-accession').fill('CL-PL-26-9999');
  await page.getByTestId('review-match').click();
  await page.getByTestId('review-match-error').waitFor();
  check((await page.getByTestId('review-match-error').innerText()).includes('No specimen with accession CL-PL-26-9999'), 'a wrong accession is not explained');
  await shoot(page, '34-lab-match-not-found');

  await page.getByTestId('review-accession').fill(MOCK_MATCH_ACCESSION);
  await page.getByTestId('review-match').click();
  await page.locator('[data-testid="lab-outcome"][data-kind="matched"]').waitFor();
  check((await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))) === 'review-release', 'focus did not move to Release after the match');
  check((await page.getByTestId('review-match-state').innerText()).includes('FERREIRA, João'), 'the matched patient is not shown');
  await shoot(page, '35-lab-matched');

  await page.getByTestId('review-reject').click();
  await page.getByTestId('review-reject-confirm').click();
  await page.getByTestId('review-reject-error').waitFor();
  check((await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))) === 'review-reject-reason', 'focus is not on the missing reason');
  await shoot(page, '36-lab-reject-reason-missing');
  await page.getByRole('button', { name: 'Cancel' }).click();

  await page.getByTestId('review-release').click();
  await page.locator('[data-testid="lab-outcome"][data-kind="released"]').waitFor();
  await page.getByText('No results wait for review.').waitFor();
  check((await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))) === 'lab-outcome', 'focus did not move to the confirmation');
  check((await page.getByTestId('lab-outcome').innerText()).includes('3 results for FERREIRA, João (MRN H1003377)'), 'the release confirmation does not name the patient and the count');
  await shoot(page, '37-lab-released');

  await page.locator('[data-testid="lab-message"][data-outcome="stored"] [data-testid="lab-result-open"]').first().click();
  await page.getByTestId('lab-result-detail').waitFor();
  check((await page.getByTestId('lab-raw').innerText()).includes('<STX>1H|'), 'the raw message does not show the control characters by name');
  await shoot(page, '38-lab-result-detail');
  await page.getByTestId('lab-raw').scrollIntoViewIfNeeded();
  await shoot(page, '38b-lab-raw-message');

  await page.getByTestId('back-to-lab').click();
  await page.getByTestId('lab-bench').waitFor();
  mock.lab.receiveBloodCount(new Date());
  const newest = page.locator('[data-testid="lab-message"]').first();
  await newest.locator('[data-test-code="HGB"][data-critical="true"]').waitFor();
  check((await page.getByTestId('review-item').count()) === 1, 'the held blood count did not reach the review queue');
  check((await page.getByTestId('review-release').isEnabled()) === true, 'a held result with a known specimen cannot be released');
  await shoot(page, '39-lab-new-message');
  await page.close();
}

/** Signs in as IT, who get the analyzer connections and no results. */
export async function labConnectionsForIt({ browser, baseUrl, openPage, shoot, check }: PreviewContext): Promise<void> {
  const mock = new MockHms({ role: 'it-administrator', signedIn: true });
  const page = await openPage(browser, baseUrl, mock);
  await page.getByTestId('lab-connection').first().waitFor();
  check((await page.getByTestId('lab-review').count()) === 0, 'IT sees the review queue');
  check((await page.getByTestId('lab-stream').count()) === 0, 'IT sees the incoming results');
  await shoot(page, '40-lab-connections-it');
  await page.close();
}
