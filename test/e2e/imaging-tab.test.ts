import { join } from 'node:path';

import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { DemoDicomFile, DemoImagingPatient } from '../../build/scripts/demo-pacs.js';
import { demoStudyFiles, demoWardPatients } from '../../build/scripts/demo-pacs.js';
import { relabelDicom, uidFromName } from '../../build/scripts/dicom-relabel.js';
import { uploadToOrthanc } from '../../build/scripts/orthanc-process.js';
import type { Core } from '../../main/core/core.js';
import type { WardPatientRow } from '../../preload/api/index.js';
import { SCREENSHOTS } from '../support/browser.js';
import { DICOM_FIXTURES } from '../support/dicom-fixtures.js';
import { FaultProxy } from '../support/fault-proxy.js';
import type { OrthancServer } from '../support/orthanc.js';
import { ORTHANC_MISSING_MESSAGE, orthancAvailable, startOrthanc, testPacsSettings } from '../support/orthanc.js';
import { waitFor } from '../support/waiting.js';
import type { WorkstationStack } from '../support/workstation-stack.js';
import { signIn, startWorkstationStack } from '../support/workstation-stack.js';

if (!orthancAvailable) console.warn(ORTHANC_MISSING_MESSAGE);

const WARD_ID = 'ward-4a';
/** Delay of each instance retrieve, so caching a 16-image copy of the CT takes about 5 s. */
const RETRIEVE_DELAY_MS = 300;

/** Copies the patient's demo CT series as a study dated 400 days ago, which the prefetch leaves out. */
function ctCopy(files: readonly DemoDicomFile[], patient: DemoImagingPatient, key: string, description: string, today: Date): DemoDicomFile[] {
  const date = new Date(today.getTime() - 400 * 86_400_000).toISOString().slice(0, 10).replaceAll('-', '');
  return files
    .filter((file) => file.label.startsWith('ct-spine/axial/'))
    .map((file, index) => ({
      label: `${key}/${index + 1} of ${patient.mrn}`,
      bytes: relabelDicom(file.bytes, {
        attributes: {
          x00080020: { vr: 'DA', value: date },
          x00081030: { vr: 'LO', value: description },
          x0020000d: { vr: 'UI', value: uidFromName(`e2e-study:${key}`) },
          x0020000e: { vr: 'UI', value: uidFromName(`e2e-series:${key}`) },
          x00080018: { vr: 'UI', value: uidFromName(`e2e-instance:${key}:${index}`) },
        },
      }),
    }));
}

/**
 * A doctor opens a ward patient's imaging tab in Chromium through the browser host. The tests
 * cover the studies with their cached marks after the prefetch, caching studies on request with
 * their progress, opening one in the viewer over the instance route, a caching job that the PACS
 * stops, and the cached list with Orthanc stopped. Last, a radiologist finds the patient through
 * the search. Retrieves of instances pass a proxy that slows them down.
 */
