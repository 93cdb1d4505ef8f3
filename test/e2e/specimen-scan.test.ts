import { join } from 'node:path';

import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { Core } from '../../main/core/core.js';
import type { RecordDocument } from '../../sync/protocol/documents.js';
import { SEEDED_LAB_DEPARTMENT, specimenId } from '../../sync/server/seed/lab-orders.js';
import { SCREENSHOTS } from '../support/browser.js';
import { FakeHidBinding, HONEYWELL_VENDOR_ID, posScanner, scannedDataReports } from '../support/fake-hid.js';
import { typeAsWedgeScanner } from '../support/wedge-scanner.js';
import { waitFor } from '../support/waiting.js';
import type { WorkstationStack } from '../support/workstation-stack.js';
import { startWorkstationStack } from '../support/workstation-stack.js';

/** A typist's gap between keys: about 80 words per minute. */
const TYPIST_DELAY_MS = 150;

const SCANNED_ACCESSION = 'CL-PL-24-0370';
const TYPED_ACCESSION = 'S1234';
const HID_ACCESSION = '1DC042FP';
const ALLOWED = posScanner({ path: '/dev/hidraw3', productId: 0x0b01, serialNumber: 'BENCH01' });
const BLOCKED = posScanner({ path: '/dev/hidraw5', productId: 0x0b02, serialNumber: 'VISITOR01', product: 'Xenon 1900' });

async function mrnOfSpecimen(core: Core, accession: string): Promise<string> {
  const specimen = (await core.replica.records.findOne(`Specimen/${specimenId(accession)}`).exec())?.toJSON() as RecordDocument | undefined;
  const patient = (await core.replica.records.findOne(`Patient/${specimen?.patientId ?? ''}`).exec())?.toJSON() as RecordDocument | undefined;
  if (!patient?.mrn) throw new Error(`Specimen ${accession} or its patient is not in the workstation's replica`);
  return patient.mrn;
}

