import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { pino } from 'pino';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { Fault, SimulationReport } from '../../devices/simulator/index.js';
import { AnalyzerSimulator, readCapture } from '../../devices/simulator/index.js';
import type { Core } from '../../main/core/core.js';
import type { EntryDocument, RecordDocument } from '../../sync/protocol/documents.js';
import { SEEDED_LAB_DEPARTMENT, specimenId } from '../../sync/server/seed/lab-orders.js';
import { SocatPair, socatAvailable } from '../integration/devices/transport/socat-pair.js';
import { SCREENSHOTS } from '../support/browser.js';
import { makeTempDirectory } from '../support/replica.js';
import { waitFor } from '../support/waiting.js';
import { typeAsWedgeScanner } from '../support/wedge-scanner.js';
import type { WorkstationStack } from '../support/workstation-stack.js';
import { signIn, startWorkstationStack } from '../support/workstation-stack.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'astm');
/** The cobas c 311 capture: seven results for the seeded specimen CL-PL-24-0370. */
const C311_CAPTURE = join(FIXTURES, 'senaite_cobas_c311.txt');
const C311_ACCESSION = 'CL-PL-24-0370';
/** Two results, one flagged HH, for accession ZZ-0417, which no seeded specimen has. */
const UNKNOWN_CAPTURE = join(FIXTURES, 'lab-bench-unknown-accession.txt');
const UNKNOWN_ACCESSION = 'ZZ-0417';
/** The seeded tube the technician finds on the bench for the held results. */
const MATCHED_ACCESSION = '1DC042FP';
const ANALYZER = 'roche-cobas-c311';

/** Reads the patient of a seeded specimen from the workstation's replica, as the lab screens name them. */
async function patientOfSpecimen(core: Core, accession: string): Promise<{ mrn: string }> {
  const specimen = (await core.replica.records.findOne(`Specimen/${specimenId(accession)}`).exec())?.toJSON() as RecordDocument | undefined;
  if (specimen?.patientId === undefined) throw new Error(`Specimen ${accession} or its patient is not in the workstation's replica`);
  const patient = (await core.replica.records.findOne(`Patient/${specimen.patientId}`).exec())?.toJSON() as RecordDocument | undefined;
  if (patient?.mrn === undefined) throw new Error(`Patient ${specimen.patientId} has no MRN in the workstation's replica`);
  return { mrn: patient.mrn };
}

/** Lab Observations in the workstation's replica that name a specimen. */
async function observationsOf(core: Core, accession: string): Promise<EntryDocument[]> {
  const documents = await core.replica.entries.find({ selector: { resourceType: 'Observation' } }).exec();
  return documents
    .map((document) => document.toJSON() as EntryDocument)
    .filter((entry) => (entry.resource.specimen as { reference?: string } | undefined)?.reference === `Specimen/${specimenId(accession)}`);
}

async function activeTestId(page: Page): Promise<string | null | undefined> {
  return page.evaluate(() => document.activeElement?.getAttribute('data-testid'));
}

