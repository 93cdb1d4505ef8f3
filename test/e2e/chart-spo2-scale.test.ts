import { join } from 'node:path';

import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { SCREENSHOTS } from '../support/browser.js';
import type { WorkstationStack } from '../support/workstation-stack.js';
import { signIn, startWorkstationStack } from '../support/workstation-stack.js';

/**
 * A doctor opens the SpO2 scale question in a ward patient's chart and closes it again from the
 * keyboard, with Escape and with the Cancel button. Neither changes the scale. Last, the doctor
 * changes the scale from the keyboard. Focus goes back to the Change SpO2 scale button each time.
 */
describe('SpO2 scale question in the chart', () => {
  let stack: WorkstationStack;
  let page: Page;
  // The scale line as the chart first shows it, which closing the question must leave unchanged.
  let scaleLine: string;

  /** Returns the data-testid of the focused element, or its tag name when it has none. */
  function focusedElement(): Promise<string> {
    return page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? document.activeElement?.tagName ?? 'none');
  }

  beforeAll(async () => {
    stack = await startWorkstationStack({
      name: 'e2e-spo2-scale',
      database: 'pglite',
      settings: { workstationId: 'ws-e2e-spo2', wardId: 'ward-4a' },
      viewport: { width: 1280, height: 800 },
    });
    page = stack.page;
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('opens the question and focuses it', async () => {
    await page.goto(stack.host.url);
    await signIn(page, 'doctor', 'doctor-demo');
    await page.getByTestId('ward-row').first().click();
    await page.getByTestId('vitals-form').waitFor();
    scaleLine = await page.locator('.spo2-scale').innerText();
    expect(scaleLine).toMatch(/Scale [12]/);

    await page.getByTestId('spo2-scale-change').click();
    await page.getByTestId('spo2-scale-question').waitFor();
    expect(await page.locator('.confirm__question:focus').innerText()).toMatch(/SpO2 Scale [12]/);
    await page.screenshot({ path: join(SCREENSHOTS, 'chart-spo2-scale-question.png') });
  });

  it('closes the question on Escape', async () => {
    await page.keyboard.press('Escape');

    expect(await page.getByTestId('spo2-scale-question').count()).toBe(0);
    expect(await focusedElement()).toBe('spo2-scale-change');
    expect(await page.locator('.spo2-scale').innerText()).toBe(scaleLine);
  });

  it('closes the question on Escape from its buttons', async () => {
    await page.keyboard.press('Enter');
    await page.getByTestId('spo2-scale-question').waitFor();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toMatch(/^Use Scale [12]$/);
    await page.keyboard.press('Escape');

    expect(await page.getByTestId('spo2-scale-question').count()).toBe(0);
    expect(await focusedElement()).toBe('spo2-scale-change');
    expect(await page.locator('.spo2-scale').innerText()).toBe(scaleLine);
  });

  it('moves focus back after Cancel', async () => {
    await page.keyboard.press('Enter');
    await page.getByTestId('spo2-scale-question').waitFor();
    await page.getByTestId('spo2-scale-cancel').focus();
    await page.keyboard.press('Enter');

    expect(await page.getByTestId('spo2-scale-question').count()).toBe(0);
    expect(await focusedElement()).toBe('spo2-scale-change');
    expect(await page.locator('.spo2-scale').innerText()).toBe(scaleLine);
    await page.screenshot({ path: join(SCREENSHOTS, 'chart-spo2-scale-cancelled.png') });
  });

  it('moves focus back after a saved change', async () => {
    const targetScale = /Scale 1/.test(scaleLine) ? 2 : 1;
    await page.keyboard.press('Enter');
    await page.getByTestId('spo2-scale-question').waitFor();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe(`Use Scale ${targetScale}`);
    await page.keyboard.press('Enter');
    await page.getByTestId('spo2-scale-question').waitFor({ state: 'detached' });

    expect(await focusedElement()).toBe('spo2-scale-change');
    await page.locator('.spo2-scale', { hasText: new RegExp(`\\bScale ${targetScale}\\b`) }).waitFor();
    expect(await focusedElement()).toBe('spo2-scale-change');
    await page.screenshot({ path: join(SCREENSHOTS, 'chart-spo2-scale-changed.png') });
  });
});
