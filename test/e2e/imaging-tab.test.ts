import { join } from 'node:path';

import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { DemoImagingPatient } from '../../build/scripts/demo-pacs.js';
import { demoStudyFiles, demoWardPatients } from '../../build/scripts/demo-pacs.js';
import { uploadToOrthanc } from '../../build/scripts/orthanc-process.js';
import type { Core } from '../../main/core/core.js';
import type { WardPatientRow } from '../../preload/api/index.js';
import { SCREENSHOTS } from '../support/browser.js';
import { DICOM_FIXTURES } from '../support/dicom-fixtures.js';
import type { OrthancServer } from '../support/orthanc.js';
import { ORTHANC_MISSING_MESSAGE, orthancAvailable, startOrthanc, testPacsSettings } from '../support/orthanc.js';
import { waitFor } from '../support/waiting.js';
import type { WorkstationStack } from '../support/workstation-stack.js';
import { signIn, startWorkstationStack } from '../support/workstation-stack.js';

if (!orthancAvailable) console.warn(ORTHANC_MISSING_MESSAGE);

const WARD_ID = 'ward-4a';

/**
 * A doctor opens a ward patient's imaging tab in Chromium through the browser host: the studies
 * with their cached marks after the prefetch, caching one on request, opening one in the viewer
 * over the instance route, and the cached list with Orthanc stopped.
 */
describe.skipIf(!orthancAvailable)('imaging tab in the chart', () => {
  let orthanc: OrthancServer;
  let stack: WorkstationStack;
  let core: Core;
  let page: Page;
  let patient: DemoImagingPatient;
  const instanceResponses: number[] = [];

  const studyRow = (description: string): Locator => page.getByTestId('imaging-study-row').filter({ hasText: description });

  beforeAll(async () => {
    orthanc = await startOrthanc();
    const today = new Date();
    const patients = (await demoWardPatients(WARD_ID, today)).slice(0, 1);
    patient = patients[0] as DemoImagingPatient;
    for (const file of demoStudyFiles(DICOM_FIXTURES, patients, today)) await uploadToOrthanc(orthanc.baseUrl, orthanc.authorization, file.bytes, file.label);

    stack = await startWorkstationStack({
      name: 'e2e-imaging-tab',
      database: 'pglite',
      settings: {
        workstationId: 'ws-e2e-imaging',
        wardId: WARD_ID,
        imaging: {
          pacs: testPacsSettings(orthanc),
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

    expect(await page.getByTestId('imaging-study-row').count()).toBe(2);
    expect(await studyRow('CT lumbar spine').innerText()).toContain('1 series, 16 images');
    expect(await studyRow('MR knee').getAttribute('data-cached')).toBe('none');
    expect(await studyRow('MR knee').getByTestId('imaging-cache-mark').innerText()).toBe('Not stored');
    await page.screenshot({ path: join(SCREENSHOTS, 'imaging-tab-studies.png') });
  });

  it('keeps a study for offline viewing', async () => {
    await studyRow('MR knee').getByTestId('imaging-cache').click();

    await studyRow('MR knee').and(page.locator('[data-cached="full"]')).waitFor();
    expect(await studyRow('MR knee').getByTestId('imaging-cache').count()).toBe(0);
    await page.screenshot({ path: join(SCREENSHOTS, 'imaging-tab-cached.png') });
  });

  it('opens a study in the viewer', async () => {
    await studyRow('CT lumbar spine').getByTestId('imaging-open').click();

    await page.getByTestId('study-viewer').waitFor();
    await expect.poll(() => instanceResponses.length, { timeout: 20_000 }).toBeGreaterThan(0);
    expect(instanceResponses.every((status) => status === 200)).toBe(true);
    expect(await page.getByTestId('imaging-study').locator('h2').innerText()).toBe('CT lumbar spine');
    await page.screenshot({ path: join(SCREENSHOTS, 'imaging-tab-viewer.png') });
  });

  it('lists cached studies with the PACS stopped', async () => {
    await orthanc.stop();

    await page.getByTestId('imaging-back').click();

    await page.getByTestId('imaging-offline').waitFor();
    expect(await studyRow('CT lumbar spine').getAttribute('data-cached')).toBe('full');
    expect(await studyRow('MR knee').getAttribute('data-cached')).toBe('full');
    await page.screenshot({ path: join(SCREENSHOTS, 'imaging-tab-offline.png') });
  });
});
