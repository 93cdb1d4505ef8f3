/**
 * A doctor opens a ward patient's CT from the chart's imaging tab, through the browser host, the
 * core's study cache and a real Orthanc. The test checks rendered pixels against values
 * computed from the DICOM files for the default window, a preset and another slice, measures a
 * known distance in mm, and then stops Orthanc and opens the cached study again. Last, it checks
 * that the whole viewport stays in 1366×768 and 1920×1080 windows, that the image gets at least
 * 400 px of a laptop window's height, and that the compact patient banner still identifies the
 * patient.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

import dicomParser from 'dicom-parser';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { DemoDicomFile, DemoImagingPatient } from '../../build/scripts/demo-pacs.js';
import { demoStudyFiles, demoWardPatients } from '../../build/scripts/demo-pacs.js';
import { uploadToOrthanc } from '../../build/scripts/orthanc-process.js';
import { DEFAULT_WINDOW_PRESETS } from '../../preload/api/imaging-presets.js';
import { SCREENSHOTS } from '../support/browser.js';
import { DICOM_FIXTURES } from '../support/dicom-fixtures.js';
import type { DicomPixels, DisplayAttributes } from '../support/dicom-pixels.js';
import { readDisplayAttributes, readPixels } from '../support/dicom-pixels.js';
import type { OrthancServer } from '../support/orthanc.js';
import { ORTHANC_MISSING_MESSAGE, orthancAvailable, startOrthanc, testPacsSettings } from '../support/orthanc.js';
import type { WorkstationStack } from '../support/workstation-stack.js';
import { signIn, startWorkstationStack } from '../support/workstation-stack.js';
import type { SamplePoint } from './imaging/support/expected-display.js';
import { expectedGray, pickSamplePoints, pixelRangeWindow, smoothingAllowance } from './imaging/support/expected-display.js';

if (!orthancAvailable) console.warn(ORTHANC_MISSING_MESSAGE);

const WARD_ID = 'ward-4a';
const SCREENSHOT_FOLDER = join(SCREENSHOTS, 'imaging-viewer');
const VIEWPORT = '[data-testid="viewer-viewport"]';
/** A preset the settings add to the defaults, to show the viewer offers the configured list. */
const POSTERIOR_FOSSA = { id: 'posterior-fossa', name: 'Posterior fossa', width: 120, center: 40 };
/** A common ward and reading-room laptop screen, and a full-HD monitor. */
const LAPTOP_WINDOW = { width: 1366, height: 768 };
const DESKTOP_WINDOW = { width: 1920, height: 1080 };
/** Corner texts at the bottom of the image: position in the stack, and window and zoom. */
const LOWER_CORNERS = ['viewer-overlay-position', 'viewer-overlay-display'];
/** Smallest accepted image height at 1366×768, in CSS pixels. A 512×512 CT slice fits at about 0.8 of its size. */
const MIN_LAPTOP_IMAGE_HEIGHT = 400;
/** Parts of the patient banner that must stay in view while a study is open. */
const BANNER_IDENTIFIERS = ['banner-name', 'banner-born', 'banner-mrn', 'banner-allergies'];

/** What the full banner shows before a study opens, to compare with the compact banner. */
interface BannerText {
  name: string;
  born: string;
  mrn: string;
  allergyStatus: string | null;
}

async function readBanner(page: Page): Promise<BannerText> {
  return {
    name: await page.getByTestId('banner-name').innerText(),
    born: await page.getByTestId('banner-born').innerText(),
    mrn: await page.getByTestId('banner-mrn').innerText(),
    allergyStatus: await page.getByTestId('banner-allergies').getAttribute('data-allergy-status'),
  };
}

interface ViewportState {
  status: string;
  index: number;
  imageId: string;
  windowWidth: number;
  windowCenter: number;
  scale: number;
}

async function viewportState(page: Page): Promise<ViewportState> {
  return page.locator(VIEWPORT).evaluate((element: HTMLElement) => ({
    status: element.dataset.status ?? '',
    index: Number(element.dataset.index),
    imageId: element.dataset.imageId ?? '',
    windowWidth: Number(element.dataset.windowWidth),
    windowCenter: Number(element.dataset.windowCenter),
    scale: Number(element.dataset.scale),
  }));
}