describe.skipIf(!socatAvailable)('lab technician at the bench', () => {
  const directory = makeTempDirectory('e2e-lab-bench');
  const logger = pino({ level: 'silent' });
  let socat: SocatPair;
  let stack: WorkstationStack;
  let core: Core;
  let page: Page;

  /** Plays a capture over the analyzer's end of the pty pair, as the cobas c 311 would. */
  async function playCapture(file: string | Buffer, faults: Fault[] = []): Promise<SimulationReport> {
    const simulator = new AnalyzerSimulator({
      capture: readCapture(typeof file === 'string' ? readFileSync(file) : file),
      faults,
      connection: { kind: 'serial', path: socat.a, baudRate: 9600, assertDtr: false },
      id: 'c311-simulator',
      logger,
    });
    return simulator.run();
  }

  function messageWithAccession(accession: string): Locator {
    return page.getByTestId('lab-message').filter({ has: page.locator(`[data-testid="lab-group"][data-accession="${accession}"]`) });
  }

  beforeAll(async () => {
    socat = new SocatPair(directory.path);
    await socat.start();
    stack = await startWorkstationStack({
      name: 'e2e-lab-bench',
      database: 'postgresql',
      settings: {
        workstationId: 'ws-e2e-lab',
        wardId: SEEDED_LAB_DEPARTMENT.id,
        lab: { connections: [{ profile: ANALYZER, transport: { path: socat.b, assertDtr: false, reconnect: { initialDelayMs: 50, maxDelayMs: 500 } } }] },
      },
      core: { labTimeZone: 'UTC' },
      viewport: { width: 1280, height: 900 },
    });
    core = stack.core;
    page = stack.page;
  });

  afterAll(async () => {
    await stack?.close();
    await socat?.stop();
    directory.remove();
  });

  it('lands on the lab bench with the analyzer connected', async () => {
    await page.goto(stack.host.url);
    await signIn(page, 'lab-technician', 'lab-technician-demo');

    await page.getByTestId('lab-bench').waitFor();
    const connection = page.locator(`[data-testid="lab-connection"][data-connection-id="${ANALYZER}"]`);
    await connection.and(page.locator('[data-state="open"]')).waitFor();
    expect(await connection.getByTestId('lab-connection-state').innerText()).toContain('Connected');
    expect(await page.getByTestId('ward-name').innerText()).toBe(SEEDED_LAB_DEPARTMENT.name);
    expect(await page.getByTestId('ward-row').count()).toBe(0);

    // The seeded orders must be on the workstation before the analyzer sends, or the results wait for review.
    await waitFor(core.replication.status$, (status) => status.state === 'online', 'the lab workstation online');
    await core.replication.awaitInSync();
    // The header calls the workstation's Location a department once the replica has that Location.
    await page.locator('.shell__ward-label').waitFor();
    expect(await page.locator('.shell__ward-label').innerText()).toBe('Department');
    await patientOfSpecimen(core, C311_ACCESSION);
    await page.getByTestId('sync-status').and(page.locator('[data-state="online"]')).waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'lab-bench-connected.png') });
  });

  it('shows the cobas c 311 results as they arrive', async () => {
    const report = await playCapture(C311_CAPTURE);
    expect(report.ok).toBe(true);

    const message = messageWithAccession(C311_ACCESSION);
    await message.and(page.locator('[data-outcome="stored"]')).waitFor();
    const { mrn } = await patientOfSpecimen(core, C311_ACCESSION);
    expect(await message.getByTestId('lab-group-patient').innerText()).toContain(mrn);
    expect(await message.getByTestId('lab-group-state').innerText()).toContain('In the chart');

    const rows = message.getByTestId('lab-result');
    expect(await rows.count()).toBe(7);
    const creatinine = message.locator('[data-testid="lab-result"][data-test-code="712/"]');
    expect(await creatinine.getByTestId('lab-result-value').innerText()).toBe('4.1');
    expect(await creatinine.locator('[data-testid="lab-flag"]').getAttribute('data-flag')).toBe('L');
    expect(await creatinine.getByTestId('lab-flag').innerText()).toContain('Low');
    expect(await message.locator('[data-testid="lab-result"][data-test-code="685/"] [data-testid="lab-flag"]').getAttribute('data-severity')).toBe('abnormal');
    expect(await page.locator(`[data-testid="lab-connection"][data-connection-id="${ANALYZER}"]`).getByTestId('lab-connection-received').innerText()).toBe('1');
    expect(await observationsOf(core, C311_ACCESSION)).toHaveLength(7);
    await page.screenshot({ path: join(SCREENSHOTS, 'lab-results-stored.png') });

    await creatinine.getByTestId('lab-result-open').click();
    await page.getByTestId('lab-result-detail').waitFor();
    expect(await page.getByTestId('lab-detail-value').innerText()).toBe('4.1');
    const raw = await page.getByTestId('lab-raw').innerText();
    expect(raw).toContain('<STX>');
    expect(raw).toContain('<ETX>');
    expect(raw).toContain('c311');
    await page.screenshot({ path: join(SCREENSHOTS, 'lab-result-detail.png') });
    await page.getByTestId('lab-raw').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SCREENSHOTS, 'lab-result-raw.png') });

    await page.getByTestId('back-to-lab').click();
    await page.getByTestId('lab-bench').waitFor();
  });

  it('holds an unknown accession until it is matched and released', async () => {
    const report = await playCapture(UNKNOWN_CAPTURE);
    expect(report.ok).toBe(true);

    const item = page.getByTestId('review-item').filter({ hasText: UNKNOWN_ACCESSION });
    await item.waitFor();
    const reasons = await item.getByTestId('review-reasons').locator('li').evaluateAll((entries) => entries.map((entry) => entry.getAttribute('data-reason')));
    expect(reasons.sort()).toEqual(['critical-flag', 'unknown-accession']);
    expect(await item.locator('[data-testid="lab-result"][data-test-code="717/"]').getAttribute('data-critical')).toBe('true');
    expect(await item.getByTestId('review-release').isDisabled()).toBe(true);
    const held = messageWithAccession(UNKNOWN_ACCESSION);
    await held.and(page.locator('[data-outcome="review"]')).waitFor();
    expect(await held.getByTestId('lab-group-state').innerText()).toContain('Waiting for review');
    await page.screenshot({ path: join(SCREENSHOTS, 'lab-review-held.png') });

    await item.getByTestId('review-accession').fill('ZZ-0000');
    await item.getByTestId('review-match').click();
    await item.getByTestId('review-match-error').waitFor();
    expect(await item.getByTestId('review-match-error').innerText()).toContain('ZZ-0000');
    expect(await item.getAttribute('data-matched')).toBe('false');
    await page.screenshot({ path: join(SCREENSHOTS, 'lab-review-match-failed.png') });

    // The technician scans the tube's label into the field, typed as a keyboard-wedge scanner
    // types it: the field takes the scan and matches at once, and the specimen lookup stays empty.
    await item.getByTestId('review-accession').fill('');
    await item.getByTestId('review-accession').focus();
    await typeAsWedgeScanner(page, MATCHED_ACCESSION);
    await page.locator('[data-testid="lab-outcome"][data-kind="matched"]').waitFor();
    expect(await page.getByTestId('specimen-card').count()).toBe(0);
    const { mrn } = await patientOfSpecimen(core, MATCHED_ACCESSION);
    expect(await item.getByTestId('review-match-state').innerText()).toContain(mrn);
    expect(await activeTestId(page)).toBe('review-release');
    await page.screenshot({ path: join(SCREENSHOTS, 'lab-review-matched.png') });

    await item.getByTestId('review-release').click();
    await page.locator('[data-testid="lab-outcome"][data-kind="released"]').waitFor();
    expect(await page.getByTestId('lab-outcome').innerText()).toContain(`2 results for`);
    expect(await page.getByTestId('lab-outcome').innerText()).toContain(mrn);
    expect(await activeTestId(page)).toBe('lab-outcome');
    await page.getByText('No results wait for review.').waitFor();
    await held.locator('[data-testid="lab-group-state"]', { hasText: 'Released to the chart' }).waitFor();

    const released = await observationsOf(core, MATCHED_ACCESSION);
    expect(released.map((entry) => (entry.resource.interpretation as { coding: { code: string }[] }[])[0]?.coding[0]?.code).sort()).toEqual(['H', 'HH']);
    await page.screenshot({ path: join(SCREENSHOTS, 'lab-review-released.png') });
  });

  it('shows a retransmitted message once and counts a broken transfer', async () => {
    const connection = page.locator(`[data-testid="lab-connection"][data-connection-id="${ANALYZER}"]`);
    const failuresBefore = Number(await connection.getByTestId('lab-connection-failures').innerText());
    // The capture's records with a new first value, so that each run is a message of its own.
    const records = (value: string) => Buffer.from(readFileSync(C311_CAPTURE, 'latin1').replace('|22.4|', `|${value}|`), 'latin1');

    const retransmitted = await playCapture(records('51.5'), [{ kind: 'bad-checksum', message: 1 }]);
    expect(retransmitted.ok).toBe(true);
    const stored = page.getByTestId('lab-message').filter({ has: page.locator('[data-testid="lab-result"][data-test-code="685/"] [data-testid="lab-result-value"]', { hasText: '51.5' }) });
    await stored.and(page.locator('[data-outcome="stored"]')).waitFor();
    expect(await stored.count()).toBe(1);

    const broken = await playCapture(records('52.6'), [{ kind: 'interrupt-eot', message: 1 }]);
    expect(broken.accepted).toBe(0);
    await connection.getByTestId('lab-connection-failures').filter({ hasText: String(failuresBefore + 1) }).waitFor();
    expect(await page.getByTestId('lab-message').filter({ hasText: '52.6' }).count()).toBe(0);
    expect((await observationsOf(core, C311_ACCESSION)).length).toBe(14);
    await page.screenshot({ path: join(SCREENSHOTS, 'lab-faults.png') });
  });
});
