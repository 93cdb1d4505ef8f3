/**
 * Renders each DICOM variant in the imaging viewer in headless Chromium and compares the canvas
 * with values computed from the file. Those values come from the stored pixels, Rescale Slope and
 * Intercept, the file's window or VOI LUT, MONOCHROME1 inversion, and RGB or YBR colour. The test
 * page mounts the real `StudyViewer` under the renderer's CSP, with the decoding worker's own policy.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { DEFAULT_WINDOW_PRESETS } from '../../../preload/api/imaging-presets.js';
import { launchChromium, SCREENSHOTS } from '../../support/browser.js';
import { DICOM_FIXTURES } from '../../support/dicom-fixtures.js';
import type { DisplayAttributes } from '../../support/dicom-pixels.js';
import { readDisplayAttributes, readPixels } from '../../support/dicom-pixels.js';
import { expectedColor, expectedGray, pickSamplePoints, pixelRangeWindow, smoothingAllowance } from './support/expected-display.js';
import type { HarnessServer } from './support/harness-server.js';
import { buildHarness, serveHarness, STALLED_INSTANCE } from './support/harness-server.js';
import { harnessStudy } from './support/harness-study.js';
import { pagePointOfPixel, readSamples, viewportAttributes, waitForImage } from './support/viewer-page.js';

const VARIANTS = join(DICOM_FIXTURES, 'variants');
const SCREENSHOT_FOLDER = join(SCREENSHOTS, 'imaging-variants');
/** Time limit of one image in these tests; the hanging file must produce its message within it. */
const LOAD_TIMEOUT_MS = 6_000;

interface VariantCase {
  name: string;
  /** The file the viewer shows. */
  file: string;
  /** An uncompressed file with the same pixels, for compressed or big-endian variants. */
  reference?: string;
  frame?: number;
  /** How the default window is chosen: from the file, from the pixel range, or by the VOI LUT. */
  defaultWindow: 'file' | 'pixel-range' | 'voi-lut' | 'color';
  /** Largest accepted difference per channel, for lossy codecs and colour rounding. */
  tolerance?: number;
}

const fixture = (name: string) => join(DICOM_FIXTURES, name);
const variant = (name: string) => join(VARIANTS, name);
const MR = variant('pydicom_MR_small.dcm');

const CASES: VariantCase[] = [
  { name: 'explicit LE signed CT with intercept', file: fixture('pydicom_CT_small.dcm'), defaultWindow: 'pixel-range' },
  { name: 'window from the file', file: variant('ct_window.dcm'), defaultWindow: 'file' },
  { name: 'negative signed stored values', file: variant('ct_signed_negative.dcm'), defaultWindow: 'pixel-range' },
  { name: 'rescale slope 2', file: variant('ct_rescale_slope.dcm'), defaultWindow: 'pixel-range' },
  { name: 'MR with window in file', file: MR, defaultWindow: 'file' },
  { name: 'implicit VR little endian', file: variant('pydicom_MR_small_implicit.dcm'), defaultWindow: 'file' },
  { name: 'explicit VR big endian', file: variant('pydicom_MR_small_bigendian.dcm'), reference: MR, defaultWindow: 'file' },
  { name: 'MONOCHROME1', file: variant('mr_monochrome1.dcm'), defaultWindow: 'file' },
  { name: 'VOI LUT from the file', file: variant('mr_voi_lut.dcm'), defaultWindow: 'voi-lut' },
  { name: 'no Modality or orientation', file: variant('mr_no_modality.dcm'), defaultWindow: 'file' },
  { name: 'RLE lossless', file: variant('pydicom_MR_small_RLE.dcm'), reference: MR, defaultWindow: 'file' },
  { name: 'JPEG lossless SV1', file: variant('mr_jpeg_lossless_sv1.dcm'), reference: MR, defaultWindow: 'file' },
  { name: 'JPEG lossless process 14', file: variant('mr_jpeg_lossless_p14.dcm'), reference: MR, defaultWindow: 'file' },
  { name: 'JPEG-LS lossless', file: variant('pydicom_MR_small_jpeg_ls_lossless.dcm'), reference: MR, defaultWindow: 'file' },
  { name: 'JPEG 2000 lossless', file: variant('pydicom_MR_small_jp2klossless.dcm'), reference: MR, defaultWindow: 'file' },
  { name: 'JPEG 2000 lossy NM', file: fixture('pydicom_JPEG2000.dcm'), reference: variant('jpeg2000_reference.dcm'), defaultWindow: 'pixel-range', tolerance: 2 },
  { name: 'multi-frame frame 6', file: variant('pydicomdata_emri_small.dcm'), frame: 5, defaultWindow: 'pixel-range' },
  { name: 'RGB interleaved', file: variant('rgb_interleaved.dcm'), frame: 1, defaultWindow: 'color', tolerance: 2 },
  { name: 'RGB planar configuration 1', file: variant('rgb_planar.dcm'), frame: 1, reference: variant('rgb_interleaved.dcm'), defaultWindow: 'color', tolerance: 2 },
  { name: 'YBR_FULL', file: variant('ybr_full.dcm'), defaultWindow: 'color', tolerance: 3 },
  { name: 'YBR_FULL_422', file: variant('ybr_full_422.dcm'), frame: 1, defaultWindow: 'color', tolerance: 3 },
  { name: 'RGB RLE two frames', file: fixture('pydicom_SC_rgb_rle_2frame.dcm'), frame: 1, reference: variant('rgb_interleaved.dcm'), defaultWindow: 'color', tolerance: 2 },
  { name: 'JPEG baseline YBR', file: fixture('pydicom_SC_rgb_jpeg_dcmtk.dcm'), reference: variant('jpeg_baseline_reference.dcm'), defaultWindow: 'color', tolerance: 8 },
];