describe.skipIf(!orthancAvailable)('imaging tab in the chart', () => {
  let orthanc: OrthancServer;
  let pacsProxy: FaultProxy;
  let stack: WorkstationStack;
  let core: Core;
  let page: Page;
  let patient: DemoImagingPatient;
  const instanceResponses: number[] = [];

  const studyRow = (description: string): Locator => page.getByTestId('imaging-study-row').filter({ hasText: description });

  beforeAll(async () => {
    orthanc = await startOrthanc();
    pacsProxy = await FaultProxy.start({ targetPort: Number(new URL(orthanc.baseUrl).port) });
    pacsProxy.addRule({ match: { method: 'GET', path: /^\/dicom-web\/studies\/[0-9.]+\/series\/[0-9.]+\/instances\/[0-9.]+$/ }, action: { kind: 'delay-response', ms: RETRIEVE_DELAY_MS } });
    const today = new Date();
    const patients = (await demoWardPatients(WARD_ID, today)).slice(0, 1);
    patient = patients[0] as DemoImagingPatient;
    const files = demoStudyFiles(DICOM_FIXTURES, patients, today);
    const copies = [...ctCopy(files, patient, 'ct-earlier', 'Earlier CT copy', today), ...ctCopy(files, patient, 'ct-interrupted', 'Interrupted CT copy', today)];
    for (const file of [...files, ...copies]) await uploadToOrthanc(orthanc.baseUrl, orthanc.authorization, file.bytes, file.label);

    stack = await startWorkstationStack({
      name: 'e2e-imaging-tab',
      database: 'pglite',
      settings: {
        workstationId: 'ws-e2e-imaging',
        wardId: WARD_ID,
        imaging: {
          pacs: { ...testPacsSettings(orthanc), url: `${pacsProxy.url}/dicom-web` },
          // The prefetch takes the CT of 2 days ago and leaves the MR of 200 days ago for the cache button.
          cache: { maxBytes: 100 * 1024 * 1024, prefetch: { maxAgeDays: 20, maxStudiesPerPatient: 3, maxInstancesPerStudy: 100 } },
        },
      },
      core: { imagingPrefetch: { debounceMs: 50 } },
      serveImaging: true,
      viewport: { width: 1280, height: 900 },
    });
    core = stack.core;
    page = stack.page;
    page.on('response', (response) => {
      if (response.url().includes('/imaging/instances/')) instanceResponses.push(response.status());
    });
  });

  afterAll(async () => {
    await stack?.close();
    await pacsProxy?.close();
    await orthanc?.stop();
  });

  it('lists the studies with their cached marks', async () => {
    await page.goto(stack.host.url);
    await signIn(page, 'doctor', 'doctor-demo');
    await waitFor(core.replication.status$, (status) => status.state === 'online' && status.pendingChanges === 0, 'first sync');
    const rows = await core.gateway.handle('ward:listPatients', {}, { senderId: 'test' });
    const row = rows.ok ? (rows.value as WardPatientRow[]).find((candidate) => candidate.mrn === patient.mrn) : undefined;
    if (!row) throw new Error(`The ward list has no patient with MRN ${patient.mrn}`);

    await page.locator(`[data-testid="ward-row"][data-patient-id="${row.patientId}"]`).click();
    await page.getByTestId('chart-tab-imaging').click();
    await page.locator('[data-testid="imaging-prefetch"][data-outcome="complete"]').filter({ hasText: '(1 study)' }).waitFor({ timeout: 30_000 });
    await studyRow('CT lumbar spine').and(page.locator('[data-cached="full"]')).waitFor();

    expect(await page.getByTestId('imaging-study-row').count()).toBe(4);
    expect(await studyRow('CT lumbar spine').innerText()).toContain('1 series, 16 images');
    expect(await studyRow('MR knee').getAttribute('data-cached')).toBe('none');
    expect(await studyRow('MR knee').getByTestId('imaging-cache-mark').innerText()).toBe('Not stored');
    await page.screenshot({ path: join(SCREENSHOTS, 'imaging-tab-studies.png') });
  });

  it('keeps a study for offline viewing', async () => {
    await studyRow('MR knee').getByTestId('imaging-cache').click();

    await studyRow('MR knee').and(page.locator('[data-cached="full"]')).waitFor();
    expect(await studyRow('MR knee').getByTestId('imaging-cache').count()).toBe(0);
    expect(await studyRow('MR knee').getByTestId('imaging-cache-job').count()).toBe(0);
    await page.screenshot({ path: join(SCREENSHOTS, 'imaging-tab-cached.png') });
  });

  it('shows the progress of caching a study', async () => {
    const row = studyRow('Earlier CT copy');
    await row.getByTestId('imaging-cache').click();

    const running = row.locator('[data-testid="imaging-cache-job"][data-state="running"]');
    await running.filter({ hasText: /Storing ([2-9]|1[0-5]) of 16 images/ }).waitFor({ timeout: 10_000 });
    expect(await row.getByTestId('imaging-cache').isDisabled()).toBe(true);
    expect(await row.getByTestId('imaging-cache').innerText()).toBe('Storing…');
    await page.screenshot({ path: join(SCREENSHOTS, 'imaging-tab-caching.png') });

    await row.and(page.locator('[data-cached="full"]')).waitFor({ timeout: 20_000 });
    expect(await row.getByTestId('imaging-cache-job').count()).toBe(0);
    expect(await row.getByTestId('imaging-cache').count()).toBe(0);
  });

  it('opens a study in the viewer', async () => {
    await studyRow('CT lumbar spine').getByTestId('imaging-open').click();

    await page.getByTestId('study-viewer').waitFor();
    await expect.poll(() => instanceResponses.length, { timeout: 20_000 }).toBeGreaterThan(0);
    expect(instanceResponses.every((status) => status === 200)).toBe(true);
    expect(await page.getByTestId('imaging-study').locator('h2').innerText()).toBe('CT lumbar spine');
    // The viewport has the keyboard without a click: a key moves to the next image.
    await page.locator('[data-testid="viewer-viewport"][data-status="shown"]').waitFor({ timeout: 20_000 });
    await page.keyboard.press('ArrowDown');
    await page.locator('[data-testid="viewer-viewport"][data-index="1"]').waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'imaging-tab-viewer.png') });
  });

  it('names the PACS when it stops a caching job', async () => {
    await page.getByTestId('imaging-back').click();
    const row = studyRow('Interrupted CT copy');
    await row.getByTestId('imaging-cache').click();
    await row.locator('[data-testid="imaging-cache-job"][data-state="running"]').filter({ hasText: /Storing ([3-9]|1[0-5]) of 16 images/ }).waitFor({ timeout: 10_000 });

    await orthanc.stop();

    const stopped = row.locator('[data-testid="imaging-cache-job"][data-outcome="pacs-unavailable"]');
    await stopped.waitFor({ timeout: 20_000 });
    expect(await stopped.innerText()).toMatch(/^Stopped after ([3-9]|1[0-5]) of 16 images: the PACS could not be reached\. Try again later\./);
    expect(await stopped.innerText()).toContain('could not be reached');
    // The job's end reloads the list, which now comes from the cache and marks the study partly stored.
    await row.and(page.locator('[data-cached="partial"]')).waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'imaging-tab-cache-stopped.png') });
  });

  it('lists cached studies with the PACS stopped', async () => {
    // Stopped already by the test before; stopping again does nothing.
    await orthanc.stop();

    await page.getByTestId('imaging-offline').waitFor();
    expect(await studyRow('CT lumbar spine').getAttribute('data-cached')).toBe('full');
    expect(await studyRow('MR knee').getAttribute('data-cached')).toBe('full');
    await page.screenshot({ path: join(SCREENSHOTS, 'imaging-tab-offline.png') });
  });

  // A radiologist reads no ward charts: the home screen points to the search, and the chart shows
  // the banner and the Imaging tab alone. The PACS is still stopped, so the list comes from the cache.
  it("opens a radiologist's patient from the search", async () => {
    await page.getByTestId('signout').click();
    await signIn(page, 'radiologist', 'radiologist-demo');
    await page.getByTestId('find-patient').waitFor();
    expect(await page.getByTestId('ward-list').count()).toBe(0);
    await page.screenshot({ path: join(SCREENSHOTS, 'radiologist-home.png') });

    await page.getByTestId('patient-search').fill(patient.mrn);
    await page.getByTestId('search-result').first().click();
    await page.getByTestId('chart-tab-imaging').waitFor();
    await studyRow('CT lumbar spine').and(page.locator('[data-cached="full"]')).waitFor();

    expect(await page.getByTestId('chart-tab-observations').count()).toBe(0);
    expect(await page.getByTestId('chart-tab-medication').count()).toBe(0);
    expect(await page.getByTestId('vitals-form').count()).toBe(0);
    await page.screenshot({ path: join(SCREENSHOTS, 'imaging-tab-radiologist.png') });
  });
});
