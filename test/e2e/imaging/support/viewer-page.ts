import type { Page } from 'playwright-core';

import type { SamplePoint } from './expected-display.js';

/** The state the viewer publishes on its viewport element. */
export interface ViewportAttributes {
  status: string;
  imageId: string;
  windowWidth: number;
  windowCenter: number;
  scale: number;
}

const VIEWPORT = '[data-testid="viewer-viewport"]';

/** Waits until the viewport shows (or fails) an image whose id contains `imageIdPart`, and the canvas has been drawn. */
export async function waitForImage(page: Page, imageIdPart: string, status: 'shown' | 'failed' = 'shown', timeout = 30_000): Promise<ViewportAttributes> {
  const selector = `${VIEWPORT}[data-status="${status}"][data-image-id*="${imageIdPart}"]`;
  await page.waitForSelector(status === 'shown' ? `${selector}:not([data-window-width=""])` : selector, { timeout });
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
  return viewportAttributes(page);
}

export async function viewportAttributes(page: Page): Promise<ViewportAttributes> {
  return page.locator(VIEWPORT).evaluate((element: HTMLElement) => ({
    status: element.dataset.status ?? '',
    imageId: element.dataset.imageId ?? '',
    windowWidth: Number(element.dataset.windowWidth),
    windowCenter: Number(element.dataset.windowCenter),
    scale: Number(element.dataset.scale),
  }));
}

/** Reads the canvas colour at the centre of each sample point's image pixel, through the test page's mapping. */
export async function readSamples(page: Page, points: readonly SamplePoint[]): Promise<number[][]> {
  return page.evaluate((targets) => {
    return targets.map(({ column, row }) => {
      const point = window.viewerHarness.canvasPointOfPixel(column, row);
      return window.viewerHarness.canvasRgba(point.x, point.y);
    });
  }, points.map(({ column, row }) => ({ column, row })));
}

/** Maps an image pixel's centre to page coordinates, for mouse input on the viewport. */
export async function pagePointOfPixel(page: Page, column: number, row: number): Promise<{ x: number; y: number }> {
  return page.evaluate(
    ({ column, row }) => {
      const canvas = document.querySelector<HTMLCanvasElement>('[data-testid="viewer-viewport"] canvas');
      if (canvas === null) throw new Error('The viewport has no canvas');
      const point = window.viewerHarness.canvasPointOfPixel(column, row);
      const box = canvas.getBoundingClientRect();
      return { x: box.left + (point.x * box.width) / canvas.width, y: box.top + (point.y * box.height) / canvas.height };
    },
    { column, row },
  );
}