describe('specimen labels on the lab bench', () => {
  const hid = new FakeHidBinding();
  let stack: WorkstationStack;
  let core: Core;
  let page: Page;

  const card = () => page.getByTestId('specimen-card');

  beforeAll(async () => {
    hid.plug(ALLOWED);
    hid.plug(BLOCKED);
    stack = await startWorkstationStack({
      name: 'e2e-specimen-scan',
      database: 'postgresql',
      settings: {
        workstationId: 'ws-e2e-specimen-scan',
        wardId: SEEDED_LAB_DEPARTMENT.id,
        scanning: { extraGroupSeparators: [], wedge: {}, hid: { enabled: true, pollIntervalMs: 250 } },
      },
      core: {
        policy: { allowedUsbDevices: [{ vendorId: `0x${HONEYWELL_VENDOR_ID.toString(16).padStart(4, '0')}`, productId: '0x0b01' }] },
        hidDevices: hid,
      },
      viewport: { width: 1280, height: 1000 },
    });
    core = stack.core;
    page = stack.page;
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('signs in by typing, with a scan kept out of the fields', async () => {
    await page.goto(stack.host.url);
    await page.getByTestId('signin-username').click();

    await typeAsWedgeScanner(page, 'MRN00012345');
    await page.getByTestId('scan-guard').waitFor();
    expect(await page.getByTestId('signin-username').inputValue()).toBe('');

    // Typed keys are held back while the detector decides, then replayed into the fields.
    await page.keyboard.type('lab-technician', { delay: TYPIST_DELAY_MS });
    await page.getByTestId('signin-password').click();
    await page.keyboard.type('lab-technician-demo', { delay: TYPIST_DELAY_MS });
    expect(await page.getByTestId('signin-username').inputValue()).toBe('lab-technician');
    await page.screenshot({ path: join(SCREENSHOTS, 'signin-scan-guard.png') });
    await page.keyboard.press('Enter');

    await page.getByTestId('lab-bench').waitFor();
    await waitFor(core.replication.status$, (status) => status.state === 'online', 'the lab workstation online');
    await core.replication.awaitInSync();
    await mrnOfSpecimen(core, SCANNED_ACCESSION);
  });

  it('finds a specimen from a typed accession', async () => {
    await page.getByTestId('specimen-accession').click();
    await page.keyboard.type(TYPED_ACCESSION, { delay: TYPIST_DELAY_MS });
    // Enter right after the last key, while that key may still be held back by the wedge detector.
    await page.keyboard.press('Enter');

    await card().and(page.locator(`[data-specimen-id="Specimen/${specimenId(TYPED_ACCESSION)}"]`)).waitFor();
    expect(await page.getByTestId('specimen-accession').inputValue()).toBe(TYPED_ACCESSION);
    expect(await card().innerText()).not.toContain('Scanned');
  });

  it('finds a specimen from a wedge scan without typing into the field', async () => {
    await page.getByTestId('specimen-accession').fill('');
    await page.getByTestId('specimen-accession').focus();

    await typeAsWedgeScanner(page, SCANNED_ACCESSION);

    await card().and(page.locator(`[data-specimen-id="Specimen/${specimenId(SCANNED_ACCESSION)}"]`)).waitFor();
    expect(await page.getByTestId('specimen-accession').inputValue()).toBe('');
    expect(await card().innerText()).toContain('Scanned');
    expect(await page.getByTestId('specimen-patient').innerText()).toContain(await mrnOfSpecimen(core, SCANNED_ACCESSION));
    const orders = page.getByTestId('specimen-order');
    expect(await orders.count()).toBe(1);
    expect(await orders.first().innerText()).toContain('Active');
    await page.getByTestId('specimen-lookup').screenshot({ path: join(SCREENSHOTS, 'specimen-scan-found.png') });
  });

  it('names a scanned medication pack as no specimen label', async () => {
    await page.getByTestId('lab-bench').click({ position: { x: 5, y: 5 } });

    // A pack that expires in 2029, so that the only problem is that it is no specimen label.
    await typeAsWedgeScanner(page, ']d20109501101020917172912311012A3B');

    await page.getByTestId('specimen-not-label').waitFor();
    expect(await page.getByTestId('specimen-not-label').innerText()).toContain('GS1 product barcode');
  });

  it('finds a specimen from a HID scanner', async () => {
    const connection = hid.connections.get('/dev/hidraw3');
    expect(connection).toBeDefined();

    await connection?.send(scannedDataReports(']C0', HID_ACCESSION));

    await card().and(page.locator(`[data-specimen-id="Specimen/${specimenId(HID_ACCESSION)}"]`)).waitFor();
    expect(await card().innerText()).toContain('Scanned');
  });

  it('lists the scanners in settings', async () => {
    await page.getByTestId('open-settings').click();
    const list = page.getByTestId('scanner-list');
    await list.waitFor();

    const wedge = list.locator('[data-testid="scanner"][data-kind="wedge"]');
    await wedge.and(page.locator('[data-state="connected"]')).waitFor();
    // The wristband at the sign-in screen, the specimen label and the medication pack.
    expect(await wedge.getByTestId('scanner-scans').innerText()).toBe('3');
    const allowed = list.locator('[data-testid="scanner"][data-state="connected"][data-kind="hid"]');
    expect(await allowed.innerText()).toContain('Honeywell Voyager 1602g');
    expect(await allowed.getByTestId('scanner-scans').innerText()).toBe('1');
    const blocked = list.locator('[data-testid="scanner"][data-state="blocked"]');
    expect(await blocked.getByTestId('scanner-reason').innerText()).toContain('productId 0x0b02');
    expect(await wedge.getByTestId('scanner-state').innerText()).toContain('In use');
    await list.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SCREENSHOTS, 'settings-scanners.png'), fullPage: true });
  });
});