/** Waits until image `index` of the stack is drawn. */
async function waitForSlice(page: Page, index: number): Promise<ViewportState> {
  await page.waitForSelector(`${VIEWPORT}[data-status="shown"][data-index="${index}"]:not([data-window-width=""])`, { timeout: 30_000 });
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
  return viewportState(page);
}

/**
 * Maps the centre of image pixel (column, row) to the viewport canvas. The app exposes no
 * cornerstone internals, so this follows cornerstone-core's transform for an image that is
 * neither panned, rotated nor flipped, with square pixels: centred, then scaled.
 */
async function canvasPointOf(page: Page, pixels: DicomPixels, scale: number, column: number, row: number): Promise<{ x: number; y: number }> {
  const size = await page.locator(`${VIEWPORT} canvas`).evaluate((canvas: HTMLCanvasElement) => ({ width: canvas.width, height: canvas.height }));
  return { x: size.width / 2 + (column + 0.5 - pixels.columns / 2) * scale, y: size.height / 2 + (row + 0.5 - pixels.rows / 2) * scale };
}

async function readCanvas(page: Page, points: readonly { x: number; y: number }[]): Promise<number[]> {
  return page.locator(`${VIEWPORT} canvas`).evaluate((canvas: HTMLCanvasElement, targets) => {
    const context = canvas.getContext('2d');
    if (context === null) throw new Error('The viewport canvas has no 2D context');
    return targets.map(({ x, y }) => context.getImageData(Math.floor(x), Math.floor(y), 1, 1).data[0] ?? -1);
  }, points);
}

/** Compares the canvas at well-separated points of a grayscale image with the values expected under `window`. */
async function expectPixels(page: Page, pixels: DicomPixels, attributes: DisplayAttributes, window: { center: number; width: number }, scale: number): Promise<SamplePoint[]> {
  const expectedAt = (column: number, row: number) => {
    const value = expectedGray(pixels.stored(0, Math.min(Math.max(column, 0), pixels.columns - 1), Math.min(Math.max(row, 0), pixels.rows - 1)), attributes, window, false);
    return [value, value, value];
  };
  const points = pickSamplePoints(pixels, expectedAt, scale);
  expect(points.length).toBeGreaterThanOrEqual(4);
  const canvasPoints = await Promise.all(points.map((point) => canvasPointOf(page, pixels, scale, point.column, point.row)));
  const actual = await readCanvas(page, canvasPoints);
  points.forEach((point, index) => {
    const difference = Math.abs((actual[index] ?? -999) - (point.expected[0] ?? 0));
    expect(difference, `pixel (${point.column}, ${point.row}) is ${actual[index]}, expected ${point.expected[0]}`).toBeLessThanOrEqual(1 + smoothingAllowance(point.spread, scale));
  });
  return points;
}

/** Checks that the element with `testId` lies wholly inside a page window of `windowSize`. */
async function expectInsideWindow(page: Page, testId: string, windowSize: { width: number; height: number }): Promise<void> {
  const box = await page.getByTestId(testId).boundingBox();
  if (box === null) throw new Error(`${testId} is not rendered`);
  const size = `${windowSize.width}×${windowSize.height}`;
  expect(box.x, `left edge of ${testId} at ${size}`).toBeGreaterThanOrEqual(0);
  expect(box.y, `top edge of ${testId} at ${size}`).toBeGreaterThanOrEqual(0);
  expect(box.x + box.width, `right edge of ${testId} at ${size}`).toBeLessThanOrEqual(windowSize.width);
  expect(box.y + box.height, `bottom edge of ${testId} at ${size}`).toBeLessThanOrEqual(windowSize.height);
}

/**
 * Resizes the window and scrolls the chart's imaging panel to its top, as it is when a study opens.
 * Then checks that the lower corner texts and the viewport are inside the window and that the panel
 * has nothing below to scroll to. Returns the viewport's height in CSS pixels.
 */