/**
 * The window the viewer should use. A series opens with the default window of its first image
 * (frame 0), and scrolling to another frame keeps that window, as reading radiologists expect.
 */
function expectedWindow(testCase: VariantCase, attributes: DisplayAttributes): { center: number; width: number } {
  if (testCase.defaultWindow === 'file') {
    if (attributes.window === null) throw new Error(`${testCase.file} has no window`);
    return attributes.window;
  }
  if (testCase.defaultWindow === 'color') return { center: 127, width: 255 };
  return pixelRangeWindow(readPixels(testCase.reference ?? testCase.file), 0, attributes);
}

describe('imaging viewer variants', () => {
  const filesBySopUid = new Map<string, string>();
  let server: HarnessServer;
  let browser: Browser;
  let page: Page;
  const pageProblems: string[] = [];

  beforeAll(async () => {
    buildHarness();
    mkdirSync(SCREENSHOT_FOLDER, { recursive: true });
    server = await serveHarness(filesBySopUid);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('pageerror', (error) => pageProblems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (/Content Security Policy|EvalError/i.test(message.text())) pageProblems.push(message.text());
    });
    await page.goto(server.url);
    await page.waitForFunction(() => window.viewerHarness !== undefined);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function open(series: { description: string; files: string[] }[]): Promise<string[]> {
    const study = harnessStudy(series, filesBySopUid);
    await page.evaluate(({ study, timeout }) => window.viewerHarness.mount(study, { loadTimeoutMs: timeout }), { study, timeout: LOAD_TIMEOUT_MS });
    return study.series.flatMap((entry) => entry.instances.map((instance) => instance.sopInstanceUid));
  }

  async function showFrame(sopUid: string, frame: number): Promise<void> {
    await waitForImage(page, sopUid);
    await page.locator('[data-testid="viewer-viewport"]').focus();
    for (let step = 0; step < frame; step += 1) await page.keyboard.press('ArrowDown');
    await waitForImage(page, `${sopUid}?frame=${frame}`);
  }

  it.each(CASES)('renders $name', async (testCase) => {
    const [sopUid = ''] = await open([{ description: testCase.name, files: [testCase.file] }]);
    const frame = testCase.frame ?? 0;
    if (frame > 0) await showFrame(sopUid, frame);
    const viewport = await waitForImage(page, sopUid);

    const attributes = readDisplayAttributes(testCase.file);
    const pixels = readPixels(testCase.reference ?? testCase.file);
    const window = expectedWindow(testCase, attributes);
    if (testCase.defaultWindow !== 'voi-lut') {
      expect(viewport.windowWidth).toBeCloseTo(window.width, 3);
      expect(viewport.windowCenter).toBeCloseTo(window.center, 3);
    }

    const color = testCase.defaultWindow === 'color';
    const expectedAt = (column: number, row: number): number[] => {
      const x = Math.min(Math.max(column, 0), pixels.columns - 1);
      const y = Math.min(Math.max(row, 0), pixels.rows - 1);
      if (color) return expectedColor(pixels, frame, x, y);
      const value = expectedGray(pixels.stored(frame, x, y), attributes, window, testCase.defaultWindow === 'voi-lut');
      return [value, value, value];
    };
    const points = pickSamplePoints(pixels, expectedAt, viewport.scale);
    expect(points.length).toBeGreaterThanOrEqual(4);

    const samples = await readSamples(page, points);
    const tolerance = testCase.tolerance ?? 1;
    points.forEach((point, index) => {
      const actual = (samples[index] ?? []).slice(0, 3);
      point.expected.forEach((expected, channel) => {
        const difference = Math.abs((actual[channel] ?? -999) - expected);
        expect(difference, `${testCase.name}: pixel (${point.column}, ${point.row}) channel ${channel} is ${actual[channel]}, expected ${expected}`).toBeLessThanOrEqual(tolerance + smoothingAllowance(point.spread, viewport.scale));
      });
    });
    await page.screenshot({ path: join(SCREENSHOT_FOLDER, `${testCase.name.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}.png`) });
    expect(pageProblems).toEqual([]);
  });

  it('applies the abdomen preset', async () => {
    const file = fixture('pydicom_CT_small.dcm');
    const [sopUid = ''] = await open([{ description: 'preset', files: [file] }]);
    const viewport = await waitForImage(page, sopUid);

    await page.getByTestId('viewer-preset').selectOption('abdomen');
    await page.waitForSelector('[data-testid="viewer-viewport"][data-window-width="400"][data-window-center="40"]');
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));

    const abdomen = DEFAULT_WINDOW_PRESETS.find((preset) => preset.id === 'abdomen');
    expect(abdomen).toBeDefined();
    const window = { center: abdomen?.center ?? 0, width: abdomen?.width ?? 0 };
    const attributes = readDisplayAttributes(file);
    const pixels = readPixels(file);
    const expectedAt = (column: number, row: number) => {
      const value = expectedGray(pixels.stored(0, Math.min(Math.max(column, 0), 127), Math.min(Math.max(row, 0), 127)), attributes, window, false);
      return [value, value, value];
    };
    const points = pickSamplePoints(pixels, expectedAt, viewport.scale);
    expect(points.length).toBeGreaterThanOrEqual(4);
    const samples = await readSamples(page, points);
    points.forEach((point, index) => {
      expect(Math.abs((samples[index]?.[0] ?? -999) - (point.expected[0] ?? 0))).toBeLessThanOrEqual(1 + smoothingAllowance(point.spread, viewport.scale));
    });
    await expect(page.getByTestId('viewer-overlay-window').innerText()).resolves.toBe('W 400 L 40');
    await expect(page.getByTestId('viewer-preset').inputValue()).resolves.toBe('abdomen');

    // Key 4 applies the fourth preset, lung.
    await page.locator('[data-testid="viewer-viewport"]').focus();
    await page.keyboard.press('4');
    await page.waitForSelector('[data-testid="viewer-viewport"][data-window-width="1500"][data-window-center="-600"]');
    await expect(page.getByTestId('viewer-preset').inputValue()).resolves.toBe('lung');
    await page.screenshot({ path: join(SCREENSHOT_FOLDER, 'preset-abdomen.png') });
  });

  it('measures a length in mm', async () => {
    const file = fixture('pydicom_CT_small.dcm');
    const [sopUid = ''] = await open([{ description: 'length', files: [file] }]);
    await waitForImage(page, sopUid);
    await page.getByTestId('viewer-tool-Length').click();

    const start = await pagePointOfPixel(page, 20, 30);
    const end = await pagePointOfPixel(page, 100, 90);
    await page.mouse.move(start.x, start.y);
    await page.mouse.down();
    await page.mouse.move((start.x + end.x) / 2, (start.y + end.y) / 2, { steps: 5 });
    await page.mouse.move(end.x, end.y, { steps: 5 });
    await page.mouse.up();

    const spacing = readDisplayAttributes(file).pixelSpacing;
    expect(spacing).not.toBeNull();
    // 80 columns across and 60 rows down make 100 pixels, at 0.661468 mm each on this image.
    const expectedMm = Math.hypot(80 * (spacing?.[1] ?? 0), 60 * (spacing?.[0] ?? 0));
    const measurement = page.getByTestId('viewer-measurement');
    // The list follows the drawing, so it settles on the final length once the last move is drawn.
    await expect
      .poll(async () => Number(/Length ([\d.]+) mm/.exec((await measurement.allInnerTexts()).join(' '))?.[1]), { timeout: 3_000 })
      .toBeCloseTo(expectedMm, 0);
    await expect(measurement.count()).resolves.toBe(1);
    await page.screenshot({ path: join(SCREENSHOT_FOLDER, 'length.png') });
  });

  it('windows by drag and resets', async () => {
    const [sopUid = ''] = await open([{ description: 'drag', files: [fixture('pydicom_CT_small.dcm')] }]);
    const before = await waitForImage(page, sopUid);
    const centre = await pagePointOfPixel(page, 64, 64);

    await page.mouse.move(centre.x, centre.y);
    await page.mouse.down();
    await page.mouse.move(centre.x + 120, centre.y + 60, { steps: 6 });
    await page.mouse.up();
    await page.waitForFunction((width) => document.querySelector<HTMLElement>('[data-testid="viewer-viewport"]')?.dataset.windowWidth !== String(width), before.windowWidth);
    const dragged = await viewportAttributes(page);
    await expect(page.getByTestId('viewer-preset').inputValue()).resolves.toBe('');
    // cornerstone-tools' Wwwc widens the window to the right and raises the level downwards.
    expect(dragged.windowWidth).toBeGreaterThan(before.windowWidth);
    expect(dragged.windowCenter).toBeGreaterThan(before.windowCenter);
    await page.screenshot({ path: join(SCREENSHOT_FOLDER, 'window-drag.png') });

    await page.getByTestId('viewer-reset').click();
    await page.waitForSelector(`[data-testid="viewer-viewport"][data-window-width="${before.windowWidth}"]`);
    expect((await viewportAttributes(page)).windowCenter).toBe(before.windowCenter);
  });

  it('keeps pixels through rotate, flip and zoom', async () => {
    const file = fixture('pydicom_CT_small.dcm');
    const [sopUid = ''] = await open([{ description: 'orientation', files: [file] }]);
    const viewport = await waitForImage(page, sopUid);
    const attributes = readDisplayAttributes(file);
    const pixels = readPixels(file);
    const window = pixelRangeWindow(pixels, 0, attributes);
    const expectedAt = (column: number, row: number) => {
      const value = expectedGray(pixels.stored(0, Math.min(Math.max(column, 0), 127), Math.min(Math.max(row, 0), 127)), attributes, window, false);
      return [value, value, value];
    };
    const points = pickSamplePoints(pixels, expectedAt, viewport.scale);
    const centre = await pagePointOfPixel(page, 64, 64);

    const steps: [string, () => Promise<void>][] = [
      ['rotate', () => page.getByTestId('viewer-rotate').click()],
      ['flip horizontal', () => page.getByTestId('viewer-flip-horizontal').click()],
      ['flip vertical', () => page.getByTestId('viewer-flip-vertical').click()],
      [
        'zoom by right drag',
        async () => {
          await page.mouse.move(centre.x, centre.y);
          await page.mouse.down({ button: 'right' });
          await page.mouse.move(centre.x, centre.y - 80, { steps: 6 });
          await page.mouse.up({ button: 'right' });
        },
      ],
    ];
    for (const [name, step] of steps) {
      await step();
      await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
      const samples = await readSamples(page, points);
      const scale = (await viewportAttributes(page)).scale;
      points.forEach((point, index) => {
        const difference = Math.abs((samples[index]?.[0] ?? -999) - (point.expected[0] ?? 0));
        expect(difference, `after ${name}, pixel (${point.column}, ${point.row})`).toBeLessThanOrEqual(1 + smoothingAllowance(point.spread, scale));
      });
    }
    expect((await viewportAttributes(page)).scale).not.toBeCloseTo(viewport.scale, 2);
    await page.screenshot({ path: join(SCREENSHOT_FOLDER, 'rotated-flipped-zoomed.png') });
  });

  it('inverts the display', async () => {
    const file = fixture('pydicom_CT_small.dcm');
    const [sopUid = ''] = await open([{ description: 'invert', files: [file] }]);
    const viewport = await waitForImage(page, sopUid);
    const attributes = readDisplayAttributes(file);
    const pixels = readPixels(file);
    const window = pixelRangeWindow(pixels, 0, attributes);
    const expectedAt = (column: number, row: number) => {
      const value = 255 - expectedGray(pixels.stored(0, Math.min(Math.max(column, 0), 127), Math.min(Math.max(row, 0), 127)), attributes, window, false);
      return [value, value, value];
    };
    const points = pickSamplePoints(pixels, expectedAt, viewport.scale);

    await page.getByTestId('viewer-invert').click();
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));

    const samples = await readSamples(page, points);
    points.forEach((point, index) => {
      expect(Math.abs((samples[index]?.[0] ?? -999) - (point.expected[0] ?? 0))).toBeLessThanOrEqual(1 + smoothingAllowance(point.spread, viewport.scale));
    });
  });

  it('plays cine at its frame rate', async () => {
    const [sopUid = ''] = await open([{ description: 'cine', files: [variant('pydicomdata_emri_small.dcm')] }]);
    await waitForImage(page, sopUid);
    await page.getByTestId('viewer-fps').fill('20');
    await page.getByTestId('viewer-cine').click();

    // The page records every change of the shown frame for two seconds, with its time.
    const changes = await page.evaluate(async () => {
      const element = document.querySelector<HTMLElement>('[data-testid="viewer-viewport"]');
      if (element === null) throw new Error('No viewport');
      const seen: { at: number; index: number }[] = [];
      const started = performance.now();
      while (performance.now() - started < 2_000) {
        const index = Number(element.dataset.index);
        if (seen.at(-1)?.index !== index) seen.push({ at: performance.now() - started, index });
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      return seen;
    });
    const indices = changes.map((change) => change.index);
    // A whole loop: every frame shown, and the last frame followed by the first.
    expect(new Set(indices).size).toBe(10);
    expect(indices.some((index, position) => index === 0 && indices[position - 1] === 9)).toBe(true);
    // 20 frames/s is one frame per 50 ms; a busy machine may skip ticks, but never shows frames faster.
    const gaps = changes.slice(1).map((change, position) => change.at - (changes[position]?.at ?? 0));
    const sortedGaps = [...gaps].sort((a, b) => a - b);
    expect(sortedGaps[Math.floor(sortedGaps.length / 2)]).toBeGreaterThanOrEqual(40);

    await page.getByTestId('viewer-cine').click();
    const stopped = (await viewportAttributes(page)).imageId;
    await page.waitForTimeout(300);
    expect((await viewportAttributes(page)).imageId).toBe(stopped);
  });

  it('measures an ellipse in Hounsfield units', async () => {
    // Slope 2 and intercept -1024: the mean is of modality values, not of stored ones.
    const file = variant('ct_rescale_slope.dcm');
    const [sopUid = ''] = await open([{ description: 'ellipse', files: [file] }]);
    await waitForImage(page, sopUid);
    await page.getByTestId('viewer-tool-EllipticalRoi').click();
    const start = await pagePointOfPixel(page, 40, 70);
    const end = await pagePointOfPixel(page, 80, 100);
    await page.mouse.move(start.x, start.y);
    await page.mouse.down();
    await page.mouse.move(end.x, end.y, { steps: 10 });
    await page.mouse.up();

    const measurement = page.locator('[data-testid="viewer-measurement"][data-kind="ellipse"]');
    await measurement.waitFor();
    const attributes = readDisplayAttributes(file);
    const pixels = readPixels(file);

    // The ellipse's statistics from its handles, computed from the file: its pixels as
    // cornerstone-tools 6 selects them (its bounding box rounded to whole pixels, and the pixels
    // whose corner lies inside the ellipse), in modality values.
    const expectedStatistics = async () => {
      const [data] = (await page.evaluate(() => window.viewerHarness.toolData('EllipticalRoi'))) as { handles: { start: { x: number; y: number }; end: { x: number; y: number } } }[];
      if (data === undefined) throw new Error('No ellipse was drawn');
      const { start: from, end: to } = data.handles;
      const left = Math.round(Math.min(from.x, to.x));
      const top = Math.round(Math.min(from.y, to.y));
      const width = Math.round(Math.abs(from.x - to.x));
      const height = Math.round(Math.abs(from.y - to.y));
      const values: number[] = [];
      for (let y = top; y < top + height; y += 1) {
        for (let x = left; x < left + width; x += 1) {
          const dx = x - (left + width / 2);
          const dy = y - (top + height / 2);
          if ((dx * dx) / ((width / 2) ** 2) + (dy * dy) / ((height / 2) ** 2) <= 1) values.push(pixels.stored(0, x, y) * attributes.slope + attributes.intercept);
        }
      }
      const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
      const deviation = Math.sqrt(values.reduce((sum, value) => sum + value * value, 0) / values.length - mean * mean);
      return { mean, deviation };
    };

    // The label follows the drag's last events, which a loaded machine may deliver after the
    // label first appears: compare handles and label until they agree or the time runs out. A
    // mismatch is returned as text, so a failure shows the label and the expected values.
    await expect
      .poll(
        async () => {
          const expected = await expectedStatistics();
          const text = await measurement.innerText();
          const match = /mean (-?[\d.,]+) HU, SD ([\d.,]+) HU/.exec(text);
          const shownMean = Number(match?.[1]?.replace(/,/g, ''));
          const shownDeviation = Number(match?.[2]?.replace(/,/g, ''));
          const agrees = match !== null && Math.abs(shownMean - expected.mean) < 0.5 && Math.abs(shownDeviation - expected.deviation) < 0.5;
          return agrees ? 'agrees' : `${text} (expected mean ${expected.mean.toFixed(1)}, SD ${expected.deviation.toFixed(1)})`;
        },
        { timeout: 10_000 },
      )
      .toBe('agrees');
    await page.screenshot({ path: join(SCREENSHOT_FOLDER, 'ellipse.png') });
  });

  it('reports a load that never ends and opens the rest', async () => {
    const [hanging = '', good = ''] = await open([
      { description: 'Never answered', files: [STALLED_INSTANCE] },
      { description: 'Readable', files: [MR] },
    ]);
    const started = Date.now();
    await waitForImage(page, hanging, 'failed', LOAD_TIMEOUT_MS + 5_000);
    expect(Date.now() - started).toBeLessThan(LOAD_TIMEOUT_MS + 5_000);
    await expect(page.getByTestId('viewer-problem').innerText()).resolves.toContain(`did not load within ${LOAD_TIMEOUT_MS / 1000} s`);
    await page.screenshot({ path: join(SCREENSHOT_FOLDER, 'hanging-file.png') });

    await page.getByTestId('viewer-series').nth(1).click();
    await waitForImage(page, good);
    await expect(page.getByTestId('viewer-problem').count()).resolves.toBe(0);
    await expect(page.getByTestId('viewer-series').nth(0).getAttribute('data-status')).resolves.toBe('failed');
    await expect(page.getByTestId('viewer-series').nth(1).getAttribute('data-status')).resolves.toBe('shown');
  });

  it('reports a series without images', async () => {
    await open([
      { description: 'Empty', files: [] },
      { description: 'Readable', files: [MR] },
    ]);
    await page.waitForSelector('[data-testid="viewer-viewport"][data-status="failed"]');
    await expect(page.getByTestId('viewer-problem').innerText()).resolves.toContain('not in the study cache');
    await expect(page.getByTestId('viewer-series').nth(0).getAttribute('data-status')).resolves.toBe('failed');
  });

  it('reports a truncated file', async () => {
    const [truncated = ''] = await open([{ description: 'Truncated', files: [variant('pydicom_MR_truncated.dcm')] }]);
    await waitForImage(page, truncated, 'failed', LOAD_TIMEOUT_MS + 5_000);
    await expect(page.getByTestId('viewer-problem').innerText()).resolves.toContain('This image cannot be displayed.');
    await page.screenshot({ path: join(SCREENSHOT_FOLDER, 'truncated-file.png') });
  });
});