async function expectViewerFits(page: Page, windowSize: { width: number; height: number }): Promise<number> {
  await page.setViewportSize(windowSize);
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
  const panel = page.locator('#chart-panel-imaging');
  await panel.evaluate((element: HTMLElement) => element.scrollTo(0, 0));

  for (const testId of LOWER_CORNERS) await expectInsideWindow(page, testId, windowSize);
  await expectInsideWindow(page, 'viewer-viewport', windowSize);
  const overflow = await panel.evaluate((element: HTMLElement) => element.scrollHeight - element.clientHeight);
  expect(overflow, `pixels of the imaging panel below its visible part at ${windowSize.width}×${windowSize.height}`).toBeLessThanOrEqual(0);

  const viewport = await page.getByTestId('viewer-viewport').boundingBox();
  if (viewport === null) throw new Error('The viewer viewport is not rendered');
  return viewport.height;
}

describe.skipIf(!orthancAvailable)('imaging viewer through the browser host', () => {
  let orthanc: OrthancServer;
  let stack: WorkstationStack;
  let page: Page;
  let patient: DemoImagingPatient;
  let slices: DemoDicomFile[];
  /** StudyDescription of the CT, as the imaging tab lists it. */
  let ctDescription: string;
  /** The full banner of the patient, read before the study opens. */
  let fullBanner: BannerText;
  const pageProblems: string[] = [];

  beforeAll(async () => {
    mkdirSync(SCREENSHOT_FOLDER, { recursive: true });

    orthanc = await startOrthanc();
    const today = new Date();
    const [first] = await demoWardPatients(WARD_ID, today);
    if (first === undefined) throw new Error(`The seed puts no patient on ${WARD_ID}`);
    patient = first;
    const files = demoStudyFiles(DICOM_FIXTURES, [patient], today);
    for (const file of files) await uploadToOrthanc(orthanc.baseUrl, orthanc.authorization, file.bytes, file.label);
    // The demo's multi-slice CT series of this patient, in InstanceNumber order as the demo builds it.
    slices = files.filter((file) => /^[\w-]+\/axial\/\d+ of /.test(file.label));
    expect(slices.length).toBeGreaterThan(5);
    const studyDescription = dicomParser.parseDicom(slices[0]?.bytes ?? new Uint8Array(), { untilTag: 'x7fe00010' }).string('x00081030');
    if (studyDescription === undefined) throw new Error('The demo CT has no Study Description');
    ctDescription = studyDescription;

    stack = await startWorkstationStack({
      name: 'e2e-imaging-viewer',
      database: 'pglite',
      settings: {
        workstationId: 'ws-e2e-imaging',
        wardId: WARD_ID,
        imaging: {
          pacs: testPacsSettings(orthanc),
          // No prefetch (age 0 days), so the study reaches the cache through the viewer and the cache button.
          cache: { maxBytes: 100 * 1024 * 1024, prefetch: { maxAgeDays: 0, maxStudiesPerPatient: 1, maxInstancesPerStudy: 100 } },
          viewer: { windowPresets: [...DEFAULT_WINDOW_PRESETS, POSTERIOR_FOSSA] },
        },
      },
      core: { connectivity: { minProbeIntervalMs: 100, maxProbeIntervalMs: 300 } },
      serveImaging: true,
      viewport: { width: 1400, height: 900 },
    });
    page = stack.page;
    page.on('pageerror', (error) => pageProblems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (/Content Security Policy|EvalError/i.test(message.text())) pageProblems.push(message.text());
    });
  });

  afterAll(async () => {
    await stack?.close();
    await orthanc?.stop();
  });

  async function openCtFromChart(): Promise<void> {
    await page.getByTestId('chart-tab-imaging').click();
    const row = page.locator('[data-testid="imaging-study-row"]', { hasText: ctDescription });
    await row.waitFor({ timeout: 30_000 });
    await row.getByTestId('imaging-open').click();
    await page.getByTestId('study-viewer').waitFor();
  }

  /** Signs in as the doctor, opens the patient's chart from the ward list and reads its full banner. */
  async function openChartFromWard(): Promise<void> {
    await page.goto(stack.host.url);
    await signIn(page, 'doctor', 'doctor-demo');
    const wardRow = page.locator('[data-testid="ward-row"]', { hasText: patient.mrn });
    await wardRow.waitFor({ timeout: 30_000 });
    await wardRow.click();
    await page.getByTestId('patient-banner').waitFor();
    expect(await page.getByTestId('patient-banner').getAttribute('data-layout')).toBe('full');
    fullBanner = await readBanner(page);
  }

  it('reads a CT online, then offline', async () => {
    await openChartFromWard();
    const wardRow = page.locator('[data-testid="ward-row"]', { hasText: patient.mrn });
    expect(fullBanner.mrn).toBe(patient.mrn);
    expect(fullBanner.born).toContain(patient.birthDate.slice(0, 4));

    await openCtFromChart();
    const first = slices[0] as DemoDicomFile;
    const firstPixels = readPixels(first.bytes);
    const attributes = readDisplayAttributes(first.bytes);
    let state = await waitForSlice(page, 0);
    await expect(page.getByTestId('viewer-overlay-patient').innerText()).resolves.toContain(patient.mrn);
    await page.screenshot({ path: join(SCREENSHOT_FOLDER, '01-default-window.png') });

    // Default window: the file has none, so the viewer spans the slice's modality values.
    const defaultWindow = pixelRangeWindow(firstPixels, 0, attributes);
    expect(state.windowWidth).toBeCloseTo(defaultWindow.width, 3);
    expect(state.windowCenter).toBeCloseTo(defaultWindow.center, 3);
    await expectPixels(page, firstPixels, attributes, defaultWindow, state.scale);

    // A preset from the settings' list.
    const lung = DEFAULT_WINDOW_PRESETS.find((preset) => preset.id === 'lung');
    if (lung === undefined) throw new Error('The default presets have no lung window');
    await page.getByTestId('viewer-preset').selectOption(lung.id);
    await page.waitForSelector(`${VIEWPORT}[data-window-width="${lung.width}"][data-window-center="${lung.center}"]`);
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
    await expectPixels(page, firstPixels, attributes, { center: lung.center, width: lung.width }, state.scale);
    await page.screenshot({ path: join(SCREENSHOT_FOLDER, '02-lung-preset.png') });

    // A preset that only the settings define.
    await page.getByTestId('viewer-preset').selectOption(POSTERIOR_FOSSA.id);
    await page.waitForSelector(`${VIEWPORT}[data-window-width="${POSTERIOR_FOSSA.width}"][data-window-center="${POSTERIOR_FOSSA.center}"]`);
    await expect(page.locator('[data-testid="viewer-preset"] option').allInnerTexts()).resolves.toContain('9: Posterior fossa (W 120 / L 40)');
    await page.getByTestId('viewer-preset').selectOption(lung.id);
    await page.waitForSelector(`${VIEWPORT}[data-window-width="${lung.width}"][data-window-center="${lung.center}"]`);

    // Stack scroll by wheel: five slices down, where the demo moved the rows 20 pixels.
    await page.locator(VIEWPORT).hover();
    for (let step = 0; step < 5; step += 1) {
      await page.mouse.wheel(0, 100);
      await waitForSlice(page, step + 1);
    }
    state = await waitForSlice(page, 5);
    const sixth = slices[5] as DemoDicomFile;
    await expectPixels(page, readPixels(sixth.bytes), readDisplayAttributes(sixth.bytes), { center: lung.center, width: lung.width }, state.scale);
    await expect(page.getByTestId('viewer-overlay-position').innerText()).resolves.toContain(`Image 6/${slices.length}`);
    await page.screenshot({ path: join(SCREENSHOT_FOLDER, '03-slice-6.png') });

    // Keys: Home goes back to the first slice.
    await page.locator(VIEWPORT).focus();
    await page.keyboard.press('Home');
    state = await waitForSlice(page, 0);

    // A length of 80 columns by 60 rows, 100 pixels, in mm from Pixel Spacing.
    await page.getByTestId('viewer-tool-Length').click();
    const box = await page.locator(`${VIEWPORT} canvas`).boundingBox();
    if (box === null) throw new Error('The viewport canvas is not visible');
    const start = await canvasPointOf(page, firstPixels, state.scale, 20, 30);
    const end = await canvasPointOf(page, firstPixels, state.scale, 100, 90);
    await page.mouse.move(box.x + start.x, box.y + start.y);
    await page.mouse.down();
    await page.mouse.move(box.x + end.x, box.y + end.y, { steps: 12 });
    await page.mouse.up();
    const spacing = attributes.pixelSpacing;
    if (spacing === null) throw new Error('The CT has no Pixel Spacing');
    const expectedMm = Math.hypot(80 * spacing[1], 60 * spacing[0]);
    await expect
      .poll(async () => Number(/Length ([\d.]+) mm/.exec((await page.getByTestId('viewer-measurement').allInnerTexts()).join(' '))?.[1]), { timeout: 3_000 })
      .toBeCloseTo(expectedMm, 0);
    await page.screenshot({ path: join(SCREENSHOT_FOLDER, '04-length.png') });
    // The length stays on the slice after it is reopened, and where the viewport is small its line
    // and handles cover sample points of the offline pixel check below.
    await page.getByTestId('viewer-clear-measurements').click();
    await expect.poll(() => page.getByTestId('viewer-measurement').count(), { timeout: 3_000 }).toBe(0);

    // The tag browser shows the file's header.
    await page.getByTestId('viewer-tags-toggle').click();
    await expect(page.locator('[data-testid="viewer-tags"] tr[data-tag="(0010,0020)"][data-depth="0"]').innerText()).resolves.toContain(patient.mrn);
    await page.screenshot({ path: join(SCREENSHOT_FOLDER, '05-tags.png') });

    // Cache the whole study, then stop the PACS.
    await page.getByTestId('imaging-back').click();
    // The viewer's own loads may already have cached every slice, and the list reloads when it
    // shows, so the cache button is pressed only while the row still offers it.
    const row = page.locator('[data-testid="imaging-study-row"]', { hasText: ctDescription });
    await expect
      .poll(
        async () => {
          const cached = await row.getAttribute('data-cached');
          const button = row.getByTestId('imaging-cache');
          if (cached !== 'full' && (await button.count()) === 1 && (await button.isEnabled())) await button.click({ timeout: 2_000 }).catch(() => undefined);
          return cached;
        },
        { timeout: 30_000, interval: 500 },
      )
      .toBe('full');
    await orthanc.stop();

    await page.getByTestId('back-to-ward').click();
    await wardRow.click();
    await openCtFromChart();
    await page.getByTestId('imaging-study-from-cache').waitFor();
    state = await waitForSlice(page, 0);
    await expectPixels(page, firstPixels, attributes, defaultWindow, state.scale);
    await page.screenshot({ path: join(SCREENSHOT_FOLDER, '06-offline-from-cache.png') });

    expect(pageProblems).toEqual([]);
  });

  // Continues in the viewer that the test above left open, on the cached study with its notice.
  // Run alone, it opens the study itself, online.
  it('fits laptop and desktop windows', async () => {
    if ((await page.getByTestId('study-viewer').count()) === 0) {
      await openChartFromWard();
      await openCtFromChart();
    }
    await waitForSlice(page, 0);

    const laptopHeight = await expectViewerFits(page, LAPTOP_WINDOW);
    expect(laptopHeight, 'viewport height at 1366×768').toBeGreaterThanOrEqual(MIN_LAPTOP_IMAGE_HEIGHT);
    await page.screenshot({ path: join(SCREENSHOT_FOLDER, '07-window-1366x768.png') });

    // The compact banner keeps the identifiers and the allergy status of the full banner in view.
    expect(await page.getByTestId('patient-banner').getAttribute('data-layout')).toBe('compact');
    await expect(readBanner(page)).resolves.toEqual(fullBanner);
    for (const testId of BANNER_IDENTIFIERS) await expectInsideWindow(page, testId, LAPTOP_WINDOW);

    const desktopHeight = await expectViewerFits(page, DESKTOP_WINDOW);
    expect(desktopHeight, 'viewport height at 1920×1080 against 1366×768').toBeGreaterThan(laptopHeight);
    await page.screenshot({ path: join(SCREENSHOT_FOLDER, '08-window-1920x1080.png') });
    for (const testId of BANNER_IDENTIFIERS) await expectInsideWindow(page, testId, DESKTOP_WINDOW);

    // Back in the study list, the full banner returns.
    await page.getByTestId('imaging-back').click();
    await page.getByTestId('imaging-tab').waitFor();
    expect(await page.getByTestId('patient-banner').getAttribute('data-layout')).toBe('full');

    expect(pageProblems).toEqual([]);
  });
});
